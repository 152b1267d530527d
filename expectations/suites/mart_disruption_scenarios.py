"""Cross-column rules; keys, ranges and allowed values are dbt tests (the yml)."""

import great_expectations as gx
from great_expectations.expectations.row_conditions import Column

from expectations.severity import error


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        # Each step can only shrink the shortfall: lost >= after stockpile >= after re-routing.
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="lost_supply_t", column_B="shortfall_after_stockpile_t", or_equal=True,
            ignore_row_if="either_value_is_missing", meta=error(),
        ),
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="shortfall_after_stockpile_t", column_B="shortfall_after_rerouting_t", or_equal=True,
            ignore_row_if="either_value_is_missing", meta=error(),
        ),
        # Whatever the data lacks is said in data_gap, not left as an unexplained null.
        gx.expectations.ExpectColumnValuesToNotBeNull(
            column="data_gap", row_condition=Column("lost_supply_t").is_null(), meta=error(),
        ),
    ]
    return gx.ExpectationSuite(name="mart_disruption_scenarios", expectations=expectations)
