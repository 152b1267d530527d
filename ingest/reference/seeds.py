"""The dbt seeds (dbt_project/seeds/) read from Python, so ingest rules, GX suites and dbt
agree on one reference model: which stages, elements, HS lines and country codes exist."""

from __future__ import annotations

import csv
from functools import cache

from ingest import settings

SEEDS_DIR = settings.DBT_PROJECT_DIR / "seeds"


@cache
def seed_rows(seed: str) -> tuple[dict[str, str], ...]:
    """Every row of a seed as text, in file order (read once per process)."""
    with open(SEEDS_DIR / f"{seed}.csv", newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def seed_column(seed: str, column: str) -> tuple[str, ...]:
    """Distinct values of one column of a seed, in file order."""
    return tuple(dict.fromkeys(row[column].strip() for row in seed_rows(seed)))


def stages() -> tuple[str, ...]:
    return seed_column("stages", "stage")


def element_symbols() -> tuple[str, ...]:
    return seed_column("elements", "symbol")


def element_aggregates() -> tuple[str, ...]:
    return seed_column("element_aggregates", "aggregate_code")


def element_list_regex() -> str:
    """One element symbol or several joined by ';' ("Nd;Pr", "Dy;Tb"), symbols from the seed."""
    symbol = "(?:" + "|".join(sorted(element_symbols(), key=len, reverse=True)) + ")"
    return f"^{symbol}(?:;{symbol})*$"


@cache  # asked once per published figure
def element_code_regex() -> str:
    """An element list (element_list_regex) or an aggregate of the seed (REO, NdPr)."""
    return f"{element_list_regex()}|^(?:{'|'.join(element_aggregates())})$"
