"""The report and the docs in a real browser: headless Chromium (the distribution's package)
opens each file with every non-file request blocked and recorded, and the test asserts none was
attempted, no console error, and every plot drew its marks. A screenshot is kept in
test-artifacts/.

Without Chromium (or playwright) the tests are skipped with the reason; CI sets
REEFLOW_REQUIRE_BROWSER=1, which turns that skip into a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.integration.embedded_warehouse import built_docs, embedded_warehouse_env
from tests.reeflow_cli import run_reeflow

pytestmark = pytest.mark.integration
ARTIFACTS = REPO_ROOT / "test-artifacts"
# No network here or in CI: without these Chromium floods refused connections (updates, sync).
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Marks each kind of plot draws: scatter markers, bars, Sankey links.
MARKS = "path.point, g.point > path, path.sankey-link"


def _chromium() -> str:
    """The browser's path, or skip (fail when CI requires the browser) saying what is missing."""
    path = os.environ.get("REEFLOW_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    missing = None
    if not path:
        missing = "no chromium on PATH (apt-get install chromium; .ci/run installs it)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "playwright is not installed (pip install -e '.[dev]')"
    if missing:
        if os.environ.get("REEFLOW_REQUIRE_BROWSER") == "1":
            pytest.fail(f"REEFLOW_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(f"browser test skipped: {missing}")
    return path


class Visit:
    """One page opened offline: what it asked the network for and what it logged as errors."""

    def __init__(self, page):
        self.page, self.blocked, self.errors, self.script_errors = page, [], [], []
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        page.route("**/*", self._route)

    def _route(self, route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()


@pytest.fixture(scope="module")
def browser():
    path = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    _chromium()  # skip before the one-to-two-minute build when there is no browser
    env = embedded_warehouse_env(tmp_path_factory)
    out = tmp_path_factory.mktemp("browser-report") / "report.html"
    done = run_reeflow(env, "report", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


def _keep(screenshot: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy2(screenshot, ARTIFACTS / screenshot.name)


def test_report_draws_every_plot_offline_without_errors(browser, report_file, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    visit = Visit(page)
    page.goto(report_file.as_uri())
    expected = page.locator("[data-figure]").count()
    assert expected == 6
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot').length === {expected}", timeout=30_000)
    drawn = page.evaluate(
        """marks => [...document.querySelectorAll('.js-plotly-plot')].map(plot => ({
               id: plot.id,
               traces: plot.data.length,
               marks: [...plot.querySelectorAll(marks)]
                   .filter(mark => (mark.getAttribute('d') || '').length > 4).length}))""",
        MARKS,
    )
    screenshot = tmp_path / "report.png"
    page.screenshot(path=str(screenshot), full_page=True)
    _keep(screenshot)
    assert visit.errors == [] and visit.script_errors == []
    assert visit.blocked == []  # self-contained: nothing but the file itself was requested
    assert {plot["id"] for plot in drawn} == {
        "fig-china-share", "fig-supplier-mix", "fig-sankey", "fig-stockpile", "fig-scenarios",
        "fig-concentration"}
    for plot in drawn:
        assert plot["traces"] > 0 and plot["marks"] >= plot["traces"], plot
    page.close()


def test_hover_shows_source_and_definition(browser, report_file):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    Visit(page)
    page.goto(report_file.as_uri())
    page.wait_for_selector("#fig-china-share path.point")
    point = page.locator("#fig-china-share path.point").first
    point.scroll_into_view_if_needed()
    box = point.bounding_box()
    # Plotly listens on the plot area above the markers: move the mouse there, as a reader would.
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#fig-china-share .hoverlayer .hovertext", timeout=5_000)
    label = page.locator("#fig-china-share .hoverlayer").text_content()
    assert "Source:" in label and "Definition:" in label
    page.close()


def test_docs_open_offline_without_errors(browser, tmp_path_factory, tmp_path):
    out, done = built_docs(tmp_path_factory)
    assert done.returncode == 0, done.stderr
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    visit = Visit(page)
    page.goto((out / "index.html").as_uri() + "#!/model/model.reeflow.mart_sankey_flows")
    page.get_by_text("value_t_reo").first.wait_for(timeout=30_000)
    screenshot = tmp_path / "docs.png"
    page.screenshot(path=str(screenshot))
    _keep(screenshot)
    assert visit.blocked == []
    assert visit.script_errors == []
    # dbt's page names its menu icons `<use xlink:href="{{ getIcon(...) }}">`, which Chromium
    # tries as a file next to the page before Angular fills it in: file-origin notices, no fetch.
    assert [error for error in visit.errors if not _dbt_icon_notice(error)] == []
    page.close()


def _dbt_icon_notice(error: str) -> bool:
    return ("'file:' URLs are treated as unique security origins" in error
            or error == "Failed to load resource: net::ERR_FILE_NOT_FOUND")
