import great_expectations as gx

from expectations.reference import stages
from expectations.severity import error, warn


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="share_pct", min_value=0, max_value=100, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="hhi", min_value=0, max_value=10_000, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeInSet(column="stage", value_set=stages(), meta=error()),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="source_citation", meta=error()),
        # USGS rounds world totals: itemized shares may cover a few % more than 100, never 110.
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="coverage_pct", min_value=0, max_value=110, meta=warn()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="china_share_pct", min_value=0, max_value=100, meta=error()
        ),
    ]
    return gx.ExpectationSuite(name="mart_stage_concentration", expectations=expectations)
