-- Concentration per year, stage, element, kind of evidence and share basis (HHI, China's share,
-- top producer, coverage: macro concentration_stats, the rule every mart shares). share_basis
-- says what the shares are of: world output, or a market as a publication prints it with its
-- basis not stated (Fuji Keizai's NdFeB magnet shares via the WSJ, by value or weight not said);
-- shares of different bases never enter one HHI. Where a
-- source itemizes only some countries (published shares) the HHI is a lower bound and
-- coverage_pct says how much of world output the itemized shares cover.
-- Company rows (entity_kind 'company', source_kind company_disclosure) sit next to the country
-- rows they are compared with: a company's calendar-year output over the same world total. They
-- carry that country group's HHI, China share, top producer and coverage, and never enter them
-- (a company's output is already inside its country's).
-- Published beside computed: a USGS row carries the sum of the country rows beside the printed
-- world total (USGS rounds the total; the gap is shown, never forced to zero), and a country's
-- share from one kind of evidence carries the same country's share from the other (the IEA's
-- printed share beside the share computed from USGS tonnages), with the difference in points.
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

country_sums as (
    select
        year,
        stage,
        element,
        source_kind,
        sum(quantity_t_reo) as countries_sum_t_reo
    from annotated
    where entity_kind = 'country' and quantity_t_reo is not null
    group by year, stage, element, source_kind
),

-- The same country's share from the other kind of evidence (one row per kind at most).
compared as (
    select
        annotated.year,
        annotated.stage,
        annotated.element,
        annotated.country_iso3,
        annotated.source_kind,
        other.source_kind as compared_source_kind,
        other.share_pct as compared_share_pct
    from annotated
    inner join annotated as other
        on other.year = annotated.year
        and other.stage = annotated.stage
        and other.element = annotated.element
        and other.country_iso3 = annotated.country_iso3
        and other.entity_kind = 'country'
        and other.source_kind <> annotated.source_kind
    where annotated.entity_kind = 'country' and not annotated.is_aggregate
    qualify row_number() over (
        partition by annotated.year, annotated.stage, annotated.element, annotated.country_iso3, annotated.source_kind
        order by other.source_kind
    ) = 1
),

per_group as (
    select
        year,
        stage,
        element,
        source_kind,
        share_basis,
        {{ concentration_stats('share_pct', 'country_iso3', 'is_aggregate') }}
    from annotated
    where entity_kind = 'country'
    group by year, stage, element, source_kind, share_basis
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
        annotated.share_basis,
        annotated.share_definition,
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
        country_sums.countries_sum_t_reo,
        round(100.0 * (country_sums.countries_sum_t_reo - annotated.world_t_reo) / annotated.world_t_reo, 6)
            as countries_sum_gap_pct,
        compared.compared_source_kind,
        round(compared.compared_share_pct, 6) as compared_share_pct,
        round(annotated.share_pct - compared.compared_share_pct, 6) as share_difference_points,
        annotated.is_estimate,
        annotated.source_citation
    from annotated
    inner join per_group
        on annotated.year = per_group.year
        and annotated.stage = per_group.stage
        and annotated.element = per_group.element
        and annotated.world_total_source_kind = per_group.source_kind
        and annotated.share_basis = per_group.share_basis
    left join country_sums
        on country_sums.year = annotated.year
        and country_sums.stage = annotated.stage
        and country_sums.element = annotated.element
        and country_sums.source_kind = annotated.world_total_source_kind
        and annotated.world_t_reo is not null
    left join compared
        on compared.year = annotated.year
        and compared.stage = annotated.stage
        and compared.element = annotated.element
        and compared.country_iso3 = annotated.country_iso3
        and compared.source_kind = annotated.source_kind
        and annotated.entity_kind = 'country'
)

select * from final
