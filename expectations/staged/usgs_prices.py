"""USGS MCS rare-earth prices as staged: every edition, year and product, USD per kg.

The parser refuses a non-number, a price at or below zero, an unknown unit and a year the edition
cannot print; across rows, prepare() computes:
- a product's price changing more than YEAR_ON_YEAR_FACTOR within an edition (WARN: a fused
  footnote digit or a USD per t typed as per kg multiplies by 10 or 1,000);
- an edition whose last year is not marked e (WARN: USGS marks its last year an estimate).
"""

import great_expectations as gx
import pandas as pd

from expectations.rules import year_on_year_factor
from expectations.severity import error, warn

ID_COLUMNS = ("edition", "year", "product", "file_id", "row_number")
# Real swings stay within about 3x (Tb oxide 2020 -> 2021: 670 -> 1,346; Nd oxide 2021 -> 2022:
# 49 -> 130 in MCS2023); a factor of 5 is a typo more often than a market.
YEAR_ON_YEAR_FACTOR = 5
# The dearest rare-earth oxide USGS prices (Tb) peaked near 2,100 USD/kg (2022); ten times that
# is a fused digit or a unit slip, never a price.
MAX_USD_PER_KG = 20_000


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    frame["yoy_factor"] = year_on_year_factor(
        frame, value="value", year="year", by=["edition", "product"], floor=0
    )
    last_year = frame.groupby("edition")["year"].transform("max")
    # 1 where an edition's last year is printed without its e mark; NaN elsewhere (GX skips).
    frame["last_year_unmarked"] = (~frame["is_estimate"].astype(bool)).astype(float).where(
        frame["year"] == last_year
    )
    return frame


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="value", min_value=0, max_value=MAX_USD_PER_KG, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="yoy_factor", max_value=YEAR_ON_YEAR_FACTOR, meta=warn()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="last_year_unmarked", max_value=0, meta=warn()
        ),
    ]
    return gx.ExpectationSuite(name="staged_usgs_prices", expectations=expectations)
