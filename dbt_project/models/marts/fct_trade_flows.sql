-- Bilateral trade flows, one row per year x stage x element x exporter x importer x code,
-- reconciled from both sides' declarations (see int_trade_flows_reconciled for the rule).
-- Empty on the embedded default data: no bilateral records are bundled and none are invented;
-- rows appear once Comtrade API answers, bulk files or customs files have landed.
with flows as (
    select * from {{ ref('int_trade_flows_element_content') }}
),

final as (
    select
        cast(year as varchar) as period,
        cast(year as integer) as year,
        stage,
        element,
        element_basis,
        exporter_iso3,
        importer_iso3,
        trade_code as hs6,
        hs_edition,
        product_t,
        element_t,
        reo_t,
        value_usd,
        reporting_side,
        importer_reported_t,
        exporter_reported_t,
        quantity_discrepancy_pct,
        value_discrepancy_pct,
        factor_confidence,
        source_kind,
        file_ids as file_id,
        cast(months_covered as integer) as months_covered,
        is_sample
    from flows
)

select * from final
