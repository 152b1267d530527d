-- Bilateral trade flows, one row per year x stage x element x exporter x importer x code,
-- reconciled from both sides' declarations (see int_trade_flows_reconciled for the rule).
-- On the embedded default data it holds the US imports by partner 2018-2025 (UN Comtrade
-- records, reporter USA, HS 280530/284610/284690/850511) with their declared value and NO weight
-- (the only records in hand carry none): product, element and REO tonnes are null, so they give
-- value shares (mart_import_dependency) and never tonnage balances. More rows appear as Comtrade
-- API answers, bulk files or customs files land.
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
