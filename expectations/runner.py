"""Validate a DataFrame against a suite and return plain results the caller can store."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import great_expectations as gx
import numpy as np
import pandas as pd

from expectations.outcome import ExpectationOutcome
from expectations.severity import ERROR

__all__ = ["ExpectationOutcome", "validate"]

SAMPLE_SIZE = 5


@lru_cache(maxsize=1)
def _context():
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # Progress bars would interleave with the pipeline's own progress output.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _describe(config) -> str:
    kwargs = config.kwargs
    parts = [str(kwargs[key]) for key in ("column", "column_A", "column_B") if key in kwargs]
    # Bounds tell apart two expectations on one column (a WARN floor and an ERROR ceiling).
    parts += [
        f"{label}={kwargs[key]:g}" if isinstance(kwargs[key], int | float) else f"{label}={kwargs[key]}"
        for key, label in (("min_value", "min"), ("max_value", "max"))
        if kwargs.get(key) is not None
    ]
    return f"{config.type}({', '.join(parts)})"


def _plain(value):
    """numpy scalars -> Python values, so a sample reads `10.75`, not `np.float64(10.75)`."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_plain(item) for item in value)
    if isinstance(value, float | np.floating):
        return float(f"{value:.6g}")  # 7.083333333333333 -> 7.08333
    return value.item() if isinstance(value, np.generic) else value


def _sample(details: dict, with_ids: bool) -> str:
    rows = details.get("partial_unexpected_index_list") if with_ids else None
    values = rows if rows else details.get("partial_unexpected_list")
    if values is None and "observed_value" in details:  # table-level: row count, column sum
        return f"observed {_plain(details['observed_value'])!r}"
    return repr(_plain(list((values or [])[:SAMPLE_SIZE])))


def validate(
    frame: pd.DataFrame, suite: gx.ExpectationSuite, id_columns: Sequence[str] = ()
) -> list[ExpectationOutcome]:
    """Run `suite` over `frame`. `id_columns` (e.g. file_id, row_number) go into each sample."""
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
    # A unique index: GX reports offending rows by it.
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame.reset_index(drop=True)})
    id_columns = [column for column in id_columns if column in frame.columns]
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
    if id_columns:
        result_format["unexpected_index_column_names"] = id_columns
    result = batch.validate(suite, result_format=result_format)
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
                sample=_sample(details, bool(id_columns)),
            )
        )
    return outcomes
