"""One module per guarded model; each exposes build_suite() -> gx.ExpectationSuite."""

from __future__ import annotations

import importlib
import pkgutil

import great_expectations as gx


def all_suites() -> dict[str, gx.ExpectationSuite]:
    """Suites keyed by the model they guard (the module name)."""
    suites = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        suites[module_info.name] = module.build_suite()
    return suites
