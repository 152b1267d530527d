-- The supporting evidence behind fct_element_stage_flows: every piece of evidence for a flow
-- that no balance uses, on the same grain and columns, with why it is not additive and which
-- additive rows the balance uses in its place (replaced_by_flow_ids). A published import total
-- sits here beside its split by partner (in fct_element_stage_flows); the split of US compound
-- imports 2020-23 by Comtrade value shares sits here beside the split by USGS's own import sources
-- that the balance uses (value shares misstate tonnes); MP Materials' disclosed
-- mine output sits here beside the USGS figure the balance uses; value-only trade records sit
-- here (they give value shares in mart_import_dependency, never tonnes). Never sum this table
-- with fct_element_stage_flows: the rows describe the same material twice.
with flows as (
    select * from {{ ref('int_element_stage_flows_unioned') }}
    where not is_additive
),

final as (
    select
        {{ flow_fact_columns() }},
        not_additive_reason,
        replaced_by_flow_ids,
        file_id
    from flows
)

select * from final
