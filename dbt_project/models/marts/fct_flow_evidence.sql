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
        flow_id,
        period_label,
        period_kind,
        year,
        element,
        stage,
        stage_scope,
        flow_type,
        origin_iso3,
        destination_iso3,
        company_id,
        company_name,
        hs6,
        quantity_as_published,
        unit_as_published,
        reo_factor_t_per_t,
        round(product_t, 6) as product_t,
        round(element_t, 6) as element_t,
        round(reo_t, 6) as reo_t,
        round(value_usd, 6) as value_usd,
        evidence_kind,
        source_kind,
        source_citation,
        source_figure_ids,
        method,
        confidence,
        is_estimate,
        covers_full_year,
        is_sample,
        not_additive_reason,
        replaced_by_flow_ids,
        file_id
    from flows
)

select * from final
