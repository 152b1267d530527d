import great_expectations as gx

from expectations.severity import error


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="consumption_t_per_year", min_value=0, max_value=2_000_000, strict_min=True, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="cut_origin_share_pct", min_value=0, max_value=100, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(column="days_of_cover", min_value=0, meta=error()),
        # Losing one origin can only stretch the time a stockpile lasts, never shorten it.
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="days_of_cover_if_cut", column_B="days_of_cover", or_equal=True,
            ignore_row_if="either_value_is_missing", meta=error(),
        ),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="consumption_basis", meta=error()),
    ]
    return gx.ExpectationSuite(name="mart_stockpile_cover", expectations=expectations)
