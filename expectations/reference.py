"""Allowed values and tolerances the suites share, read from the dbt project.

The seeds (dbt_project/seeds/) are the reference model and `dbt_project.yml` holds the
tolerances dbt's own tests use, so a GX suite and a dbt test can never disagree on what a stage,
an element or an acceptable rounding difference is.
"""

from __future__ import annotations

from functools import lru_cache

import yaml

from ingest import settings
from ingest.reference import seeds
from ingest.sources.published_figures import CONFIDENCE

# The confidence levels every cited figure carries (the registers' own list).
CONFIDENCE_LEVELS = sorted(CONFIDENCE)


def stages() -> list[str]:
    return list(seeds.stages())


def element_symbols() -> list[str]:
    return list(seeds.element_symbols())


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
