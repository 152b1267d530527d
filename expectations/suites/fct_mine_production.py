import great_expectations as gx

from expectations.severity import error, warn

ID_COLUMNS = ("edition", "country_iso3", "year")


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        # World mine production has never exceeded 400,000 t REO; a country above the world
        # record (about 2 Mt with headroom) is a transcription error such as a fused footnote digit.
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="production_t_reo", min_value=0, max_value=2_000_000, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToMatchRegex(
            column="edition", regex=r"^MCS\d{4}$", meta=error()
        ),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="source_citation", meta=warn()),
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="edition_year", column_B="year", or_equal=False, meta=error()
        ),
    ]
    return gx.ExpectationSuite(name="fct_mine_production", expectations=expectations)
