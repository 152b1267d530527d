"""Cross-column rules; keys, ranges and allowed values are dbt tests (the yml)."""

import great_expectations as gx

from expectations.severity import error


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        # Losing one origin can only stretch the time a stockpile lasts, never shorten it.
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="days_of_cover_if_cut", column_B="days_of_cover", or_equal=True,
            ignore_row_if="either_value_is_missing", meta=error(),
        ),
    ]
    return gx.ExpectationSuite(name="mart_stockpile_cover", expectations=expectations)
