"""Cross-column rules; keys, ranges and allowed values are dbt tests (the yml)."""

import great_expectations as gx

from expectations.severity import error


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        # Element content can never exceed the product's own weight (metal is 1 t/t at most).
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="product_t", column_B="element_t", or_equal=True,
            ignore_row_if="either_value_is_missing", meta=error(),
        ),
    ]
    return gx.ExpectationSuite(name="fct_trade_flows", expectations=expectations)
