"""The analysts' commands on a warehouse built from the embedded data: the report's plots carry
the warehouse's figures, the README's saved questions still give the answers printed there, the
docs are generated offline with every description kept as a comment, and the console script
refuses writes."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import duckdb
import pytest

from ingest import settings
from orchestration.analysts.docs import check_offline, comments_missing
from orchestration.analysts.query import run_query
from tests.conftest import REPO_ROOT
from tests.integration.embedded_warehouse import built_docs, embedded_warehouse_env
from tests.reeflow_cli import run_reeflow
from tests.report_html import figures, no_data_sentences

pytestmark = pytest.mark.integration
README_SECTION = "## For analysts: report, query, docs"


@pytest.fixture(scope="session")
def env(tmp_path_factory) -> dict[str, str]:
    return embedded_warehouse_env(tmp_path_factory)


@pytest.fixture(scope="session")
def report_html(env, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("analysts-report") / "report.html"
    done = run_reeflow(env, "report", "--country", "JPN", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8")


def test_report_plots_carry_the_warehouse_figures(report_html):
    drawn = figures(report_html)
    assert set(drawn) == {"china-share", "supplier-mix", "sankey", "stockpile", "scenarios", "concentration"}
    usgs = next(t for t in drawn["china-share"] if t["name"] == "Mining (USGS MCS country tonnages)")
    share_2023 = usgs["y"][usgs["x"].index(2023)]
    assert share_2023 == pytest.approx(100 * 255_000 / 376_000)  # MCS2025: China of the world total
    assert "MCS2025" in usgs["hovertext"][usgs["x"].index(2023)]
    china = next(t for t in drawn["supplier-mix"] if t["name"] == "China" and "2024" in t["x"])
    assert china["y"][china["x"].index("2024")] == 70.0  # JOGMEC via the WSJ
    # METI's 2018 58 % is a share of 'minor metals', not of rare earths: not drawn as one.
    assert not any("2018" in t["x"] for t in drawn["supplier-mix"])
    (sankey,) = drawn["sankey"]
    assert len(sankey["link"]["value"]) > 5 and min(sankey["link"]["value"]) > 0
    assert "Mining: China" in sankey["node"]["label"]
    assert drawn["stockpile"][0]["x"][0] == 60.0  # Japan's 42 + 18 days
    lost = next(t for t in drawn["scenarios"] if t["name"] == "Supply lost")
    assert all(value > 0 for value in lost["y"])
    assert "Nomura Research Institute" in report_html


def test_report_says_what_the_embedded_data_lacks(report_html):
    sentences = no_data_sentences(report_html)
    assert sentences["china-share"] == "No figures for refining (REO) in this warehouse."
    # the only trade records shipped: UN Comtrade US imports, value only (issue 12)
    assert "fct_trade_flows has no rows." not in report_html and "comtrade_bulk" in report_html


def _readme_examples() -> list[tuple[str, str, str]]:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(README_SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"\*\*(\d+\. [^*]+)\*\*.*?```sql\n(.*?)```\s*```text\n(.*?)```", section, re.DOTALL)


def test_the_readme_has_five_saved_questions():
    assert len(_readme_examples()) == 5


@pytest.mark.parametrize("question", [q for q, _, _ in _readme_examples()])
def test_readme_answers_match_the_warehouse(env, question):
    sql, answer = next((s, a) for q, s, a in _readme_examples() if q == question)
    printed = io.StringIO()
    run_query(sql, warehouse=env["REEFLOW_WAREHOUSE"], stdout=printed)
    assert printed.getvalue() == answer, f"README answer to {question!r} is out of date"


def test_docs_are_generated_offline_with_descriptions_kept_as_comments(env, tmp_path_factory):
    out, done = built_docs(tmp_path_factory)
    assert done.returncode == 0, done.stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    check_offline(page)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    sankey = manifest["nodes"]["model.reeflow.mart_sankey_flows"]
    assert "Sankey" in sankey["description"] and sankey["columns"]["value_t_reo"]["description"]
    assert "mart_sankey_flows" in page and "depends_on" in page  # the lineage is in the page
    assert "lack their description as a comment" not in done.stderr
    with duckdb.connect(env["REEFLOW_WAREHOUSE"], read_only=True) as con:
        assert comments_missing(con, manifest) == []
        comment = con.execute("select comment from duckdb_tables() where table_name = 'mart_sankey_flows'"
                              ).fetchone()[0]
    assert comment.strip() == sankey["description"].strip()


def test_docs_leave_the_pipeline_files_alone(env, tmp_path):
    """Not the published file, not the working database, not the manifest Dagster loads."""
    warehouse = Path(env["REEFLOW_WAREHOUSE"])
    watched = [warehouse, Path(env["REEFLOW_DATA_DIR"]) / settings.DBT_WORK_DATABASE,
               REPO_ROOT / "dbt_project" / "target" / "manifest.json"]
    before = [path.stat().st_mtime_ns for path in watched]
    done = run_reeflow(env, "docs", "--out", str(tmp_path / "docs"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "docs" / "index.html").is_file()
    assert [path.stat().st_mtime_ns for path in watched] == before


def test_the_console_script_reads_and_refuses_writes(env):
    read = run_reeflow(env, "query", "select count(*) as marts from duckdb_tables() where table_name like 'mart_%'")
    assert read.returncode == 0 and "(1 row)" in read.stdout
    write = run_reeflow(env, "query", "delete from mart_sankey_flows")
    assert write.returncode == 2
    assert write.stderr.strip() == ("reeflow: error: refused: DELETE would change the warehouse, "
                                    "which is read-only")
    with duckdb.connect(env["REEFLOW_WAREHOUSE"], read_only=True) as con:
        assert con.execute("select count(*) from mart_sankey_flows").fetchone()[0] > 0
