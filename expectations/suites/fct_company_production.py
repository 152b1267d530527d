"""Cross-column and distribution rules; keys, ranges and allowed values are dbt tests (the yml)."""

import great_expectations as gx

from expectations.severity import error, warn


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        # Element content is the metal in the oxide: never more than the oxide tonnes.
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="quantity_t_reo",
            column_B="quantity_t_element",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=error(),
        ),
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="period_end", column_B="period_start", or_equal=False, meta=error()
        ),
        # A figure without its page can be found again only by reading the document.
        gx.expectations.ExpectColumnValuesToNotBeNull(column="page", mostly=0.5, meta=warn()),
    ]
    return gx.ExpectationSuite(name="fct_company_production", expectations=expectations)
