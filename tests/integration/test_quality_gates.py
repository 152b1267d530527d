"""Failing checks block publishing: a great-expectations ERROR and a dbt test of severity error.

One scenario, four runs of `reeflow run` (in this process, so a suite can be monkeypatched):
1. a good run publishes snapshot P1;
2. a mart suite gains an ERROR expectation the data breaks: the run fails naming it, nothing is
   published (P1 stays byte for byte), `reeflow publish` refuses the unchecked working database;
3. the suite is restored: the next good run publishes P2, whose quality.check_results holds the
   failed run's results;
4. a release listing one country twice lands: dbt's key test fails, surfaces as a failed
   Dagster asset check, and nothing is published (P2 stays byte for byte).
"""

from __future__ import annotations

import shutil

import duckdb
import great_expectations as gx

from expectations.severity import error
from expectations.suites import fct_mine_production
from ingest import settings
from ingest.catalog import inbox_dir
from ingest.landing import read_manifest
from orchestration import cli, expectation_cache, publishing, validation_worker
from tests.inputs import sha256_of

USGS_2026 = settings.EMBEDDED_DIR / "usgs_mcs" / "mcs2026-raree_world.csv"



def _reeflow(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _published_run(published) -> str:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute("select run_id from quality.publications").fetchone()[0]


def _run_id(out: str) -> str:
    (line,) = [line for line in out.splitlines() if line.startswith("Run ")]
    return line.split()[1].rstrip(":")


def _replace_suite(monkeypatch, build_suite) -> None:
    """Swap fct_mine_production's suite in this process. Its file is unchanged, so the cached
    outcomes (keyed on the code's files) would be reused: clear them, as a code edit would. A
    validation worker would not see the swap (its own process): validate here."""
    monkeypatch.setattr(fct_mine_production, "build_suite", build_suite)
    shutil.rmtree(expectation_cache.cache_dir(), ignore_errors=True)
    monkeypatch.setattr(validation_worker, "validation_likely", lambda: False)


def test_failing_checks_block_publishing_until_a_good_run(reeflow_env, monkeypatch, capsys):
    published = settings.warehouse_path()

    # 1. A good run.
    code, out, _ = _reeflow(capsys, "run")
    assert code == 0, out[-3000:]
    p1, snapshots_before = sha256_of(published), publishing.list_snapshots()

    # 2. An ERROR expectation the data breaks: no country has ever mined 100,000 t ... but China.
    original = fct_mine_production.build_suite

    def stricter_suite() -> gx.ExpectationSuite:
        suite = original()
        suite.add_expectation(gx.expectations.ExpectColumnValuesToBeBetween(
            column="production_t_reo", max_value=100_000, meta=error()))
        return suite

    _replace_suite(monkeypatch, stricter_suite)
    code, out, _ = _reeflow(capsys, "run")
    failed_run = _run_id(out)
    assert code == cli.EXIT_FAILED
    assert f"Run {failed_run}: FAILED" in out
    (failure,) = [line for line in out.splitlines() if line.strip().startswith("FAILED")]
    assert "fct_mine_production gx_fct_mine_production" in failure
    assert "expect_column_values_to_be_between(production_t_reo, max=100000)" in failure
    assert "'edition': 'MCS20" in failure  # the sample says which rows
    assert "Nothing published by this run" in out and "the previous snapshot stays" in out
    assert sha256_of(published) == p1 and publishing.list_snapshots() == snapshots_before
    assert list(published.parent.glob(".*.building")) == []
    code, _, err = _reeflow(capsys, "publish")
    assert code == cli.EXIT_USAGE and f"not publishing: the last run ({failed_run})" in err
    assert sha256_of(published) == p1

    # 3. The suite fixed: the next good run publishes, with the failed run's results kept.
    _replace_suite(monkeypatch, original)
    code, out, _ = _reeflow(capsys, "run")
    assert code == 0, out[-3000:]
    good_run = _run_id(out)
    assert _published_run(published) == good_run and sha256_of(published) != p1
    with duckdb.connect(str(published), read_only=True) as con:
        kept = con.execute(
            "select asset, severity, passed, unexpected_count from quality.check_results "
            "where run_id = ? and expectation = ?",
            [failed_run, "expect_column_values_to_be_between(production_t_reo, max=100000)"],
        ).fetchall()
        runs = {run for (run,) in con.execute("select distinct run_id from quality.check_results").fetchall()}
        failures = con.execute("select run_id, job_name, error_class from quality.failed_runs").fetchall()
    (row,) = kept
    assert row[:3] == ("fct_mine_production", "ERROR", False) and row[3] > 0
    assert {failed_run, good_run} <= runs
    assert [failure[:2] for failure in failures] == [(failed_run, "reeflow_main")]  # the run's own record
    p2 = sha256_of(published)

    # 4. Next year's USGS release lists Vietnam twice ("Vietnam", "Viet Nam"). Every staged
    # rule holds (300 t more stays within the world-total tolerance), but the key of
    # fct_mine_production does not: dbt's unique_combination test (severity error) fails.
    release = USGS_2026.read_text("utf-8-sig").replace("MCS2026", "MCS2027")
    release = release.replace("Prod_t_est_2025", "Prod_t_est_2026").replace("Prod_t_est_2024", "Prod_t_est_2025")
    (vietnam,) = [line for line in release.splitlines() if line.startswith("MCS2027,Vietnam,")]
    inbox = inbox_dir("usgs_mcs")
    inbox.mkdir(parents=True)
    (inbox / "mcs2027-raree_world.csv").write_text(
        release + vietnam.replace(",Vietnam,", ",Viet Nam,") + "\n", encoding="utf-8")
    code, out, _ = _reeflow(capsys, "run")
    assert code == cli.EXIT_FAILED
    failures = [line.split()[1:3] for line in out.splitlines() if line.strip().startswith("FAILED")]
    assert ["fct_mine_production", "unique_combination_fct_mine_production_edition__country_iso3__year"] in failures
    assert all(check.startswith("unique_combination_") for _, check in failures)  # dbt tests only
    assert "step failed: reeflow_dbt_models" in out
    assert "Nothing published by this run" in out
    assert sha256_of(published) == p2
    dbt_failed_run = _run_id(out)

    # 5. The analyst withdraws the bad release (left in the inbox on purpose: re-landing the
    # same bytes must not bring it back); the next run publishes without it.
    (bad,) = [e for e in read_manifest(source="usgs_mcs") if e.original_name == "mcs2027-raree_world.csv"]
    code, _, err = _reeflow(capsys, "ingest", "retract", bad.file_id, "--reason", "Vietnam listed twice")
    assert code == 0 and "retracted mcs2027-raree_world.csv" in err
    code, out, _ = _reeflow(capsys, "run")
    assert code == 0, out
    assert sha256_of(published) != p2
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from fct_mine_production where edition = 'MCS2027'").fetchone() == (0,)
        landed = con.execute("select count(*) from quality.landed_files where file_id = ?", [bad.file_id])
        assert landed.fetchone() == (0,)
        dbt_failure = con.execute("select failed_step, error_class from quality.failed_runs where run_id = ?",
                                  [dbt_failed_run]).fetchall()
    assert dbt_failure == [("reeflow_dbt_models", "DagsterDbtCliRuntimeError")]
