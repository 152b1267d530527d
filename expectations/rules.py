"""Derived columns for rules that span rows, so GX can check them as plain column values.

GX column expectations see one row at a time. A year-on-year jump, a total against the sum of
its parts or a part against its whole needs the other rows, so a suite module's `prepare()`
computes them here into extra columns (NaN where the rule does not apply, which GX skips) and
the suite bounds those columns with the usual `ExpectColumnValuesToBeBetween`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def year_on_year_factor(
    frame: pd.DataFrame,
    *,
    value: str,
    year: str,
    by: Sequence[str],
    floor: float,
    where: pd.Series | None = None,
) -> pd.Series:
    """Factor between a series' value and the previous year's (>= 1, up or down).

    NaN unless both years are consecutive and positive and the larger is at least `floor`:
    from or to zero is a mine opening or closing, and tiny figures swing for small reasons.
    `where` restricts the rule to some rows (e.g. countries, not the world total).
    """
    rows = frame if where is None else frame[where]
    factor = pd.Series(np.nan, index=frame.index, dtype="float64")
    if rows.empty:
        return factor
    ordered = rows.sort_values([*by, year])
    grouped = ordered.groupby(list(by), dropna=False, sort=False)
    previous = grouped[value].shift()
    previous_year = grouped[year].shift()
    current = ordered[value]
    high = np.fmax(current, previous)
    low = np.fmin(current, previous)
    comparable = (ordered[year] - previous_year == 1) & (low > 0) & (high >= floor)
    factor.loc[ordered.index[comparable]] = (high / low)[comparable]
    return factor


def parts_over_total_pct(
    frame: pd.DataFrame, *, value: str, is_total: pd.Series, by: Sequence[str]
) -> pd.Series:
    """On each total row: 100 x (sum of the other rows of its group) / total. NaN elsewhere."""
    result = pd.Series(np.nan, index=frame.index, dtype="float64")
    if frame.empty:
        return result
    keys = [frame[column] for column in by]
    parts = frame[value].where(~is_total).groupby(keys, dropna=False).transform("sum")
    totals = frame[value].where(is_total)
    usable = is_total & (totals > 0)
    result[usable] = 100.0 * parts[usable] / totals[usable]
    return result


def group_total(
    frame: pd.DataFrame, *, value: str, by: Sequence[str]
) -> tuple[pd.Series, pd.Series]:
    """Sum and count of `value` over each row's group (a null key is a key like any other)."""
    if frame.empty:
        empty = pd.Series(np.nan, index=frame.index, dtype="float64")
        return empty, empty
    grouped = frame.groupby([frame[column] for column in by], dropna=False)[value]
    return grouped.transform("sum"), grouped.transform("count")
