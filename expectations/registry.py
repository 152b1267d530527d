"""Which suite guards which dataset: one module per guarded dataset, found by its folder.

    expectations/suites/<model>.py    guards the dbt model <model> in the working database
    expectations/staged/<dataset>.py  guards the staged Parquet dataset data/staged/<dataset>/

Adding a suite is adding one such file; nothing else changes. The module exposes:

    build_suite() -> gx.ExpectationSuite   required; severity in each expectation's meta
    prepare(frame) -> frame                optional; adds derived columns for rules that span
                                           rows (year-on-year jumps, parts against totals)
    ID_COLUMNS = ("file_id", "row_number") optional; shown beside each offending value

orchestration/defs/quality/ turns every guard into a blocking Dagster asset check: marts on the
dbt model's asset, staged datasets on the `["ingest", <dataset>]` asset. No Dagster here.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType

import pandas as pd

from expectations.outcome import ExpectationOutcome

MART = "mart"
STAGED = "staged"
_PACKAGES = {MART: "expectations.suites", STAGED: "expectations.staged"}


@dataclass(frozen=True)
class Guard:
    layer: str  # MART or STAGED
    name: str  # the dbt model or the staged dataset (= the module's name)

    @property
    def module(self) -> ModuleType:
        # Looked up on every use, so the suite is built when a check runs, not when the
        # Dagster definitions are loaded.
        return importlib.import_module(f"{_PACKAGES[self.layer]}.{self.name}")

    @property
    def id_columns(self) -> tuple[str, ...]:
        return tuple(getattr(self.module, "ID_COLUMNS", ()))

    def build_suite(self):
        return self.module.build_suite()

    def prepare(self, frame: pd.DataFrame) -> pd.DataFrame:
        prepare = getattr(self.module, "prepare", None)
        return prepare(frame.copy()) if prepare else frame

    def validate(self, frame: pd.DataFrame) -> list[ExpectationOutcome]:
        # Imported here: great-expectations takes seconds to import, paid only when validating.
        from expectations.runner import validate

        return validate(self.prepare(frame), self.build_suite(), self.id_columns)


def guards(layer: str) -> dict[str, Guard]:
    package = importlib.import_module(_PACKAGES[layer])
    names = sorted(info.name for info in pkgutil.iter_modules(package.__path__) if not info.ispkg)
    return {name: Guard(layer, name) for name in names}


def mart_guards() -> dict[str, Guard]:
    return guards(MART)


def staged_guards() -> dict[str, Guard]:
    return guards(STAGED)
