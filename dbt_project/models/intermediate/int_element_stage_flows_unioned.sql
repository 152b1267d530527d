-- Every piece of evidence for a flow of rare-earth material on one grain: period x element x
-- stage x origin x destination (x company), in t element content and t REO.
--   flow_type production: output of a country at a stage (origin = destination = the producer);
--   flow_type trade: a shipment from origin (exporter) to destination (importer); WLD as a partner
--   means "partners not reported".
-- evidence_kind: production (official production statistics), trade (customs records or an
-- agency's trade figures), disclosure (company reports), estimate (derived here from published
-- figures; `method` says how and source_figure_ids lists every figure used).
--
-- Which rows the balances use is decided here, once (is_in_*_balance), so balances, tracing and
-- marts agree:
--   production, per country x stage x element x year: official statistics (USGS first), else
--     company disclosures (summed over companies), else estimates;
--   imports per importer and exports per exporter (x stage x year): bilateral trade records
--     (fct_trade_flows) when any exist, else every published or estimated flow, except a
--     published total that has been split by partner (its split replaces it).
-- Only full calendar years enter balances, and never generated sample rows (is_sample).
--
-- Element content: sources that give t REO without an element split (USGS, quotas) leave
-- element_t null (no deposit distributions here, DOMAIN s.2); magnets and metal-equivalent
-- figures carry element_t and get t REO through the stated factors.
{{ config(materialized='table') }}

with figures as (
    select * from {{ ref('stg_published__figures') }}
    where not is_illustrative
),

mine_production as (
    select * from {{ ref('int_mine_production_ranked') }}
    where is_latest_edition and not is_world_total and production_t_reo is not null
),

trade_flows as (
    select * from {{ ref('fct_trade_flows') }}
),

company_production as (
    select * from {{ ref('fct_company_production') }}
    where metric = 'production' and is_latest_vintage and period_kind = 'calendar_year'
),

elements as (
    select * from {{ ref('dim_elements') }}
),

hs_codes as (
    select * from {{ ref('hs_codes') }}
),

-- World, "other countries" and the untraced code are partners, never balance countries.
aggregates as (
    select country_iso3 from {{ ref('dim_countries') }}
    where is_aggregate and country_iso3 <> 'S19'
),

-- Rare-earth metal -> REO: Nd2O3 taken as representative (the hs_codes convention for RE metal).
-- Magnet product -> RE metal and REO: the NdFeB assumption of HS 8505.11 (~31 % RE metal).
factors as (
    select
        (select oxide_per_element_factor from elements where symbol = 'Nd') as reo_per_metal_t,
        (select max(element_factor_t_per_t) from hs_codes where hs6 = '850511') as metal_per_magnet_t,
        (select max(reo_factor_t_per_t) from hs_codes where hs6 = '850511') as reo_per_magnet_t
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
        cast(null as varchar) as company_id,
        cast(null as varchar) as company_name,
        cast(null as varchar) as hs6,
        cast(null as double) as product_t,
        cast(null as double) as element_t,
        production_t_reo as reo_t,
        cast(null as double) as value_usd,
        'production' as evidence_kind,
        'usgs_mcs' as source_kind,
        edition || ': ' || coalesce(citation, 'USGS MCS data release') as source_citation,
        cast(null as varchar) as source_figure_ids,
        'as reported (latest USGS edition)' as method,
        case when is_estimate then 'medium' else 'high' end as confidence,
        is_estimate,
        file_id,
        false as is_sample,
        cast(null as integer) as months_covered,
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
        cast(null as varchar) as company_id,
        cast(null as varchar) as company_name,
        cast(null as varchar) as hs6,
        case when figures.metric = 'production_t_product' then figures.value end as product_t,
        case when figures.metric = 'production_t_product' then figures.value * factors.metal_per_magnet_t end as element_t,
        case
            when figures.metric = 'production_t_product' then figures.value * factors.reo_per_magnet_t
            else figures.value
        end as reo_t,
        cast(null as double) as value_usd,
        'production' as evidence_kind,
        'published_aggregate' as source_kind,
        figures.publication || coalesce(', ' || figures.table_or_page, '') as source_citation,
        figures.figure_id as source_figure_ids,
        case
            when figures.metric = 'production_t_product'
                then 'magnet tonnes as reported; RE content by the NdFeB factors of HS 8505.11 (hs_codes)'
            else 'as reported'
        end as method,
        figures.confidence,
        figures.is_estimate,
        figures.file_id,
        false as is_sample,
        cast(null as integer) as months_covered,
        1 as evidence_tier,
        false as is_superseded
    from figures
    cross join factors
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
        cast(null as varchar) as company_id,
        cast(null as varchar) as company_name,
        cast(null as varchar) as hs6,
        cast(null as double) as product_t,
        cast(null as double) as element_t,
        value as reo_t,
        cast(null as double) as value_usd,
        'estimate' as evidence_kind,
        'published_aggregate' as source_kind,
        publication || coalesce(', ' || table_or_page, '') as source_citation,
        figure_id as source_figure_ids,
        'production quota taken as output (the USGS practice for China''s mining)' as method,
        'low' as confidence,
        true as is_estimate,
        file_id,
        false as is_sample,
        cast(null as integer) as months_covered,
        3 as evidence_tier,
        false as is_superseded
    from figures
    where metric = 'quota_t_reo'
),

reported_production as (
    select * from usgs_production
    union all
    select * from published_production
),

production_shares as (
    select * from figures
    where metric = 'production_share_pct' and subject_iso3 not in ('WLD', 'OTH')
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

-- A country's stage output as its published share x the implied world output, for countries
-- with a share but no reported tonnes (e.g. Japan's NdFeB output from Fuji Keizai's shares).
share_estimates as (
    select
        cast(production_shares.year as varchar) as period_label,
        production_shares.year,
        production_shares.element,
        production_shares.stage,
        'production' as flow_type,
        production_shares.subject_iso3 as origin_iso3,
        production_shares.subject_iso3 as destination_iso3,
        cast(null as varchar) as company_id,
        cast(null as varchar) as company_name,
        cast(null as varchar) as hs6,
        share_anchors.world_product_t * production_shares.value / 100 as product_t,
        share_anchors.world_element_t * production_shares.value / 100 as element_t,
        share_anchors.world_reo_t * production_shares.value / 100 as reo_t,
        cast(null as double) as value_usd,
        'estimate' as evidence_kind,
        'published_aggregate' as source_kind,
        production_shares.publication || coalesce(', ' || production_shares.table_or_page, '') as source_citation,
        share_anchors.anchor_figure_ids || ';' || production_shares.figure_id as source_figure_ids,
        'published share x world output implied by ' || share_anchors.anchor_iso3
            || '''s reported output / its published share' as method,
        'low' as confidence,
        true as is_estimate,
        production_shares.file_id,
        false as is_sample,
        cast(null as integer) as months_covered,
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

-- Trade figures printed in publications (US salient statistics, Japan's import tonnages). An
-- import without a named partner comes from WLD, an export without one goes to WLD.
published_trade as (
    select
        figures.figure_id,
        figures.period_label,
        {{ period_kind('figures.period_label') }} as period_kind,
        figures.year,
        figures.element,
        figures.stage,
        case when figures.metric like 'import%' then coalesce(figures.partner_iso3, 'WLD') else figures.subject_iso3 end as origin_iso3,
        case when figures.metric like 'import%' then figures.subject_iso3 else coalesce(figures.partner_iso3, 'WLD') end as destination_iso3,
        case when figures.unit = 't' then figures.value end as product_t,
        case when figures.unit = 't_metal_equivalent' then figures.value end as element_t,
        case
            when figures.unit = 't_REO' then figures.value
            when figures.unit = 't_metal_equivalent' then figures.value * factors.reo_per_metal_t
        end as reo_t,
        figures.publication || coalesce(', ' || figures.table_or_page, '') as source_citation,
        case figures.unit
            when 't_REO' then 'as reported'
            when 't_metal_equivalent' then 'as reported (RE metal equivalent); t REO by the Nd2O3 factor'
            else 'as reported, basis not stated (product tonnes; no content conversion)'
        end as method,
        figures.confidence,
        figures.is_estimate,
        figures.file_id
    from figures
    cross join factors
    where figures.metric in ('import_t_reo', 'export_t_reo', 'import_t', 'export_t')
),

import_shares as (
    select
        figure_id,
        subject_iso3 as importer_iso3,
        partner_iso3 as origin_iso3,
        period_label,
        {{ period_kind('period_label') }} as period_kind,
        {{ period_start_year('period_label', 'year') }} as start_year,
        year,
        element,
        stage,
        value as share_pct,
        definition
    from figures
    where metric = 'import_share_pct' and partner_iso3 is not null
),

-- A published import total from unreported partners (WLD) is split by the importer's published
-- partner shares for the same period (or a multi-year average covering the year), stage (or
-- 'all') and element; where several definitions apply, the one itemizing most is used.
split_candidates as (
    select
        published_trade.figure_id as total_figure_id,
        import_shares.definition,
        sum(import_shares.share_pct) as itemized_pct
    from published_trade
    inner join import_shares
        on import_shares.importer_iso3 = published_trade.destination_iso3
        and import_shares.element = published_trade.element
        and (import_shares.stage = published_trade.stage or import_shares.stage = 'all')
        and (import_shares.period_label = published_trade.period_label
             or (published_trade.period_kind = 'year' and import_shares.period_kind = 'multi_year'
                 and published_trade.year between import_shares.start_year and import_shares.year))
    where published_trade.origin_iso3 = 'WLD'
    group by published_trade.figure_id, import_shares.definition
    qualify row_number() over (partition by published_trade.figure_id order by itemized_pct desc, import_shares.definition) = 1
),

split_parts as (
    select
        published_trade.*,
        import_shares.origin_iso3 as partner_iso3,
        import_shares.figure_id as share_figure_id,
        -- shares printed to more than 100 % in total are scaled down to 100 %
        import_shares.share_pct / greatest(split_candidates.itemized_pct, 100) as fraction,
        'published partner share x published import total' as split_method
    from published_trade
    inner join split_candidates on split_candidates.total_figure_id = published_trade.figure_id
    inner join import_shares
        on import_shares.definition = split_candidates.definition
        and import_shares.importer_iso3 = published_trade.destination_iso3
        and import_shares.element = published_trade.element
        and (import_shares.stage = published_trade.stage or import_shares.stage = 'all')
        and (import_shares.period_label = published_trade.period_label
             or (published_trade.period_kind = 'year' and import_shares.period_kind = 'multi_year'
                 and published_trade.year between import_shares.start_year and import_shares.year))
    union all
    select
        published_trade.*,
        'WLD' as partner_iso3,
        cast(null as varchar) as share_figure_id,
        (100 - split_candidates.itemized_pct) / 100 as fraction,
        'published import total minus the itemized partners (partners not reported)' as split_method
    from published_trade
    inner join split_candidates on split_candidates.total_figure_id = published_trade.figure_id
    where split_candidates.itemized_pct < 100
),

published_trade_flows as (
    select
        period_label,
        year,
        element,
        stage,
        'trade' as flow_type,
        origin_iso3,
        destination_iso3,
        cast(null as varchar) as company_id,
        cast(null as varchar) as company_name,
        cast(null as varchar) as hs6,
        product_t,
        element_t,
        reo_t,
        cast(null as double) as value_usd,
        'trade' as evidence_kind,
        'published_aggregate' as source_kind,
        source_citation,
        figure_id as source_figure_ids,
        method,
        confidence,
        is_estimate,
        file_id,
        false as is_sample,
        cast(null as integer) as months_covered,
        2 as evidence_tier,
        figure_id in (select total_figure_id from split_candidates) as is_superseded
    from published_trade
),

split_estimates as (
    select
        period_label,
        year,
        element,
        stage,
        'trade' as flow_type,
        partner_iso3 as origin_iso3,
        destination_iso3,
        cast(null as varchar) as company_id,
        cast(null as varchar) as company_name,
        cast(null as varchar) as hs6,
        product_t * fraction as product_t,
        element_t * fraction as element_t,
        reo_t * fraction as reo_t,
        cast(null as double) as value_usd,
        'estimate' as evidence_kind,
        'published_aggregate' as source_kind,
        source_citation,
        figure_id || coalesce(';' || share_figure_id, '') as source_figure_ids,
        split_method as method,
        'low' as confidence,
        true as is_estimate,
        file_id,
        false as is_sample,
        cast(null as integer) as months_covered,
        2 as evidence_tier,
        false as is_superseded
    from split_parts
),

-- Bilateral trade records (Comtrade, customs; reconciled in fct_trade_flows). Confidence is the
-- lower of the declaration's (importer high, exporter mirror medium) and the content factor's.
trade_records as (
    select
        period as period_label,
        year,
        element,
        stage,
        'trade' as flow_type,
        exporter_iso3 as origin_iso3,
        importer_iso3 as destination_iso3,
        cast(null as varchar) as company_id,
        cast(null as varchar) as company_name,
        hs6,
        product_t,
        element_t,
        reo_t,
        value_usd,
        'trade' as evidence_kind,
        source_kind,
        source_kind || ', HS ' || hs6 || coalesce(' (' || hs_edition || ')', '')
            || ', declared by the ' || replace(reporting_side, '_', ' ') as source_citation,
        cast(null as varchar) as source_figure_ids,
        'reconciled trade record (' || replace(reporting_side, '_', ' ')
            || ' declaration); content by the hs_codes factors' as method,
        case
            when factor_confidence in ('low', 'none') or factor_confidence is null then 'low'
            when reporting_side = 'importer' and factor_confidence = 'high' then 'high'
            else 'medium'
        end as confidence,
        false as is_estimate,
        file_id,
        is_sample,
        months_covered,
        1 as evidence_tier,
        false as is_superseded
    from trade_flows
),

-- Company disclosures: the latest vintage of calendar-year production (fiscal years such as
-- Lynas's July-June are left out: they do not add up to calendar years), summed over a company's
-- facilities in a country. Element rows (Nd, Pr, NdPr) are the same output as the REO row at
-- another level: each element keeps its own balance, they are never added up.
disclosures as (
    select
        period_label,
        year,
        element,
        stage,
        'production' as flow_type,
        country_iso3 as origin_iso3,
        country_iso3 as destination_iso3,
        company_id,
        company_name,
        cast(null as varchar) as hs6,
        cast(null as double) as product_t,
        sum(quantity_t_element) as element_t,
        sum(quantity_t_reo) as reo_t,
        cast(null as double) as value_usd,
        'disclosure' as evidence_kind,
        'company_disclosure' as source_kind,
        string_agg(distinct document_title || coalesce(', p. ' || page, '') || ' (' || publisher || ')', '; '
            order by document_title || coalesce(', p. ' || page, '') || ' (' || publisher || ')') as source_citation,
        cast(null as varchar) as source_figure_ids,
        'company disclosure (' || string_agg(distinct product_basis, ', ' order by product_basis) || ')'
            || case when bool_or(is_estimate)
                then '; element split by an assumed distribution (reference.ndpr_split, reference.deposit_element_distribution)'
                else '' end as method,
        case when bool_or(is_estimate) then 'low' else 'high' end as confidence,
        bool_or(is_estimate) as is_estimate,
        string_agg(distinct file_id, ';' order by file_id) as file_id,
        false as is_sample,
        cast(null as integer) as months_covered,
        2 as evidence_tier,
        false as is_superseded
    from company_production
    group by period_label, year, element, stage, country_iso3, company_id, company_name
),

unioned as (
    select * from usgs_production
    union all
    select * from published_production
    union all
    select * from quota_estimates
    union all
    select * from share_estimates
    union all
    select * from published_trade_flows
    union all
    select * from split_estimates
    union all
    select * from trade_records
    union all
    select * from disclosures
),

periods as (
    select
        *,
        {{ period_kind('period_label') }} as period_kind
    from unioned
),

-- Balances take full calendar years: annual figures, and trade records covering 12 months
-- (fct_trade_flows sums monthly records to the year and says how many months it found).
full_years as (
    select
        *,
        period_kind = 'year' and coalesce(months_covered, 12) = 12 as covers_full_year,
        -- among production statistics, the USGS tables come first
        evidence_tier * 10 + case when source_kind = 'usgs_mcs' then 1 else 2 end as production_rank
    from periods
),

-- Generated sample rows are labelled and kept, but never enter a balance.
ranked as (
    select
        *,
        -- production: the best (tier, source) group of a country-stage-element-year
        flow_type = 'production' and covers_full_year and not is_sample
            and production_rank = min(production_rank) filter (
                where flow_type = 'production' and covers_full_year and not is_sample
            ) over (partition by year, element, stage, origin_iso3) as is_in_producer_balance,
        -- trade: once records exist for a country, stage and year (any element: element lines
        -- count in the REO total too), publications step aside; a split total gives way to its parts
        flow_type = 'trade' and covers_full_year and not is_superseded and not is_sample
            and destination_iso3 not in (select country_iso3 from aggregates)
            and evidence_tier = min(evidence_tier) filter (
                where flow_type = 'trade' and covers_full_year and not is_superseded and not is_sample
            ) over (partition by year, stage, destination_iso3) as is_in_importer_balance,
        flow_type = 'trade' and covers_full_year and not is_superseded and not is_sample
            and origin_iso3 not in (select country_iso3 from aggregates)
            and evidence_tier = min(evidence_tier) filter (
                where flow_type = 'trade' and covers_full_year and not is_superseded and not is_sample
            ) over (partition by year, stage, origin_iso3) as is_in_exporter_balance
    from full_years
),

final as (
    select
        md5(concat_ws('|', period_label, element, stage, flow_type, origin_iso3, destination_iso3,
            company_id, hs6, evidence_kind, source_kind, source_figure_ids, method, file_id)) as flow_id,
        period_label,
        period_kind,
        year,
        element,
        stage,
        flow_type,
        origin_iso3,
        destination_iso3,
        company_id,
        company_name,
        hs6,
        product_t,
        element_t,
        reo_t,
        value_usd,
        evidence_kind,
        source_kind,
        source_citation,
        source_figure_ids,
        method,
        confidence,
        is_estimate,
        covers_full_year,
        is_sample,
        coalesce(is_in_producer_balance, false) as is_in_producer_balance,
        coalesce(is_in_importer_balance, false) as is_in_importer_balance,
        coalesce(is_in_exporter_balance, false) as is_in_exporter_balance,
        file_id
    from ranked
)

select * from final
