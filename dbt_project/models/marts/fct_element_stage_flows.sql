-- The material-flow fact, additive: the rows the balances use, one per flow of rare-earth
-- material, per period x element x stage x origin x destination (x company), in t element
-- content and t REO, with its kind of evidence, source and confidence. Summed per country, year,
-- stage, element and flow (production by origin, imports by destination with
-- is_in_importer_balance, exports by origin with is_in_exporter_balance) it gives
-- mart_country_balances' figure (a dbt test checks). Everything else (published totals beside
-- their splits, lower-ranked production evidence, part-year figures, value-only records) is in
-- fct_flow_evidence, with what replaced it. int_element_stage_flows_unioned documents how the
-- rows are chosen; int_production_evidence_unioned and int_trade_evidence_unioned what each
-- source contributes; estimates say how they were derived (method, source_figure_ids).
with flows as (
    select * from {{ ref('int_element_stage_flows_unioned') }}
    where is_additive
),

final as (
    select
        {{ flow_fact_columns() }},
        is_in_producer_balance,
        is_in_importer_balance,
        is_in_exporter_balance,
        file_id
    from flows
)

select * from final
