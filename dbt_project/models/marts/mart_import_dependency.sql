-- Each importer's supply by origin for an element, stage and period, on two bases (origin_basis):
-- the immediate supplier and the first origin (country of mining, traced through the partners'
-- output mixes; int_first_origins_traced documents the rule), and on the share basis of its
-- evidence (share_basis: printed shares as_published, value shares of trade records value_usd per
-- HS line and over the stage's lines, volume shares volume_t_reo), each group with its definition.
-- Per group: China's share, the top supplier and the HHI of suppliers over itemized countries
-- (macro concentration_stats; XXX = untraceable first origin, OTH = other countries, WLD/XNI =
-- partners not itemized, never counted as suppliers), and the importer's net import reliance for
-- the period from its balance.
with shares as (select * from {{ ref('int_import_shares_traced') }}),
countries as (select * from {{ ref('dim_countries') }}),
balances as (select * from {{ ref('int_country_balances_computed') }}),

annotated as (
    select
        shares.*,
        coalesce(countries.is_aggregate, false) as is_aggregate,
        {{ period_label_kind('shares.period_label') }} as period_kind,
        {{ period_start_year('shares.period_label', 'shares.year') }} as start_year
    from shares
    left join countries on countries.country_iso3 = shares.origin_iso3
),

per_group as (
    select
        importer_iso3,
        period_label,
        element,
        stage,
        hs6,
        share_basis,
        definition,
        origin_basis,
        {{ concentration_stats('origin_share_pct', 'origin_iso3', 'is_aggregate') }}
    from annotated
    group by importer_iso3, period_label, element, stage, hs6, share_basis, definition, origin_basis
),

-- Net import reliance over the period's calendar years (a multi-year average share gets the
-- reliance of the same years), only where every year of the period has a recorded balance.
periods as (
    select distinct importer_iso3, period_label, element, stage, start_year, year as end_year
    from annotated
    where period_kind in ('year', 'multi_year')
),

reliance as (
    select
        periods.importer_iso3,
        periods.period_label,
        periods.element,
        periods.stage,
        -- over the period's calendar years, only where each has a balance
        round({{ net_import_reliance_pct(
            'sum(coalesce(balances.imports_t_reo, 0))', 'sum(coalesce(balances.exports_t_reo, 0))',
            'sum(balances.apparent_consumption_t_reo)',
            'count(distinct balances.year) = periods.end_year - periods.start_year + 1') }}, 6)
            as net_import_reliance_pct
    from periods
    inner join balances
        on balances.country_iso3 = periods.importer_iso3
        and balances.element = periods.element
        and balances.stage = periods.stage
        and balances.year between periods.start_year and periods.end_year
        and coalesce(balances.imports_t_reo, balances.exports_t_reo) is not null
    group by periods.importer_iso3, periods.period_label, periods.element, periods.stage,
        periods.start_year, periods.end_year
),

final as (
    select
        annotated.importer_iso3,
        annotated.period_label,
        annotated.year,
        annotated.element,
        annotated.stage,
        annotated.hs6,
        annotated.share_basis,
        annotated.origin_basis,
        annotated.origin_iso3,
        round(annotated.origin_share_pct, 6) as origin_share_pct,
        round(annotated.imports_t_reo, 6) as imports_t_reo,
        round(annotated.imports_value_usd, 2) as imports_value_usd,
        per_group.china_share_pct,
        per_group.is_china_share_lower_bound,
        per_group.top_iso3 as top_supplier_iso3,
        per_group.top_share_pct as top_supplier_share_pct,
        per_group.hhi as supplier_hhi,
        per_group.coverage_pct,
        per_group.unknown_origin_pct,
        per_group.is_hhi_lower_bound,
        reliance.net_import_reliance_pct,
        annotated.source_kind,
        annotated.definition,
        annotated.origin_method,
        annotated.is_first_origin_trace_complete,
        annotated.source_citation,
        annotated.is_estimate
    from annotated
    inner join per_group
        on per_group.importer_iso3 = annotated.importer_iso3
        and per_group.period_label = annotated.period_label
        and per_group.element = annotated.element
        and per_group.stage = annotated.stage
        and per_group.hs6 is not distinct from annotated.hs6
        and per_group.share_basis is not distinct from annotated.share_basis
        and per_group.definition = annotated.definition
        and per_group.origin_basis = annotated.origin_basis
    left join reliance
        on reliance.importer_iso3 = annotated.importer_iso3
        and reliance.period_label = annotated.period_label
        and reliance.element = annotated.element
        and reliance.stage = annotated.stage
)

select * from final
