"""Identifiers and paths that reach SQL: checked against allowlists, or refused.

DuckDB executes stacked statements, so a name or a path pasted into SQL text is an injection
risk. Values are always bound as parameters (`?`). Identifiers cannot be bound, so they pass
`quote_identifier`: a strict pattern, membership in the names the catalog or the database
declares, then double quotes. Paths are bound where DuckDB takes a parameter (ATTACH,
read_parquet); the ones that must be pasted as text (a COPY target) pass `check_sql_path` first.
dbt's SQL holds no path of this machine: it names its files relative to the data folder.

Pure checks: this module imports nothing from reeflow, so settings and the catalog can use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

# Plain names only: what dbt, the catalog and DuckDB's own schemas use.
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
# Quotes end a SQL string literal; control characters have no place in a path.
_UNSAFE_IN_PATH = re.compile(r"['\"\\\x00-\x1f\x7f;]")


class UnsafeSqlName(ValueError):
    """A name or path that will not be put into SQL text."""


def quote_identifier(name: str, allowed: Iterable[str] | None = None) -> str:
    """`name` double-quoted, if it is a plain identifier (and in `allowed`, when given)."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise UnsafeSqlName(f"refusing SQL identifier {name!r}: not a plain name")
    if allowed is not None and name not in set(allowed):
        raise UnsafeSqlName(f"refusing SQL identifier {name!r}: not one of the known names")
    return f'"{name}"'


def qualified_name(schema: str, table: str, allowed: Iterable[tuple[str, str]]) -> str:
    """`"schema"."table"` if the pair is in `allowed` (e.g. read from duckdb_tables())."""
    if (schema, table) not in set(allowed):
        raise UnsafeSqlName(f"refusing table {schema!r}.{table!r}: not one of the known tables")
    return f"{quote_identifier(schema)}.{quote_identifier(table)}"


def check_sql_path(path: str | Path) -> str:
    """The path as text, if nothing in it can end a SQL string literal."""
    text = str(path)
    if _UNSAFE_IN_PATH.search(text):
        raise UnsafeSqlName(
            f"refusing path {text!r}: quotes, backslashes, semicolons and control characters "
            "cannot be used in reeflow's data paths"
        )
    return text
