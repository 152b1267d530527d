"""Validate a DataFrame against a suite and return plain results the caller can store."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import great_expectations as gx
import pandas as pd

from expectations.severity import ERROR


@dataclass(frozen=True)
class ExpectationOutcome:
    suite: str
    expectation: str  # type plus its column(s), e.g. expect_column_values_to_be_between(share_pct)
    severity: str
    passed: bool
    unexpected_count: int
    sample: str  # a few offending values, for the analyst


@lru_cache(maxsize=1)
def _context():
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # Progress bars would interleave with the pipeline's own progress output.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _describe(config) -> str:
    kwargs = config.kwargs
    columns = [kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs]
    return f"{config.type}({', '.join(columns)})"


def validate(frame: pd.DataFrame, suite: gx.ExpectationSuite) -> list[ExpectationOutcome]:
    context = _context()
    name = f"{suite.name}_frame"
    try:
        source = context.data_sources.get(name)
    except KeyError:
        source = context.data_sources.add_pandas(name)
    asset = source.assets[0] if source.assets else source.add_dataframe_asset(name=suite.name)
    batch_definition = (
        asset.batch_definitions[0]
        if asset.batch_definitions
        else asset.add_batch_definition_whole_dataframe("whole")
    )
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite)
    outcomes = []
    for item in result.results:
        config = item.expectation_config
        details = item.result or {}
        outcomes.append(
            ExpectationOutcome(
                suite=suite.name,
                expectation=_describe(config),
                severity=(config.meta or {}).get("severity", ERROR),
                passed=bool(item.success),
                unexpected_count=int(details.get("unexpected_count") or 0),
                sample=repr(details.get("partial_unexpected_list", [])[:5]),
            )
        )
    return outcomes
