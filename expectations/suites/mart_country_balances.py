import great_expectations as gx

from expectations.severity import error

STATUSES = ["closes", "not_closing", "negative_apparent_consumption", "production_not_recorded", "not_checkable"]


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        *(
            gx.expectations.ExpectColumnValuesToBeBetween(
                column=column, min_value=0, max_value=2_000_000, meta=error()
            )
            for column in ("production_t_reo", "imports_t_reo", "exports_t_reo")
        ),
        gx.expectations.ExpectColumnValuesToBeInSet(column="balance_status", value_set=STATUSES, meta=error()),
        # Apparent consumption above world mine output is a unit error somewhere upstream. (Balances
        # that do not hold are data, listed in words in mart_balance_issues, not a failed check.)
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="apparent_consumption_t_reo", max_value=2_000_000, meta=error()
        ),
        gx.expectations.ExpectCompoundColumnsToBeUnique(
            column_list=["year", "country_iso3", "element", "stage"], meta=error()
        ),
    ]
    return gx.ExpectationSuite(name="mart_country_balances", expectations=expectations)
