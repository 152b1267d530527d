"""The manifest is parsed only when the dbt project or the dbt version changed."""

from __future__ import annotations

import shutil
import stat

import pytest

from ingest import settings
from orchestration import dbt_manifest


@pytest.fixture
def project(reeflow_env, tmp_path, monkeypatch):
    """A copy of the dbt project, and a stand-in for `reeflow-dbt parse` that logs each call."""
    copy = tmp_path / "dbt_project"
    shutil.copytree(settings.DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs"))
    calls = tmp_path / "calls.log"
    fake = tmp_path / "reeflow-dbt"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n[ -z "$FAIL_PARSE" ] || exit 1\n'
                    f"echo '{{}}' > {copy}/target/manifest.json\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(dbt_manifest, "launcher_path", lambda: str(fake))
    monkeypatch.setattr(dbt_manifest, "PROJECT_DIR", copy)
    monkeypatch.setattr(dbt_manifest, "TARGET_DIR", copy / "target")
    monkeypatch.setattr(dbt_manifest, "MANIFEST", copy / "target" / "manifest.json")
    monkeypatch.setattr(dbt_manifest, "FINGERPRINT", copy / "target" / "manifest.fingerprint")
    return copy, lambda: calls.read_text().splitlines() if calls.exists() else []


def test_parses_once_then_only_after_a_change(project, monkeypatch, tmp_path):
    copy, calls = project
    assert dbt_manifest.ensure_manifest() is True
    assert calls() == [f"parse --quiet --project-dir {copy} --profiles-dir {copy}"]
    assert dbt_manifest.ensure_manifest() is False and len(calls()) == 1  # nothing changed

    model = next((copy / "models" / "marts").rglob("*.sql"))
    model.write_text(model.read_text() + "\n-- edited\n")
    assert not dbt_manifest.is_current()
    assert dbt_manifest.ensure_manifest() is True and len(calls()) == 2

    # dbt is handed no data path: another data folder or warehouse is not a reason to parse.
    monkeypatch.setenv("REEFLOW_DATA_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("REEFLOW_WAREHOUSE", str(tmp_path / "bi" / "rare.duckdb"))
    assert dbt_manifest.ensure_manifest() is False and len(calls()) == 2
    # What dbt writes is not an input.
    (copy / "target" / "run_results.json").write_text("{}")
    (copy / "logs").mkdir()
    (copy / "logs" / "dbt.log").write_text("x")
    assert dbt_manifest.ensure_manifest() is False and len(calls()) == 2


def test_a_failed_parse_leaves_no_current_manifest(project, monkeypatch):
    _, calls = project
    assert dbt_manifest.ensure_manifest() is True
    (next(dbt_manifest.PROJECT_DIR.joinpath("macros").rglob("*.sql"))).write_text("{% macro broken( %}")
    monkeypatch.setenv("FAIL_PARSE", "1")
    with pytest.raises(dbt_manifest.ManifestError, match="dbt parse failed"):
        dbt_manifest.ensure_manifest()
    assert not dbt_manifest.is_current()  # the old manifest is not taken for the new project
    monkeypatch.delenv("FAIL_PARSE")
    assert dbt_manifest.ensure_manifest() is True and len(calls()) == 3
