"""Cross-column rules; keys, ranges and allowed values are dbt tests (the yml)."""

import great_expectations as gx
from great_expectations.expectations.row_conditions import Column

from expectations.severity import error


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        # A listed chain inconsistency must really exceed its feed by more than the tolerance.
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="observed_t_reo", column_B="limit_t_reo", or_equal=False,
            row_condition=Column("issue_kind") == "chain_inconsistency", meta=error(),
        ),
    ]
    return gx.ExpectationSuite(name="mart_balance_issues", expectations=expectations)
