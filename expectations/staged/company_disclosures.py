"""Company disclosures as staged: producers' reported production, sales, capacity, offtake.

Cross-row rules (prepare): a facility's NdPr oxide cannot exceed the rare-earth oxide it produced
or sold in the same period and report (NdPr is part of the REO: Lynas FY2024 5,655 t of
10,908 t), and the offtake shares of one product cannot add up to more than 100 %.
"""

import great_expectations as gx
import pandas as pd

from expectations.reference import stages
from expectations.rules import group_total
from expectations.severity import error
from ingest.reference.seeds import element_list_regex
from ingest.sources import disclosures

ID_COLUMNS = ("company_id", "facility_id", "period_label", "file_id", "row_number")
# The same figure: who, when, which measure, which report (and a rate is not a total).
FIGURE = ["company_id", "facility_id", "period_start", "period_end", "metric", "vintage",
          "quantity_is_annual_rate"]
REO_TOTALS = ("total_reo", "concentrate_reo")
ROUNDING_PER_SHARE_PCT = 0.5


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    reo_totals = (
        frame[frame["product_basis"].isin(REO_TOTALS)]
        .groupby(FIGURE, dropna=False, as_index=False)["quantity_t"]
        .max()
        .rename(columns={"quantity_t": "reo_total_t"})
    )
    # A left merge keeps the frame's rows and order.
    reo_total = frame[FIGURE].merge(reo_totals, on=FIGURE, how="left")["reo_total_t"]
    reo_total = pd.Series(reo_total.to_numpy(dtype="float64"), index=frame.index)
    is_ndpr = frame["product_basis"] == "ndpr_oxide"
    frame["ndpr_pct_of_reo"] = (100.0 * frame["quantity_t"] / reo_total).where(
        is_ndpr & (reo_total > 0)
    )
    offtake = frame[frame["share_pct"].notna()]
    total, count = group_total(
        offtake, value="share_pct", by=[*FIGURE, "product_basis", "elements"]
    )
    frame["offtake_excess_pct"] = total - (100 + ROUNDING_PER_SHARE_PCT * count)
    return frame


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        gx.expectations.ExpectColumnValuesToBeInSet(column="stage", value_set=stages(), meta=error()),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="metric", value_set=list(disclosures.METRICS), meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="method", value_set=list(disclosures.METHODS), meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="confidence", value_set=list(disclosures.CONFIDENCE), meta=error()
        ),
        gx.expectations.ExpectColumnValuesToMatchRegex(
            column="elements", regex=element_list_regex(), meta=error()
        ),
        gx.expectations.ExpectColumnValuesToMatchRegex(
            column="country_iso3", regex=r"^[A-Z]{3}$", meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="quantity_t", min_value=0, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="share_pct", min_value=0, max_value=100, meta=error()
        ),
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="period_end", column_B="period_start", or_equal=True, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="ndpr_pct_of_reo", min_value=0, max_value=100, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="offtake_excess_pct", max_value=0, meta=error()
        ),
    ]
    return gx.ExpectationSuite(name="staged_company_disclosures", expectations=expectations)
