import great_expectations as gx

from expectations.reference import stages
from expectations.severity import error, warn

METRICS = ["production", "capacity", "sales"]
# World mine production has never reached 400,000 t REO; one company's figure above 1 Mt is a
# unit slip (kt read as t, lb as t) or a fused footnote digit.
MAX_COMPANY_T = 1_000_000


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        *(
            gx.expectations.ExpectColumnValuesToBeBetween(
                column=column, min_value=0, max_value=MAX_COMPANY_T, meta=error()
            )
            for column in ("quantity_t_element", "quantity_t_reo")
        ),
        # Element content is the metal in the oxide: never more than the oxide tonnes.
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="quantity_t_reo",
            column_B="quantity_t_element",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=error(),
        ),
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="period_end", column_B="period_start", or_equal=False, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeInSet(column="stage", value_set=stages(), meta=error()),
        gx.expectations.ExpectColumnValuesToBeInSet(column="metric", value_set=METRICS, meta=error()),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="element", meta=error()),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="document_title", meta=error()),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="vintage", meta=error()),
        gx.expectations.ExpectColumnValuesToMatchRegex(
            column="country_iso3", regex=r"^[A-Z]{3}$", meta=error()
        ),
        # Disclosures before Mountain Pass opened (1952) or years ahead are typing errors.
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="year", min_value=1950, max_value=2100, meta=error()
        ),
        # A figure without its page can be found again only by reading the document.
        gx.expectations.ExpectColumnValuesToNotBeNull(column="page", mostly=0.5, meta=warn()),
    ]
    return gx.ExpectationSuite(name="fct_company_production", expectations=expectations)
