-- Production evidence for int_element_stage_flows_unioned (which states the rules and decides
-- which rows the balances use): one row per figure, origin = destination = the producer. Each
-- kind of evidence names only the columns it has; they are unioned by name (the rest are null). evidence_tier orders the evidence of a country-stage-element-year:
--   1 official statistics (USGS mine production, production printed in publications),
--   2 company disclosures (summed over a company's facilities in a country),
--   3 estimates derived here from published figures (production quotas; published shares of world
--     output x the world output they imply).
-- Element content: sources that give t REO without an element split (USGS, quotas) leave
-- element_t null (no deposit distributions here, DOMAIN s.2); magnets carry element_t and get
-- t REO through the stated factors.
with figures as (
    select * from {{ ref('int_published_figures_deduplicated') }}
    -- point values only: a bound, range or 'as of' claim is never output (issue 12)
    where not is_illustrative and is_point_value
),

mine_production as (
    select * from {{ ref('int_mine_production_ranked') }}
    where is_latest_edition and not is_world_total and production_t_reo is not null
),

company_production as (select * from {{ ref('int_company_production_calendar_years') }}),

-- Magnet product -> RE metal and REO: the NdFeB assumption (~31 % RE metal, HS 8505.11), an
-- assumption about the product's composition, so every converted figure is an estimate.
factors as (
    select
        element_factor_t_per_t as metal_per_magnet_t,
        reo_factor_t_per_t as reo_per_magnet_t
    from {{ ref('int_content_factors_selected') }}
    where product_basis = 'magnet'
),

usgs_production as (
    select
        cast(year as varchar) as period_label,
        year,
        'REO' as element,
        'mining' as stage,
        'production' as flow_type,
        country_iso3 as origin_iso3,
        country_iso3 as destination_iso3,
        production_t_reo as reo_t,
        'production' as evidence_kind,
        'usgs_mcs' as source_kind,
        edition || ': ' || coalesce(citation, 'USGS MCS data release') as source_citation,
        'as reported (latest USGS edition)' as method,
        case when is_estimate then 'medium' else 'high' end as confidence,
        is_estimate,
        file_id,
        false as is_sample,
        1 as evidence_tier,
        false as is_superseded
    from mine_production
),

-- Production printed in publications. The US salient-statistics mine production repeats the USGS
-- world table (already above) and is left out; product tonnes are converted only for magnets.
published_production as (
    select
        figures.period_label,
        figures.year,
        figures.element,
        figures.stage,
        'production' as flow_type,
        figures.subject_iso3 as origin_iso3,
        figures.subject_iso3 as destination_iso3,
        figures.value as quantity_as_published,
        figures.unit as unit_as_published,
        case when figures.metric = 'production_t_product' then factors.reo_per_magnet_t else 1.0 end
            as reo_factor_t_per_t,
        case when figures.metric = 'production_t_product' then figures.value end as product_t,
        case when figures.metric = 'production_t_product' then figures.value * factors.metal_per_magnet_t end as element_t,
        case
            when figures.metric = 'production_t_product' then figures.value * factors.reo_per_magnet_t
            else figures.value
        end as reo_t,
        'production' as evidence_kind,
        'published_aggregate' as source_kind,
        {{ citation('figures.publication', 'figures.table_or_page') }} as source_citation,
        figures.figure_id as source_figure_ids,
        case
            when figures.metric = 'production_t_product'
                then 'magnet tonnes as reported; RE content by the NdFeB assumption of HS 8505.11 (hs_codes): '
                    || format('{:.0f}', 100 * factors.metal_per_magnet_t) || ' % RE metal by mass, '
                    || format('{:.4f}', factors.reo_per_magnet_t)
                    || ' t REO per t magnet (published NdFeB compositions range 29-32.5 % RE)'
            else 'as reported'
        end as method,
        figures.confidence,
        -- a magnet tonnage converted to content rests on the composition assumption
        figures.is_estimate or figures.metric = 'production_t_product' as is_estimate,
        figures.file_id,
        false as is_sample,
        1 as evidence_tier,
        false as is_superseded
    from figures
    left join factors on true
    where figures.topic = 'production'
      and (figures.metric = 'production_t_reo'
           or (figures.metric = 'production_t_product' and figures.stage = 'magnets'))
),

-- A production quota as a proxy for output (USGS itself uses China's mining quota as China's
-- production). Ranked below reported production, so it fills only cells nothing else reports.
quota_estimates as (
    select
        period_label,
        year,
        element,
        stage,
        'production' as flow_type,
        subject_iso3 as origin_iso3,
        subject_iso3 as destination_iso3,
        value as reo_t,
        'estimate' as evidence_kind,
        'published_aggregate' as source_kind,
        {{ citation('publication', 'table_or_page') }} as source_citation,
        figure_id as source_figure_ids,
        'production quota taken as output (the USGS practice for China''s mining)' as method,
        'low' as confidence,
        true as is_estimate,
        file_id,
        false as is_sample,
        3 as evidence_tier,
        false as is_superseded
    from figures
    where metric = 'quota_t_reo'
),

reported_production as (
    select * from usgs_production
    union all by name
    select * from published_production
),

-- Only shares printed as shares of world output (basis pct_of_world_output) are turned into
-- tonnes. A share of unstated basis is not: Fuji Keizai's magnet shares (via the WSJ) are of the
-- 'global neodymium-magnet market', by value or by weight not said, and China's anchor tonnage
-- is its output of raw magnets (blanks); Japan's 15 % x China's blanks / 84 % was once booked
-- as Japan's 2021 output (13,980 t REO), a number resting on mixed bases, where Argus
-- (2023-01-03) prints Japan's magnet market share as under 9 %. Such shares stay shares
-- (mart_stage_concentration), and Japan's magnet output stays unrecorded.
production_shares as (
    select * from figures
    where metric = 'production_share_pct' and basis = 'pct_of_world_output'
      and subject_iso3 not in ('WLD', 'OTH')
),

-- World output implied by a country that has both a published share and reported tonnes
-- (world = its output / its share); the largest such country anchors the year-stage-element.
share_anchors as (
    select
        production_shares.year,
        production_shares.stage,
        production_shares.element,
        production_shares.subject_iso3 as anchor_iso3,
        sum(reported_production.reo_t) / (production_shares.value / 100) as world_reo_t,
        sum(reported_production.element_t) / (production_shares.value / 100) as world_element_t,
        sum(reported_production.product_t) / (production_shares.value / 100) as world_product_t,
        string_agg(reported_production.source_figure_ids, ';' order by reported_production.source_figure_ids)
            || ';' || production_shares.figure_id as anchor_figure_ids
    from production_shares
    inner join reported_production
        on reported_production.year = production_shares.year
        and reported_production.stage = production_shares.stage
        and reported_production.element = production_shares.element
        and reported_production.origin_iso3 = production_shares.subject_iso3
        and reported_production.period_label = cast(production_shares.year as varchar)
    group by production_shares.year, production_shares.stage, production_shares.element,
        production_shares.subject_iso3, production_shares.value, production_shares.figure_id
    qualify row_number() over (
        partition by production_shares.year, production_shares.stage, production_shares.element
        order by production_shares.value desc, production_shares.subject_iso3
    ) = 1
),

-- A country's stage output as its published share of world output x the implied world output,
-- for countries with a share but no reported tonnes.
share_estimates as (
    select
        cast(production_shares.year as varchar) as period_label,
        production_shares.year,
        production_shares.element,
        production_shares.stage,
        'production' as flow_type,
        production_shares.subject_iso3 as origin_iso3,
        production_shares.subject_iso3 as destination_iso3,
        share_anchors.world_product_t * production_shares.value / 100 as product_t,
        share_anchors.world_element_t * production_shares.value / 100 as element_t,
        share_anchors.world_reo_t * production_shares.value / 100 as reo_t,
        'estimate' as evidence_kind,
        'published_aggregate' as source_kind,
        {{ citation('production_shares.publication', 'production_shares.table_or_page') }} as source_citation,
        share_anchors.anchor_figure_ids || ';' || production_shares.figure_id as source_figure_ids,
        'published share x world output implied by ' || share_anchors.anchor_iso3
            || '''s reported output / its published share' as method,
        'low' as confidence,
        true as is_estimate,
        production_shares.file_id,
        false as is_sample,
        3 as evidence_tier,
        false as is_superseded
    from production_shares
    inner join share_anchors using (year, stage, element)
    where not exists (
        select 1 from reported_production
        where reported_production.year = production_shares.year
          and reported_production.stage = production_shares.stage
          and reported_production.element = production_shares.element
          and reported_production.origin_iso3 = production_shares.subject_iso3
    )
),

-- Company disclosures: each company's calendar-year production in a country (latest vintage; a
-- calendar-year figure, else four calendar quarters, else calendarised fiscal years such as
-- Lynas's July-June ones, flagged as estimates), as int_company_production_calendar_years sums
-- it. Element rows (Nd, Pr, NdPr) are the same output as the REO row at another level: each
-- element keeps its own balance, they are never added up.
disclosures as (
    select
        cast(year as varchar) as period_label,
        year,
        element,
        stage,
        'production' as flow_type,
        country_iso3 as origin_iso3,
        country_iso3 as destination_iso3,
        company_id,
        company_name,
        quantity_t_element as element_t,
        quantity_t_reo as reo_t,
        'disclosure' as evidence_kind,
        'company_disclosure' as source_kind,
        source_citation,
        'company disclosure (' || product_bases || coalesce('; ' || period_basis, '') || ')'
            || coalesce('; ' || calendar_method, '')
            || case when has_element_split_estimate
                then '; element split by an assumed distribution (reference.ndpr_split, reference.deposit_element_distribution)'
                else '' end as method,
        case when is_estimate then 'low' else 'high' end as confidence,
        is_estimate,
        file_ids as file_id,
        false as is_sample,
        2 as evidence_tier,
        false as is_superseded
    from company_production
),

final as (
    select * from usgs_production
    union all by name
    select * from published_production
    union all by name
    select * from quota_estimates
    union all by name
    select * from share_estimates
    union all by name
    select * from disclosures
)

select * from final
