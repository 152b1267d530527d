"""Reading the columns a section needs, by name, and saying in words when they are not there.

Marts gain columns and tables over time (and a BI snapshot may be older than the code): a
section names the columns it needs and the ones it can use when present, so a missing table,
a missing column or an empty selection becomes a sentence on the page, not a crash.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from ingest.sqlsafe import qualified_name, quote_identifier
from orchestration.analysts.report.page import NothingToShow

CHAIN = ("mining", "separation", "refining", "magnets")  # used when reference.stages is absent
# Codes the marts use that are not countries.
SPECIAL_ORIGINS = {
    "XXX": "first origin not traceable",
    "WLD": "partners not reported",
    "OTH": "other countries (not itemized)",
}


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    schema, name = _split(table)
    return [column for (column,) in con.execute(
        "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
        "order by column_index", [schema, name]
    ).fetchall()]


def _split(table: str) -> tuple[str, str]:
    schema, _, name = table.rpartition(".")
    return (schema or "main", name)


def read_columns(
    con: duckdb.DuckDBPyConnection,
    table: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
    where: str = "",
    params: Sequence = (),
    selection: str = "",
) -> pd.DataFrame:
    """`required` and whichever `optional` columns exist (absent ones come back as None).

    `where` is SQL written in this package over `required` columns, its values bound as
    `params`; `selection` says in words what it selects, for the empty case.
    """
    present = table_columns(con, table)
    if not present:
        raise NothingToShow(f"This warehouse has no table {table}, so there is nothing to show here.")
    missing = [column for column in required if column not in present]
    if missing:
        raise NothingToShow(
            f"{table} has no column {', '.join(missing)}, which this section needs "
            "(the warehouse was built by another version of reeflow)."
        )
    chosen = list(required) + [column for column in optional if column in present]
    select = ", ".join(quote_identifier(column, present) for column in chosen)
    source = qualified_name(*_split(table), allowed=[_split(table)])
    frame = con.execute(
        f"select {select} from {source} {'where ' + where if where else ''}", list(params)
    ).df()
    if frame.empty:
        what = f" {selection}" if selection else ""
        raise NothingToShow(f"{table} has no rows{what}.")
    for column in optional:
        if column not in frame.columns:
            frame[column] = None
    return frame.astype(object).where(frame.notna(), None)


def stage_order(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The chain's stages in order, from the reference model when the warehouse has it."""
    if "chain_order" in table_columns(con, "reference.stages"):
        stages = [s for (s,) in con.execute(
            "select stage from reference.stages order by chain_order").fetchall()]
        if stages:
            return stages
    return list(CHAIN)


def country_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    names = dict(SPECIAL_ORIGINS)
    if {"country_iso3", "country_name"} <= set(table_columns(con, "dim_countries")):
        names.update(con.execute("select country_iso3, country_name from dim_countries").fetchall())
    return names


def name_of(names: dict[str, str], code) -> str:
    if code is None:
        return "not stated"
    return names.get(code, str(code))
