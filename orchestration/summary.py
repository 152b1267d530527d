"""What `reeflow run` and `reeflow status` print: tables, checks, freshness, headline figures,
and (`reeflow status`) the last run's step times (orchestration/run_steps.py).

Text that comes from the user or the data (paths, check samples, error messages quoting file
names) is printed escaped (orchestration/printable.py).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest import settings
from ingest.freshness import SourceFreshness, catalog_freshness, freshness_by_source
from ingest.sources.published_figures import PCT_BASIS_NOT_STATED
from ingest.sqlsafe import quote_identifier
from orchestration import run_steps
from orchestration.printable import escaped

HEADLINES = """
select stage, year, china_share_pct, top_producer_iso3, hhi, source_kind, share_basis,
       is_hhi_lower_bound, is_china_share_lower_bound, is_estimate
from mart_stage_concentration
where element = 'REO'
  and (stage <> 'mining' or source_kind = 'usgs_mcs')
-- China's row where the year has one (its is_estimate), else any: the group's figures are on each
qualify row_number() over (partition by stage order by year desc, country_iso3 = 'CHN' desc) = 1
order by case stage when 'mining' then 1 when 'separation' then 2 when 'refining' then 3 else 4 end
"""
# What each kind of source's share is (mart_stage_concentration: tonnages, or shares as printed).
_SHARE_BASIS = {"usgs_mcs": "USGS tonnages, t REO", "published_aggregate": "a share as published"}


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    names = con.execute(
        "select schema_name, table_name from duckdb_tables() where not internal order by 1, 2"
    ).fetchall()
    # Names read from the catalog itself: only their shape is checked (plain names).
    return [
        (schema, table, con.execute(
            f"select count(*) from {quote_identifier(schema)}.{quote_identifier(table)}"
        ).fetchone()[0])
        for schema, table in names
    ]


def _print_tables_and_headlines(con: duckdb.DuckDBPyConnection) -> None:
    print("\nTables:")
    for schema, table, rows in _tables(con):
        print(f"  {schema + '.' + table:<45} {rows:>8,} rows")
    print("\nChina's share of each stage worldwide, latest year per stage (mart_stage_concentration):")
    for stage, year, china, top, hhi, kind, basis, hhi_bound, china_bound, estimate in con.execute(
            HEADLINES).fetchall():
        china_text = f"{china:5.1f} %" if china is not None else "  n/a "
        hhi_text = f"{'>=' if hhi_bound else '  '} {hhi:,.0f}"
        notes = [_SHARE_BASIS.get(kind, kind)]
        # a printed share of unstated basis (the magnet market shares) is no share of output
        if basis == PCT_BASIS_NOT_STATED:
            notes = ["a market share as printed, basis not stated: not a share of output"]
        if estimate:
            notes.append("estimate")
        if china_bound:
            notes.append("China's share a lower bound")
        if hhi_bound:
            notes.append("HHI a lower bound: not every producer is itemized")
        print(f"  {stage:<11} {year}  China {china_text}  top {top}  HHI {hhi_text:>8}  "
              f"({'; '.join(notes)})")


def _first_line(text: str, limit: int = 300) -> str:
    line = escaped(next((part for part in text.strip().splitlines() if part.strip()), ""))
    return line if len(line) <= limit else line[: limit - 3] + "..."


def print_run_summary(result) -> None:
    evaluations = result.get_asset_check_evaluations()
    failed = [e for e in evaluations if not e.passed]
    errors = [e for e in failed if e.severity.value == "ERROR"]
    warnings = [e for e in failed if e.severity.value != "ERROR"]
    print(f"\nRun {result.run_id}: {'succeeded' if result.success else 'FAILED'}")
    print(f"Checks: {len(evaluations) - len(failed)} passed, {len(errors)} failed, "
          f"{len(warnings)} warned")
    for label, group in (("FAILED", errors), ("WARN  ", warnings)):
        for evaluation in group:
            detail = evaluation.metadata.get("failed")
            detail_text = f": {_first_line(str(detail.value))}" if detail is not None else ""
            print(f"  {label} {evaluation.asset_key.to_user_string()} "
                  f"{evaluation.check_name}{detail_text}")
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error if event.step_failure_data else None
        reason = _first_line(error.message) if error is not None else "see the Dagster log"
        print(f"  step failed: {event.step_key}: {reason}")
    published_now = any(
        event.asset_key is not None and event.asset_key.path == [run_steps.PUBLISH_STEP]
        for event in result.get_asset_materialization_events()
    )
    published = settings.warehouse_path()
    if not published_now:
        why = "an ERROR check or a step failed" if not result.success else "publish not selected"
        keeps = "the previous snapshot stays" if published.exists() else "nothing is published yet"
        print(f"Nothing published by this run ({why}); {keeps}.")
    if not published.exists():
        return
    with duckdb.connect(str(published), read_only=True) as con:
        when = con.execute("select max(published_at) from quality.publications").fetchone()[0]
        print(f"Published warehouse: {escaped(published)} (snapshot of {when:%Y-%m-%d %H:%M} UTC)")
        _print_tables_and_headlines(con)


def source_freshness(con: duckdb.DuckDBPyConnection | None = None) -> list[SourceFreshness]:
    """Each source's freshness from the landing manifest, or from the published
    `quality.landed_files` when this machine has the warehouse but not the data folder."""
    reports = catalog_freshness()
    if con is not None and not any(report.files for report in reports.values()):
        reports = freshness_by_source(
            con.execute("select source_kind, vintage, fetched_at from quality.landed_files").fetchall()
        )
    return list(reports.values())


def _print_freshness(reports: list[SourceFreshness]) -> None:
    print("\nSource freshness (newest data: its vintage, else when it landed):")
    width = max((len(report.source) for report in reports), default=0)
    for report in reports:
        if report.newest is None:
            print(f"  {report.source:<{width}}       no data landed")
            continue
        limit = f"max {report.max_age_days}" if report.max_age_days is not None else "no limit"
        flag = "  STALE" if report.stale else ""
        print(f"  {report.source:<{width}} {report.files:>4} files, newest {report.newest:%Y-%m-%d} "
              f"({report.basis}), {report.age_days} days old ({limit}){flag}")


def _print_last_run_steps() -> None:
    steps = run_steps.last_run()
    if steps is not None:
        print("\n" + "\n".join(run_steps.format_table(steps)))


def print_status(published: Path) -> int:
    if not published.exists():
        print(f"No published warehouse at {escaped(published)}: run `reeflow run` (or `make run`).")
        _print_last_run_steps()
        return 1
    with duckdb.connect(str(published), read_only=True) as con:
        run_id, when = con.execute(
            "select run_id, published_at from quality.publications"
        ).fetchone()
        print(f"Warehouse: {escaped(published)}\nLast published: {when:%Y-%m-%d %H:%M:%S} UTC (run {run_id})")
        _print_tables_and_headlines(con)
        _print_freshness(source_freshness(con))
        editions = con.execute(
            "select min(edition), max(edition) from fct_mine_production"
        ).fetchone()
        print(f"  USGS MCS editions {editions[0]}..{editions[1]}")
        quarantined = con.execute("select count(*) from quality.quarantined_rows").fetchone()[0]
        print(f"\nQuarantined rows: {quarantined} (quality.quarantined_rows)")
        failed = con.execute(
            "select count(*) filter (where not passed and severity = 'ERROR'), "
            "count(*) filter (where not passed and severity <> 'ERROR') "
            "from quality.check_results where run_id = ?", [run_id]
        ).fetchone()
        print(f"Checks of the published run: {failed[0]} ERROR, {failed[1]} WARN failed "
              "(quality.check_results)")
    _print_last_run_steps()
    return 0
