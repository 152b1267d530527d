-- Bilateral trade flows, one row per year x stage x element x exporter x importer x code,
-- reconciled from both sides' declarations (see int_trade_flows_reconciled for the rule).
-- Empty on the embedded default data: no bilateral records are bundled and none are invented;
-- rows appear once Comtrade API answers, bulk files or customs files have landed.
with flows as (select * from {{ ref('int_trade_flows_element_content') }}),

final as (
    select
        period,
        year,
        stage,
        element,
        element_basis,
        exporter_iso3,
        importer_iso3,
        hs6,
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
        file_id,
        months_covered,
        is_sample
    from flows
)

select * from final
