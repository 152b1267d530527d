"""What `reeflow run` and `reeflow status` print: tables, checks, headline figures."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest import settings

HEADLINES = """
select stage, year, china_share_pct, top_producer_iso3, hhi, source_kind
from mart_stage_concentration
where element = 'REO'
  and (stage <> 'mining' or source_kind = 'usgs_mcs')
qualify row_number() over (partition by stage order by year desc) = 1
order by case stage when 'mining' then 1 when 'separation' then 2 when 'refining' then 3 else 4 end
"""


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    names = con.execute(
        "select schema_name, table_name from duckdb_tables() where not internal order by 1, 2"
    ).fetchall()
    return [
        (schema, table, con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0])
        for schema, table in names
    ]


def _print_tables_and_headlines(con: duckdb.DuckDBPyConnection) -> None:
    print("\nTables:")
    for schema, table, rows in _tables(con):
        print(f"  {schema + '.' + table:<45} {rows:>8,} rows")
    print("\nChina's share of world output, latest year per stage (t REO basis):")
    for stage, year, china, top, hhi, kind in con.execute(HEADLINES).fetchall():
        china_text = f"{china:5.1f} %" if china is not None else "  n/a "
        print(f"  {stage:<11} {year}  China {china_text}  top {top}  HHI {hhi:,.0f}  ({kind})")


def print_run_summary(result) -> None:
    evaluations = result.get_asset_check_evaluations()
    failed = [e for e in evaluations if not e.passed]
    steps_failed = [e.step_key for e in result.get_step_failure_events()]
    print(f"\nRun {result.run_id}: {'succeeded' if result.success else 'FAILED'}")
    print(f"Checks: {len(evaluations) - len(failed)} passed, {len(failed)} failed")
    for evaluation in failed:
        print(f"  FAILED {evaluation.asset_key.to_user_string()} {evaluation.check_name} "
              f"({evaluation.severity.value})")
    for step in steps_failed:
        print(f"  step failed: {step}")
    published = settings.warehouse_path()
    if not published.exists():
        print("Nothing published yet.")
        return
    with duckdb.connect(str(published), read_only=True) as con:
        when = con.execute("select max(published_at) from quality.publications").fetchone()[0]
        print(f"Published warehouse: {published} (snapshot of {when:%Y-%m-%d %H:%M} UTC)")
        _print_tables_and_headlines(con)


def print_status(published: Path) -> int:
    if not published.exists():
        print(f"No published warehouse at {published}: run `reeflow run` (or `make run`).")
        return 1
    with duckdb.connect(str(published), read_only=True) as con:
        run_id, when = con.execute(
            "select run_id, published_at from quality.publications"
        ).fetchone()
        print(f"Warehouse: {published}\nLast published: {when:%Y-%m-%d %H:%M:%S} UTC (run {run_id})")
        _print_tables_and_headlines(con)
        print("\nData vintage per source:")
        for kind, files, newest in con.execute(
            "select source_kind, count(*), max(fetched_at) from quality.landed_files group by 1 order by 1"
        ).fetchall():
            print(f"  {kind:<22} {files:>4} files, newest landed {newest:%Y-%m-%d}")
        editions = con.execute(
            "select min(edition), max(edition) from fct_mine_production"
        ).fetchone()
        print(f"  USGS MCS editions {editions[0]}..{editions[1]}")
        quarantined = con.execute("select count(*) from quality.quarantined_rows").fetchone()[0]
        print(f"\nQuarantined rows: {quarantined} (quality.quarantined_rows)")
    return 0
