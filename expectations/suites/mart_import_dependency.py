import great_expectations as gx

from expectations.severity import error

SHARE_COLUMNS = ("origin_share_pct", "china_share_pct", "top_supplier_share_pct")


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        *(
            gx.expectations.ExpectColumnValuesToBeBetween(
                column=column, min_value=0, max_value=100, meta=error()
            )
            for column in SHARE_COLUMNS
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="coverage_pct", min_value=0, max_value=101, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="supplier_hhi", min_value=0, max_value=10_000, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="definition", meta=error()),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="origin_basis", value_set=["immediate_supplier", "first_origin"], meta=error()
        ),
        # Without stock changes, imports - exports never exceed production + imports - exports.
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="net_import_reliance_pct", max_value=100.000001, meta=error()
        ),
    ]
    return gx.ExpectationSuite(name="mart_import_dependency", expectations=expectations)
