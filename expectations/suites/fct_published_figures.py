import great_expectations as gx

from expectations.reference import CONFIDENCE_LEVELS
from expectations.severity import error


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        gx.expectations.ExpectColumnValuesToBeUnique(column="figure_id", meta=error()),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="publication", meta=error()),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="confidence", value_set=CONFIDENCE_LEVELS, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(column="value", min_value=0, meta=error()),
    ]
    return gx.ExpectationSuite(name="fct_published_figures", expectations=expectations)
