"""Cross-column rules; keys, ranges and allowed values are dbt tests (the yml)."""

import great_expectations as gx

from expectations.severity import error

ID_COLUMNS = ("edition", "country_iso3", "year")


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        # An edition reports earlier years only (MCS2025 gives 2023 and 2024).
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="edition_year", column_B="year", or_equal=False, meta=error()
        ),
    ]
    return gx.ExpectationSuite(name="fct_mine_production", expectations=expectations)
