"""Producers' realized and average selling prices as staged (per kg, in the printed currency).

The parser checks each row against the company register and converts USD per t to per kg; across
rows, prepare() flags a company's price for one product moving more than YEAR_ON_YEAR_FACTOR
between consecutive periods (WARN: a per-t figure typed as per kg multiplies by 1,000).
"""

import great_expectations as gx
import pandas as pd

from expectations.rules import year_on_year_factor
from expectations.severity import error, warn

ID_COLUMNS = ("company_id", "product_basis", "period_label", "file_id", "row_number")
# MP's realized concentrate price went 3.3 -> 7.7 -> 12.0 USD/kg over 2020-2022 (a 2.3x step);
# beyond 5x a human should look.
YEAR_ON_YEAR_FACTOR = 5
# No rare-earth product a producer sells in bulk fetches 1,000 (USD or A$) per kg: above it the
# unit was misread (USD per t taken as per kg).
MAX_PER_KG = 1_000


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    frame["period_year"] = pd.to_datetime(frame["period_end"]).dt.year
    frame["yoy_factor"] = year_on_year_factor(
        frame, value="price_per_kg", year="period_year",
        by=["company_id", "facility_id", "product_basis", "metric", "currency"], floor=0,
    )
    return frame


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="price_per_kg", min_value=0, max_value=MAX_PER_KG, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="yoy_factor", max_value=YEAR_ON_YEAR_FACTOR, meta=warn()
        ),
    ]
    return gx.ExpectationSuite(name="staged_company_prices", expectations=expectations)
