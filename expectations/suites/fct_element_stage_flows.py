import great_expectations as gx
from great_expectations.expectations.row_conditions import Column

from expectations.reference import CONFIDENCE_LEVELS, stages
from expectations.severity import error, warn

EVIDENCE = ["production", "trade", "disclosure", "estimate"]


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        *(
            gx.expectations.ExpectColumnValuesToBeBetween(
                column=column, min_value=0, max_value=2_000_000, meta=error()
            )
            for column in ("product_t", "element_t", "reo_t")
        ),
        gx.expectations.ExpectColumnValuesToBeInSet(column="evidence_kind", value_set=EVIDENCE, meta=error()),
        gx.expectations.ExpectColumnValuesToBeInSet(column="stage", value_set=[*stages(), "all"], meta=error()),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="confidence", value_set=CONFIDENCE_LEVELS, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="source_citation", meta=error()),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="method", meta=error()),
        gx.expectations.ExpectColumnValuesToBeUnique(column="flow_id", meta=error()),
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
        gx.expectations.ExpectColumnValuesToNotBeNull(column="reo_t", mostly=0.9, meta=warn()),
    ]
    return gx.ExpectationSuite(name="fct_element_stage_flows", expectations=expectations)
