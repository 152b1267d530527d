"""Cross-row rules; keys, ranges and allowed values are dbt tests (the yml)."""

import great_expectations as gx
import numpy as np
import pandas as pd

from expectations.reference import dbt_var
from expectations.rules import group_total
from expectations.severity import error

# Shares of different bases (of world output; of a market, basis not stated) are different wholes.
GROUP = ["year", "stage", "element", "source_kind", "share_basis"]


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    # The countries' shares of one group are parts of one whole (company rows sit beside them).
    countries = frame["entity_kind"] == "country"
    total, _ = group_total(frame[countries], value="share_pct", by=GROUP)
    frame["country_shares_pct"] = total.reindex(frame.index, fill_value=np.nan)
    return frame


def build_suite() -> gx.ExpectationSuite:
    # USGS rounds the world total the countries are shares of; beyond that rounding a group that
    # adds up to more than 100 % mixes sources (two USGS editions in one year did: 104 %).
    tolerance = float(dbt_var("world_total_tolerance_pct"))
    expectations = [
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="country_shares_pct", max_value=100 + tolerance, meta=error()
        ),
    ]
    return gx.ExpectationSuite(name="mart_stage_concentration", expectations=expectations)
