import great_expectations as gx

from expectations.severity import error


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="value_t_reo", min_value=0, max_value=2_000_000, strict_min=True, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="link_kind", value_set=["processing", "end_use", "exports_unreported"], meta=error()
        ),
        *(gx.expectations.ExpectColumnValuesToNotBeNull(column=c, meta=error()) for c in ("source_node", "target_node")),
        gx.expectations.ExpectCompoundColumnsToBeUnique(
            column_list=["year", "element", "source_node", "target_node"], meta=error()
        ),
    ]
    return gx.ExpectationSuite(name="mart_sankey_flows", expectations=expectations)
