"""Cross-column and distribution rules; keys, ranges and allowed values are dbt tests (the yml)."""

import great_expectations as gx
from great_expectations.expectations.row_conditions import Column

from expectations.severity import error, warn


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        # An estimate must say what it rests on: every one carries its published figures' ids.
        gx.expectations.ExpectColumnValuesToNotBeNull(
            column="source_figure_ids", row_condition=Column("evidence_kind") == "estimate", meta=error(),
        ),
        # Element content never exceeds the REO it is contained in (oxide factors are all < 1).
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="reo_t", column_B="element_t", or_equal=True,
            ignore_row_if="either_value_is_missing", meta=error(),
        ),
        # A sample row in a balance would present invented figures as data.
        *(
            gx.expectations.ExpectColumnValuesToBeInSet(
                column=column, value_set=[False],
                row_condition=Column("is_sample") == True,  # noqa: E712 - a GX condition, not a test
                meta=error(),
            )
            for column in ("is_in_producer_balance", "is_in_importer_balance", "is_in_exporter_balance")
        ),
        # Most evidence converts to t REO; a drop means a source lost its conversion factor.
        gx.expectations.ExpectColumnValuesToNotBeNull(column="reo_t", mostly=0.9, meta=warn()),
    ]
    return gx.ExpectationSuite(name="fct_element_stage_flows", expectations=expectations)
