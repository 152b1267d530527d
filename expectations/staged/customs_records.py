"""National customs tariff lines as staged (one YAML mapping per layout), before dbt.

Empty until a customs file lands (the embedded default run has none); an empty dataset passes.
"""

import great_expectations as gx

from expectations.reference import element_symbols
from expectations.severity import error
from ingest.reference.hs_codes import hs6_in_scope

ID_COLUMNS = ("file_id", "record_number", "period")


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        # The mappings may only produce the customs flows (mapping.py).
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="flow_code", value_set=["M", "X", "RM", "RX"], meta=error()
        ),
        # A mapping's national line must point at an HS6 line of the reference model and at an
        # element of the seed: otherwise dbt cannot place it on a stage or an element.
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="hs6", value_set=sorted(hs6_in_scope()), meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="element_symbol", value_set=element_symbols(), meta=error()
        ),
        gx.expectations.ExpectColumnValuesToMatchRegex(
            column="period", regex=r"^\d{4}(?:0[1-9]|1[0-2])?$", meta=error()
        ),
        gx.expectations.ExpectColumnValuesToMatchRegex(
            column="reporter_iso3", regex=r"^[A-Z]{3}$", meta=error()
        ),
        gx.expectations.ExpectColumnValuesToMatchRegex(
            column="partner_iso3", regex=r"^[A-Z][A-Z0-9]{2}$", meta=error()
        ),
        gx.expectations.ExpectColumnValuesToMatchRegex(
            column="currency", regex=r"^[A-Z]{3}$", meta=error()
        ),
        *(
            gx.expectations.ExpectColumnValuesToBeBetween(column=column, min_value=0, meta=error())
            for column in ("quantity_kg", "value_national", "value_usd")
        ),
    ]
    return gx.ExpectationSuite(name="staged_customs_records", expectations=expectations)
