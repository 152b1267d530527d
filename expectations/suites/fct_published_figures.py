import great_expectations as gx

from expectations.severity import error


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        gx.expectations.ExpectColumnValuesToBeUnique(column="figure_id", meta=error()),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="publication", meta=error()),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="confidence", value_set=["high", "medium", "low"], meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(column="value", min_value=0, meta=error()),
    ]
    return gx.ExpectationSuite(name="fct_published_figures", expectations=expectations)
