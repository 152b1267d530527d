-- Each importer's supply by origin for an element, stage and period: the origin's share, China's
-- share, the top supplier and the HHI of suppliers (over itemized countries; a lower bound when
-- the shares cover less than 100 %). Published aggregates and shares computed from reconciled
-- trade records sit side by side, told apart by source_kind and definition.
with published as (
    select *, 'published_aggregate' as source_kind from {{ ref('int_import_shares_published') }}
),

traded as (
    select * from {{ ref('int_import_shares_traded') }}
),

shares as (
    select * from published
    union all by name
    select * from traded
),

countries as (
    select * from {{ ref('dim_countries') }}
),

annotated as (
    select
        shares.*,
        coalesce(countries.is_aggregate, false) as is_aggregate
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
        -- Rounded: parallel float sums differ in the last bits between runs.
        round(sum(case when not is_aggregate then origin_share_pct * origin_share_pct else 0 end), 6) as supplier_hhi,
        round(sum(origin_share_pct), 6) as coverage_pct,
        max(case when origin_iso3 = 'CHN' then origin_share_pct end) as china_share_pct,
        -- Ties broken by code so that reruns agree.
        first(origin_iso3 order by origin_share_pct desc, origin_iso3) filter (where not is_aggregate) as top_supplier_iso3,
        max(case when not is_aggregate then origin_share_pct end) as top_supplier_share_pct
    from annotated
    group by all
),

final as (
    select
        annotated.importer_iso3,
        annotated.period_label,
        annotated.year,
        annotated.element,
        annotated.stage,
        'immediate_supplier' as origin_basis,
        annotated.origin_iso3,
        annotated.origin_share_pct,
        per_group.china_share_pct,
        per_group.top_supplier_iso3,
        per_group.top_supplier_share_pct,
        per_group.supplier_hhi,
        per_group.coverage_pct,
        per_group.coverage_pct < 99 as is_hhi_lower_bound,
        cast(null as double) as net_import_reliance_pct,
        annotated.source_kind,
        annotated.definition,
        annotated.source_citation,
        annotated.is_estimate
    from annotated
    inner join per_group using (importer_iso3, period_label, element, stage, definition)
)

select * from final
