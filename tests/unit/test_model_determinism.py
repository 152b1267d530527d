"""The same inputs build the same marts: every aggregate that joins values into one text or list
states its order (DuckDB's otherwise follows its threads, so a published message or id list
could change from build to build, and the suites' reuse of outcomes would miss)."""

from __future__ import annotations

import re

from ingest import settings

ORDERED_AGGREGATES = re.compile(r"\b(string_agg|group_concat|listagg|array_agg|list)\s*\(", re.IGNORECASE)


def _call_text(sql: str, start: int) -> str:
    """The text of the call whose opening parenthesis is at `start`, up to its closing one."""
    depth = 0
    for index in range(start, len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[index], 0)
        if depth == 0:
            return sql[start:index + 1]
    return sql[start:]


def unordered_aggregates(sql: str) -> list[str]:
    sql = re.sub(r"--[^\n]*", "", sql)  # comments may say anything
    calls = (_call_text(sql, match.end() - 1) for match in ORDERED_AGGREGATES.finditer(sql))
    return [call for call in calls if not re.search(r"\border\s+by\b", call, re.IGNORECASE)]


def test_the_check_finds_an_aggregate_without_an_order():
    assert unordered_aggregates("select string_agg(distinct a, '; ') from t") == ["(distinct a, '; ')"]
    assert unordered_aggregates("select string_agg(a, ';' order by a), list(b order by c) from t") == []
    assert unordered_aggregates("select list(lower(x)) from t") == ["(lower(x))"]


def test_every_joining_aggregate_of_the_dbt_project_states_its_order():
    found = {}
    for path in [*settings.DBT_PROJECT_DIR.joinpath("models").rglob("*.sql"),
                 *settings.DBT_PROJECT_DIR.joinpath("macros").rglob("*.sql")]:
        if calls := unordered_aggregates(path.read_text()):
            found[path.relative_to(settings.DBT_PROJECT_DIR).as_posix()] = calls
    assert not found, found
