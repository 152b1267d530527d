-- Trade evidence for int_element_stage_flows_unioned (which states the rules and decides which
-- rows the balances use), each kind naming only the columns it has: one row per shipment from origin (exporter) to
-- destination (importer); WLD as a partner means "partners not reported". evidence_tier:
--   1 bilateral trade records (the rows of fct_trade_flows),
--   2 trade figures printed in publications, and the estimates that split a published import
--     total by the importer's published partner shares (the split total stays, is_superseded).
-- Element content: metal-equivalent figures carry element_t and get t REO through the stated
-- factor; product tonnes of an unstated basis are not converted.
with figures as (
    select * from {{ ref('int_published_figures_deduplicated') }}
    where not is_illustrative
),

-- The rows of fct_trade_flows (the mart publishes this model's columns as they are).
trade_flows as (select * from {{ ref('int_trade_flows_element_content') }}),
elements as (select * from {{ ref('int_elements_factored') }}),

-- Rare-earth metal -> REO: Nd2O3 taken as representative (the hs_codes convention for RE metal).
factors as (
    select
        (select oxide_per_element_factor from elements where symbol = 'Nd') as reo_per_metal_t
),

-- Trade figures printed in publications (US salient statistics, Japan's import tonnages). An
-- import without a named partner comes from WLD, an export without one goes to WLD.
published_trade as (
    select
        figures.figure_id,
        figures.period_label,
        {{ period_label_kind('figures.period_label') }} as period_kind,
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
        importer_iso3,
        origin_iso3,
        period_label,
        {{ period_label_kind('period_label') }} as period_kind,
        {{ period_start_year('period_label', 'year') }} as start_year,
        year,
        element,
        stage,
        origin_share_pct as share_pct,
        definition
    from {{ ref('int_import_shares_published') }}
    where origin_iso3 is not null
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
        product_t,
        element_t,
        reo_t,
        'trade' as evidence_kind,
        'published_aggregate' as source_kind,
        source_citation,
        figure_id as source_figure_ids,
        method,
        confidence,
        is_estimate,
        file_id,
        false as is_sample,
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
        product_t * fraction as product_t,
        element_t * fraction as element_t,
        reo_t * fraction as reo_t,
        'estimate' as evidence_kind,
        'published_aggregate' as source_kind,
        source_citation,
        figure_id || coalesce(';' || share_figure_id, '') as source_figure_ids,
        split_method as method,
        'low' as confidence,
        true as is_estimate,
        file_id,
        false as is_sample,
        2 as evidence_tier,
        false as is_superseded
    from split_parts
),

-- Bilateral trade records (Comtrade, customs; reconciled in int_trade_flows_reconciled, published
-- as fct_trade_flows). Confidence is the lower of the declaration's (importer high, exporter
-- mirror medium) and the content factor's.
trade_records as (
    select
        period as period_label,
        year,
        element,
        stage,
        'trade' as flow_type,
        exporter_iso3 as origin_iso3,
        importer_iso3 as destination_iso3,
        hs6,
        product_t,
        element_t,
        reo_t,
        value_usd,
        'trade' as evidence_kind,
        source_kind,
        source_kind || ', HS ' || hs6 || coalesce(' (' || hs_edition || ')', '')
            || ', declared by the ' || replace(reporting_side, '_', ' ') as source_citation,
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

final as (
    select * from published_trade_flows
    union all by name
    select * from split_estimates
    union all by name
    select * from trade_records
)

select * from final
