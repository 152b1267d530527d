import great_expectations as gx

from expectations.severity import error

SHARES = ("share_pct", "china_share_pct", "untraced_share_pct")


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        *(
            gx.expectations.ExpectColumnValuesToBeBetween(
                column=column, min_value=0, max_value=100.000001, meta=error()
            )
            for column in SHARES
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="origin_hhi", min_value=0, max_value=10_000, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="origin_basis", value_set=["immediate_supplier", "first_origin"], meta=error()
        ),
        # A part of the supply can never exceed the whole.
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="supply_t_reo", column_B="quantity_t_reo", or_equal=True, meta=error()
        ),
        gx.expectations.ExpectCompoundColumnsToBeUnique(
            column_list=["year", "country_iso3", "element", "stage", "origin_basis", "origin_iso3"],
            meta=error(),
        ),
    ]
    return gx.ExpectationSuite(name="mart_supply_origins", expectations=expectations)
