import great_expectations as gx
from great_expectations.expectations.row_conditions import Column

from expectations.severity import error

KINDS = [
    "negative_apparent_consumption",
    "production_not_recorded",
    "balance_not_closing",
    "chain_inconsistency",
    "chain_feed_not_recorded",
]


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        gx.expectations.ExpectColumnValuesToBeInSet(column="issue_kind", value_set=KINDS, meta=error()),
        gx.expectations.ExpectColumnValuesToBeInSet(column="severity", value_set=["warn", "info"], meta=error()),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="message", meta=error()),
        # A listed chain inconsistency must really exceed its feed by more than the tolerance.
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="observed_t_reo", column_B="limit_t_reo", or_equal=False,
            row_condition=Column("issue_kind") == "chain_inconsistency", meta=error(),
        ),
    ]
    return gx.ExpectationSuite(name="mart_balance_issues", expectations=expectations)
