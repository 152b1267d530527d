"""A dbt build is reused only while nothing it reads changed and its database is untouched."""

from __future__ import annotations

import os
import time

import pytest

from expectations.outcome import ExpectationOutcome
from ingest import settings
from orchestration import dbt_build_state, dbt_manifest

ARGS = ["build", "--exclude-resource-type", "unit_test"]
TESTS = {"fct_mine_production": [ExpectationOutcome("dbt", "not_null_fct_mine_production_year", "ERROR",
                                                    True, 0, "pass")]}


@pytest.fixture
def built(reeflow_env, monkeypatch):
    """Staged files, a working database, and a build recorded from them."""
    monkeypatch.setattr(dbt_manifest, "fingerprint", lambda: "project-v1")
    staged = settings.staged_dir() / "usgs_mine_production"
    staged.mkdir(parents=True)
    (staged / "a.v1.parquet").write_bytes(b"PAR1 rows of edition 2025")
    work = settings.work_database_path()
    work.parent.mkdir(parents=True)
    work.write_bytes(b"a duckdb file")
    fingerprint = dbt_build_state.inputs_fingerprint(ARGS)
    dbt_build_state.remember(fingerprint, "run-1", TESTS)
    return staged, work


def _standing():
    return dbt_build_state.standing_build(dbt_build_state.inputs_fingerprint(ARGS))


def test_an_unchanged_build_stands_with_its_run_and_test_outcomes(built):
    standing = _standing()
    assert standing is not None
    assert standing.run_id == "run-1" and standing.tests == TESTS


@pytest.mark.parametrize("change", ["staged content", "staged file added", "staged file removed"])
def test_a_changed_staged_file_means_building_again(built, change):
    staged, _ = built
    if change == "staged content":
        (staged / "a.v1.parquet").write_bytes(b"PAR1 rows of edition 2026")
    elif change == "staged file added":
        (staged.parent / "countries").mkdir()
        (staged.parent / "countries" / "countries.parquet").write_bytes(b"PAR1")
    else:
        (staged / "a.v1.parquet").unlink()
    assert _standing() is None


def test_a_changed_dbt_project_or_other_build_arguments_mean_building_again(built, monkeypatch):
    assert dbt_build_state.standing_build(dbt_build_state.inputs_fingerprint(["build"])) is None
    monkeypatch.setattr(dbt_manifest, "fingerprint", lambda: "project-v2")  # a model, seed or var edited
    assert _standing() is None


def test_a_working_database_written_since_means_building_again(built):
    _, work = built
    stat = work.stat()
    os.utime(work, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert _standing() is None


def test_a_working_database_with_a_wal_beside_it_is_never_reused(built):
    _, work = built
    work.with_name(work.name + ".wal").write_bytes(b"unfinished writes")
    assert _standing() is None


def test_forgetting_before_a_build_leaves_nothing_to_reuse(built):
    dbt_build_state.forget()
    assert _standing() is None
    dbt_build_state.forget()  # nothing recorded: still fine


def test_a_damaged_record_is_not_reused(built):
    dbt_build_state.record_path().write_text('{"fingerprint": ')
    assert _standing() is None


def test_a_rebuild_is_likely_without_a_standing_build(reeflow_env):
    assert dbt_build_state.rebuild_likely()


def test_a_rebuild_is_likely_once_an_input_is_written_after_the_build(built, tmp_path, monkeypatch):
    embedded, manifest = tmp_path / "embedded", tmp_path / "manifest.json"
    embedded.mkdir()
    (embedded / "usgs_mcs_2025.csv").write_text("an embedded default")
    manifest.write_text("{}")
    monkeypatch.setattr(settings, "EMBEDDED_DIR", embedded)
    monkeypatch.setattr(dbt_manifest, "MANIFEST", manifest)
    record = dbt_build_state.record_path()
    now = time.time()
    os.utime(record, (now + 60, now + 60))  # built after everything above
    assert not dbt_build_state.rebuild_likely()

    os.utime(record, (now - 60, now - 60))  # built before them
    assert dbt_build_state.rebuild_likely()
    for path in (embedded / "usgs_mcs_2025.csv", manifest):
        os.utime(path, (now - 120, now - 120))  # a file moved in keeps its mtime; its ctime is new
    assert dbt_build_state.rebuild_likely()


def test_a_file_dropped_in_the_inbox_after_the_build_makes_a_rebuild_likely(built, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "EMBEDDED_DIR", tmp_path / "no embedded files")
    manifest = tmp_path / "manifest.json"
    manifest.write_text("{}")
    monkeypatch.setattr(dbt_manifest, "MANIFEST", manifest)
    record = dbt_build_state.record_path()
    later = time.time() + 60
    os.utime(record, (later, later))
    assert not dbt_build_state.rebuild_likely()
    dropped = settings.data_dir() / "inbox" / "usgs_mcs" / "mcs2026.csv"
    dropped.parent.mkdir(parents=True)
    dropped.write_text("new edition")
    os.utime(dropped, (later + 1, later + 1))
    assert dbt_build_state.rebuild_likely()
