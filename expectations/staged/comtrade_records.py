"""UN Comtrade records as staged (API JSON and bulk files), one row per reported record.

Every ERROR here is also a parsing rule (ingest/sources/comtrade/rules.py, same constants): a
record that breaks one is quarantined there, so this suite stops a run only if staging let one
through.

Empty until Comtrade data lands (the embedded default run has none); an empty dataset passes.
"""

import great_expectations as gx

from expectations.severity import error, warn
from ingest.reference.hs_codes import codes_in_scope
from ingest.sources.comtrade.rules import FIRST_YEAR, FLOW_CODES, HS_EDITION, MEASURES, REF_MONTHS, last_year

ID_COLUMNS = ("file_id", "record_number")


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
            column="classification_code", regex=f"^{HS_EDITION}$", meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="ref_year", min_value=FIRST_YEAR, max_value=last_year(), meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="ref_month", value_set=list(REF_MONTHS), meta=error()
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
