"""UN Comtrade records as staged (API JSON and bulk files), one row per reported record.

Empty until Comtrade data lands (the embedded default run has none); an empty dataset passes.
"""

from datetime import date

import great_expectations as gx

from expectations.severity import error, warn
from ingest.reference.hs_codes import codes_in_scope
from ingest.sources.comtrade.rules import ANNUAL_REF_MONTH, FLOW_CODES, MEASURES

ID_COLUMNS = ("file_id", "record_number")
REF_MONTHS = [*range(1, 13), ANNUAL_REF_MONTH]
FIRST_YEAR = 1962  # Comtrade's coverage starts in 1962


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="flow_code", value_set=sorted(FLOW_CODES), meta=error()
        ),
        gx.expectations.ExpectColumnValuesToMatchRegex(
            column="cmd_code", regex=r"^\d{2}(?:\d{2}(?:\d{2})?)?$", meta=error()
        ),
        # Bulk staging keeps only these codes; an API answer keeps what was asked for, and a
        # code outside the reference model cannot be put on a stage: recorded, not blocking.
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="cmd_code", value_set=sorted(codes_in_scope()), meta=warn()
        ),
        gx.expectations.ExpectColumnValuesToMatchRegex(
            column="classification_code", regex=r"^H[0-6S]$", meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="ref_year", min_value=FIRST_YEAR, max_value=date.today().year, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="ref_month", value_set=REF_MONTHS, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="reporter_code", meta=error()),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="partner_code", meta=error()),
        *(
            gx.expectations.ExpectColumnValuesToBeBetween(column=column, min_value=0, meta=error())
            for column in MEASURES
        ),
        # The goods' own weight cannot exceed the weight with packing. Comtrade publishes what
        # countries declare, so a breach is the reporter's error: recorded, not blocking.
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="gross_wgt_kg",
            column_B="net_wgt_kg",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=warn(),
        ),
    ]
    return gx.ExpectationSuite(name="staged_comtrade_records", expectations=expectations)
