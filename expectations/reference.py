"""Allowed values and tolerances the suites share, read from the dbt project.

The seeds (dbt_project/seeds/) are the reference model and `dbt_project.yml` holds the
tolerances dbt's own tests use, so a GX suite and a dbt test can never disagree on what a stage,
an element or an acceptable rounding difference is.
"""

from __future__ import annotations

import csv
from functools import lru_cache

import yaml

from ingest import settings

SEEDS_DIR = settings.DBT_PROJECT_DIR / "seeds"


@lru_cache(maxsize=32)
def seed_column(seed: str, column: str) -> tuple[str, ...]:
    """Distinct values of one column of a seed, in file order."""
    with open(SEEDS_DIR / f"{seed}.csv", newline="", encoding="utf-8") as handle:
        values = [row[column] for row in csv.DictReader(handle)]
    return tuple(dict.fromkeys(values))


def stages() -> list[str]:
    return list(seed_column("stages", "stage"))


def element_symbols() -> list[str]:
    return list(seed_column("elements", "symbol"))


def element_aggregates() -> list[str]:
    return list(seed_column("element_aggregates", "aggregate_code"))


def hs6_codes() -> list[str]:
    return list(seed_column("hs_codes", "hs6"))


def element_list_regex() -> str:
    """One element symbol or several joined by ';' ("Nd;Pr", "Dy;Tb"), symbols from the seed."""
    symbol = "(?:" + "|".join(sorted(element_symbols(), key=len, reverse=True)) + ")"
    return f"^{symbol}(?:;{symbol})*$"


@lru_cache(maxsize=1)
def _dbt_vars() -> dict:
    project = yaml.safe_load((settings.DBT_PROJECT_DIR / "dbt_project.yml").read_text("utf-8"))
    return project.get("vars") or {}


def dbt_var(name: str):
    """A `vars:` value of dbt_project.yml (raises KeyError naming it when absent)."""
    variables = _dbt_vars()
    if name not in variables:
        raise KeyError(f"dbt_project.yml has no var {name!r}")
    return variables[name]
