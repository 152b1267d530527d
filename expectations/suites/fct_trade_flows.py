import great_expectations as gx

from expectations.severity import error, warn


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        *(
            gx.expectations.ExpectColumnValuesToBeBetween(column=column, min_value=0, meta=error())
            for column in ("product_t", "element_t", "reo_t")
        ),
        # Element content can never exceed the product's own weight (metal is 1 t/t at most).
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="product_t", column_B="element_t", or_equal=True,
            ignore_row_if="either_value_is_missing", meta=error(),
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="months_covered", min_value=1, max_value=12, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="reporting_side", value_set=["importer", "exporter_mirror"], meta=error()
        ),
        # Mirror declarations that differ by more than a factor 3 (|discrepancy| > 100 % of the
        # mean) usually mean a unit or coverage error on one side: recorded for review.
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="quantity_discrepancy_pct", min_value=-100, max_value=100, meta=warn()
        ),
    ]
    return gx.ExpectationSuite(name="fct_trade_flows", expectations=expectations)
