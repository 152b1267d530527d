"""Cross-column and cross-row rules; keys, ranges and allowed values are dbt tests (the yml)."""

import great_expectations as gx
import pandas as pd

from expectations.rules import group_total
from expectations.severity import error

GROUP = ["year", "country_iso3", "element", "stage", "origin_basis"]


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    # Every tonne of a supply is placed on an origin (XXX where tracing cannot): its shares add up.
    frame["group_share_pct"], _ = group_total(frame, value="share_pct", by=GROUP)
    return frame


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        # A part of the supply can never exceed the whole.
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="supply_t_reo", column_B="quantity_t_reo", or_equal=True, meta=error()
        ),
        # Shares are rounded to 6 dp per row: a group of 100 origins stays within 1e-4 of 100 %.
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="group_share_pct", min_value=100 - 1e-4, max_value=100 + 1e-4, meta=error()
        ),
    ]
    return gx.ExpectationSuite(name="mart_supply_origins", expectations=expectations)
