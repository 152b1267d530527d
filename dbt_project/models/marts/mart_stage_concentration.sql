-- Concentration of world output per year, stage, element and kind of evidence (HHI, China's
-- share, top producer, coverage: macro concentration_stats, the rule every mart shares). Where a
-- source itemizes only some countries (published shares) the HHI is a lower bound and
-- coverage_pct says how much of world output the itemized shares cover.
-- Company rows (entity_kind 'company', source_kind company_disclosure) sit next to the country
-- rows they are compared with: a company's calendar-year output over the same world total. They
-- carry that country group's HHI, China share, top producer and coverage, and never enter them
-- (a company's output is already inside its country's).
with shares as (select * from {{ ref('int_stage_shares_unioned') }}),
countries as (select * from {{ ref('dim_countries') }}),

annotated as (
    select
        shares.*,
        coalesce(countries.is_aggregate, false) as is_aggregate,
        countries.country_name
    from shares
    left join countries using (country_iso3)
),

per_group as (
    select
        year,
        stage,
        element,
        source_kind,
        {{ concentration_stats('share_pct', 'country_iso3', 'is_aggregate') }}
    from annotated
    where entity_kind = 'country'
    group by year, stage, element, source_kind
),

final as (
    select
        annotated.year,
        annotated.stage,
        annotated.element,
        annotated.source_kind,
        annotated.entity_kind,
        annotated.company_id,
        annotated.company_name,
        annotated.country_iso3,
        annotated.country_name,
        annotated.is_aggregate,
        annotated.quantity_t_reo,
        annotated.world_t_reo,
        annotated.share_pct,
        annotated.entity_kind = 'country'
            and annotated.country_iso3 = per_group.top_iso3 as is_top_producer,
        per_group.top_iso3 as top_producer_iso3,
        per_group.top_share_pct as top_producer_share_pct,
        per_group.china_share_pct,
        per_group.is_china_share_lower_bound,
        per_group.hhi,
        per_group.coverage_pct,
        per_group.is_hhi_lower_bound,
        per_group.countries_itemized,
        annotated.is_estimate,
        annotated.source_citation
    from annotated
    inner join per_group
        on annotated.year = per_group.year
        and annotated.stage = per_group.stage
        and annotated.element = per_group.element
        and annotated.world_total_source_kind = per_group.source_kind
)

select * from final
