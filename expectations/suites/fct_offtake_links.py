import great_expectations as gx

from expectations.reference import CONFIDENCE_LEVELS
from expectations.severity import error


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        # A share of a producer's output going somewhere: 0-100 %.
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="share_pct", min_value=0, max_value=100, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="share_pct", meta=error()),
        gx.expectations.ExpectColumnValuesToMatchRegex(
            column="destination_iso3", regex=r"^[A-Z]{3}$", meta=error()
        ),
        gx.expectations.ExpectColumnValuesToMatchRegex(
            column="origin_iso3", regex=r"^[A-Z]{3}$", meta=error()
        ),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="document_title", meta=error()),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="confidence", value_set=CONFIDENCE_LEVELS, meta=error()
        ),
    ]
    return gx.ExpectationSuite(name="fct_offtake_links", expectations=expectations)
