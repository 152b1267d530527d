-- The material-flow fact: one row per piece of evidence for a flow of rare-earth material, per
-- period x element x stage x origin x destination (x company), in t element content and t REO,
-- with its kind of evidence, source and confidence, and whether the balances use it.
-- int_element_stage_flows_unioned documents how the rows the balances use are chosen, and
-- int_production_evidence_unioned and int_trade_evidence_unioned what each source contributes;
-- estimates say how they were derived (method, source_figure_ids).
with flows as (select * from {{ ref('int_element_stage_flows_unioned') }}),

final as (
    select
        flow_id,
        period_label,
        period_kind,
        year,
        element,
        stage,
        flow_type,
        origin_iso3,
        destination_iso3,
        company_id,
        company_name,
        hs6,
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
        is_in_producer_balance,
        is_in_importer_balance,
        is_in_exporter_balance,
        file_id
    from flows
)

select * from final
