-- Each importer's supply by origin for an element, stage and period, on two bases (origin_basis):
-- the immediate supplier and the first origin (country of mining, traced through the partners'
-- output mixes; int_first_origins_traced documents the rule). Per group: China's share, the top
-- supplier and the HHI of suppliers over itemized countries (macro concentration_stats; XXX =
-- untraceable first origin, OTH/WLD = partners not itemized, never counted as suppliers), and
-- the importer's net import reliance for the period from its balance.
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
        definition,
        origin_basis,
        {{ concentration_stats('origin_share_pct', 'origin_iso3', 'is_aggregate') }}
    from annotated
    group by importer_iso3, period_label, element, stage, definition, origin_basis
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
        case
            when count(distinct balances.year) = periods.end_year - periods.start_year + 1
                 and sum(balances.apparent_consumption_t_reo) > 0
                then round(100 * (sum(coalesce(balances.imports_t_reo, 0)) - sum(coalesce(balances.exports_t_reo, 0)))
                    / sum(balances.apparent_consumption_t_reo), 6)
        end as net_import_reliance_pct
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
        annotated.origin_basis,
        annotated.origin_iso3,
        round(annotated.origin_share_pct, 6) as origin_share_pct,
        round(annotated.imports_t_reo, 6) as imports_t_reo,
        per_group.china_share_pct,
        per_group.is_china_share_lower_bound,
        per_group.top_iso3 as top_supplier_iso3,
        per_group.top_share_pct as top_supplier_share_pct,
        per_group.hhi as supplier_hhi,
        per_group.coverage_pct,
        per_group.is_hhi_lower_bound,
        reliance.net_import_reliance_pct,
        annotated.source_kind,
        annotated.definition,
        annotated.origin_method,
        annotated.source_citation,
        annotated.is_estimate
    from annotated
    inner join per_group using (importer_iso3, period_label, element, stage, definition, origin_basis)
    left join reliance using (importer_iso3, period_label, element, stage)
)

select * from final
