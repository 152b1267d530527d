-- Trade evidence for int_element_stage_flows_unioned (which states the rules and decides which
-- rows the balances use), each kind naming only the columns it has: one row per shipment from
-- origin (exporter) to destination (importer). XNI as a partner = not itemized: the part of a
-- published total no source allocates to a partner (never the reporting country itself).
-- evidence_tier:
--   1 bilateral trade records (the rows of fct_trade_flows; records without a weight carry value
--     only and never enter a tonnage balance),
--   2 trade figures printed in publications; the estimates that split a published import total
--     by partner (the split total stays, is_superseded); company-internal feeds (a facility fed by
--     the same company's facility in another country, taken equal to its output).
-- A published import total without partners is split by partner, where evidence allows, by:
--   a. the importer's published partner shares for the period (or a multi-year average covering
--      the year), stage (or 'all') and element: the agency's own split of its own tonnages (USGS
--      import sources 2020-23: compounds and metals, basis not stated). Preferred where it covers
--      the year and the line: it enters the balances;
--   b. the value shares of the same HS lines in the importer's trade records of the same year
--      (the HS lines from published_figure_scopes): year- and product-specific, every partner
--      itemized, but a value share is not a volume share. Where (a) covers the total, (b) is kept
--      as evidence beside it: for US compounds 2020-23 the two differ far beyond rounding
--      (Malaysia 13 % in USGS's split, 2.8 % of the value; Japan 6 % and 18 %: low- and high-value
--      compounds), so value shares would misstate the tonnes. (b) enters where (a) does not
--      reach (US compounds 2024, US metals every year). Both are estimates.
-- What no split covers stays with partner XNI.
-- is_declared_by_importer / is_declared_by_exporter: whose own record gives the shipment (a
-- publication's figure is its subject's; a split of an import total, the importer's; a trade
-- record, the side(s) that declared it; a company-internal feed, the fed company's, for the
-- importer). A country's trade known only from its partners' records is partial: the balances
-- say so.
-- Units: quantity_as_published and unit_as_published keep the figure as printed. Metal-equivalent
-- figures get t REO through Nd2O3's oxide factor (an assumption for a mix: is_estimate);
-- tonnes of a basis the publication does not state are not converted (reo_t null).
with figures as (
    select * from {{ ref('int_published_figures_deduplicated') }}
    -- point values only: a bound, range or 'as of' claim is never a flow (issue 12)
    where not is_illustrative and is_point_value
),

-- The rows of fct_trade_flows (the mart publishes this model's columns as they are).
trade_flows as (select * from {{ ref('int_trade_flows_element_content') }}),
elements as (select * from {{ ref('int_elements_factored') }}),
scopes as (select * from {{ ref('published_figure_scopes') }}),
company_production as (select * from {{ ref('int_company_production_calendar_years') }}),
feeds as (select * from {{ ref('facility_feeds') }}),

-- Rare-earth metal -> REO: Nd2O3 taken as representative (the hs_codes convention for RE metal).
factors as (
    select
        (select oxide_per_element_factor from elements where symbol = 'Nd') as reo_per_metal_t
),

-- Trade figures printed in publications (US salient statistics, Japan's import tonnages), with
-- the stages and HS lines the printed line covers.
published_trade as (
    select
        figures.figure_id,
        figures.period_label,
        {{ period_label_kind('figures.period_label') }} as period_kind,
        figures.year,
        figures.element,
        figures.stage,
        coalesce(replace(scopes.stages_covered, ';', ', '), figures.stage) as stage_scope,
        scopes.hs6_codes,
        case
            when figures.metric like 'import%' then coalesce(nullif(figures.partner_iso3, 'WLD'), 'XNI')
            else figures.subject_iso3
        end as origin_iso3,
        case
            when figures.metric like 'import%' then figures.subject_iso3
            else coalesce(nullif(figures.partner_iso3, 'WLD'), 'XNI')
        end as destination_iso3,
        figures.value as quantity_as_published,
        figures.unit as unit_as_published,
        case when figures.unit = 't_product' then figures.value end as product_t,
        case when figures.unit = 't_metal_equivalent' then figures.value end as element_t,
        case
            when figures.unit = 't_REO' then figures.value
            when figures.unit = 't_metal_equivalent' then figures.value * factors.reo_per_metal_t
        end as reo_t,
        case
            when figures.unit = 't_REO' then 1.0
            when figures.unit = 't_metal_equivalent' then factors.reo_per_metal_t
        end as reo_factor_t_per_t,
        {{ citation('figures.publication', 'figures.table_or_page') }} as source_citation,
        case figures.unit
            when 't_REO' then 'as reported'
            when 't_metal_equivalent' then 'as reported (RE metal equivalent); t REO by Nd2O3''s oxide factor '
                || format('{:.4f}', factors.reo_per_metal_t)
                || ' (an assumption: Nd stands for the mix of rare earths)'
            else 'as reported, basis not stated (tonnes of product or of content: not converted)'
        end as method,
        figures.confidence,
        -- a converted figure rests on the conversion's assumption
        figures.is_estimate or figures.unit = 't_metal_equivalent' as is_estimate,
        figures.file_id,
        figures.subject_iso3
    from figures
    cross join factors
    left join scopes
        on scopes.subject_iso3 = figures.subject_iso3 and figures.figure_id like scopes.figure_id_pattern
    where figures.metric in ('import_t_reo', 'export_t_reo', 'import_t', 'export_t')
),

unallocated_imports as (
    select * from published_trade
    where origin_iso3 = 'XNI'
),

-- (a) The importer's published partner shares.
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

-- Where several definitions apply, the one itemizing most is used.
share_split_candidates as (
    select
        totals.figure_id as total_figure_id,
        import_shares.definition,
        sum(import_shares.share_pct) as itemized_pct
    from unallocated_imports as totals
    inner join import_shares
        on import_shares.importer_iso3 = totals.destination_iso3
        and import_shares.element = totals.element
        and (import_shares.stage = totals.stage or import_shares.stage = 'all')
        and (import_shares.period_label = totals.period_label
             or (totals.period_kind = 'year' and import_shares.period_kind = 'multi_year'
                 and totals.year between import_shares.start_year and import_shares.year))
    group by totals.figure_id, import_shares.definition
    qualify row_number() over (partition by totals.figure_id order by itemized_pct desc, import_shares.definition) = 1
),

share_split_parts as (
    select
        totals.*,
        import_shares.origin_iso3 as partner_iso3,
        -- shares printed to more than 100 % in total are scaled down to 100 %
        import_shares.share_pct / greatest(candidates.itemized_pct, 100) as fraction,
        totals.source_citation as split_citation,
        totals.figure_id || ';' || import_shares.figure_id as split_figure_ids,
        'published import total x the published partner share (' || import_shares.definition || ')' as split_method,
        totals.file_id as split_file_ids,
        false as is_split_superseded,
        cast(null as varchar) as split_superseded_by
    from unallocated_imports as totals
    inner join share_split_candidates as candidates on candidates.total_figure_id = totals.figure_id
    inner join import_shares
        on import_shares.definition = candidates.definition
        and import_shares.importer_iso3 = totals.destination_iso3
        and import_shares.element = totals.element
        and (import_shares.stage = totals.stage or import_shares.stage = 'all')
        and (import_shares.period_label = totals.period_label
             or (totals.period_kind = 'year' and import_shares.period_kind = 'multi_year'
                 and totals.year between import_shares.start_year and import_shares.year))
    union all
    select
        totals.*,
        'XNI' as partner_iso3,
        (100 - candidates.itemized_pct) / 100 as fraction,
        totals.source_citation as split_citation,
        totals.figure_id as split_figure_ids,
        'published import total minus the partners the published shares itemize (not itemized)' as split_method,
        totals.file_id as split_file_ids,
        false as is_split_superseded,
        cast(null as varchar) as split_superseded_by
    from unallocated_imports as totals
    inner join share_split_candidates as candidates on candidates.total_figure_id = totals.figure_id
    where candidates.itemized_pct < 100
),

-- (b) Value shares of the same HS lines in the importer's trade records of the same year.
valued_records as (
    select importer_iso3, year, hs6, exporter_iso3, value_usd, file_id
    from trade_flows
    where not is_sample and value_usd > 0
),

value_split_lines as (
    select
        totals.figure_id,
        totals.hs6_codes,
        line.hs6
    from unallocated_imports as totals,
        unnest(string_split(totals.hs6_codes, ';')) as line (hs6)
),

-- Only where every HS line of the printed line has records that year (else the shares would
-- describe a different product mix).
value_split_candidates as (
    select
        value_split_lines.figure_id,
        string_agg(distinct valued_records.file_id, ';' order by valued_records.file_id) as record_file_ids
    from value_split_lines
    inner join unallocated_imports as totals using (figure_id)
    left join valued_records
        on valued_records.importer_iso3 = totals.destination_iso3
        and valued_records.year = totals.year
        and valued_records.hs6 = value_split_lines.hs6
    where totals.period_kind = 'year'
    group by value_split_lines.figure_id
    having count(distinct valued_records.hs6) = count(distinct value_split_lines.hs6)
),

partner_values as (
    select
        totals.figure_id,
        valued_records.exporter_iso3 as partner_iso3,
        sum(valued_records.value_usd) as partner_value_usd
    from unallocated_imports as totals
    inner join value_split_candidates using (figure_id)
    inner join value_split_lines using (figure_id)
    inner join valued_records
        on valued_records.importer_iso3 = totals.destination_iso3
        and valued_records.year = totals.year
        and valued_records.hs6 = value_split_lines.hs6
    group by totals.figure_id, valued_records.exporter_iso3
),

value_split_parts as (
    select
        totals.*,
        partner_values.partner_iso3,
        partner_values.partner_value_usd / sum(partner_values.partner_value_usd) over (partition by totals.figure_id)
            as fraction,
        totals.source_citation || '; partner shares: UN Comtrade records, HS ' || replace(totals.hs6_codes, ';', '+')
            || ', ' || totals.year || ' (fct_trade_flows)' as split_citation,
        totals.figure_id as split_figure_ids,
        'published import total x the partner''s share of the declared value of HS '
            || replace(totals.hs6_codes, ';', '+')
            || ' in the importer''s trade records of the year (a value share stands in for the volume share)'
            as split_method,
        concat_ws(';', totals.file_id, candidates.record_file_ids) as split_file_ids,
        -- the agency's own split comes first where it covers the total
        totals.figure_id in (select total_figure_id from share_split_candidates) as is_split_superseded,
        'the split of the same total by the agency''s published partner shares (value shares misstate tonnes where unit values differ by partner)'
            as split_superseded_by
    from unallocated_imports as totals
    inner join value_split_candidates as candidates using (figure_id)
    inner join partner_values using (figure_id)
),

published_trade_flows as (
    select
        period_label,
        year,
        element,
        stage,
        stage_scope,
        'trade' as flow_type,
        origin_iso3,
        destination_iso3,
        quantity_as_published,
        unit_as_published,
        reo_factor_t_per_t,
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
        figure_id in (select figure_id from value_split_candidates)
            or figure_id in (select total_figure_id from share_split_candidates) as is_superseded,
        destination_iso3 = subject_iso3 as is_declared_by_importer,
        origin_iso3 = subject_iso3 as is_declared_by_exporter,
        case
            when figure_id in (select total_figure_id from share_split_candidates)
                then 'its split by partner by the published partner shares'
            when figure_id in (select figure_id from value_split_candidates)
                then 'its split by partner by the value shares of its HS lines in the year''s trade records'
        end as superseded_by
    from published_trade
),

-- Both splits' parts, by name: each row says which split it belongs to and whether the other
-- replaced it in the balances.
split_parts as (
    select * from share_split_parts
    union all by name
    select * from value_split_parts
),

split_estimates as (
    select
        period_label,
        year,
        element,
        stage,
        stage_scope,
        'trade' as flow_type,
        partner_iso3 as origin_iso3,
        destination_iso3,
        quantity_as_published,
        unit_as_published,
        reo_factor_t_per_t,
        product_t * fraction as product_t,
        element_t * fraction as element_t,
        reo_t * fraction as reo_t,
        'estimate' as evidence_kind,
        'published_aggregate' as source_kind,
        split_citation as source_citation,
        split_figure_ids as source_figure_ids,
        split_method as method,
        'low' as confidence,
        true as is_estimate,
        split_file_ids as file_id,
        false as is_sample,
        2 as evidence_tier,
        is_split_superseded as is_superseded,
        case when is_split_superseded then split_superseded_by end as superseded_by,
        true as is_declared_by_importer,  -- a split of the importer's own total
        false as is_declared_by_exporter
    from split_parts
),

-- A facility fed by the same company's facility in another country (Lynas Malaysia <- Mt Weld):
-- the feed is booked as a trade at the feed's stage, equal to the facility's calendar-year
-- output in t REO (the tonnage fed is not disclosed). REO only: the feed is a concentrate.
company_feeds as (
    select
        cast(company_production.year as varchar) as period_label,
        company_production.year,
        company_production.element,
        feeds.feed_stage as stage,
        feeds.feed_stage as stage_scope,
        'trade' as flow_type,
        feeds.feed_country_iso3 as origin_iso3,
        feeds.country_iso3 as destination_iso3,
        company_production.company_id,
        company_production.company_name,
        company_production.quantity_t_reo as reo_t,
        'disclosure' as evidence_kind,
        'company_disclosure' as source_kind,
        feeds.source || '; tonnage: ' || company_production.source_citation as source_citation,
        'company-internal feed (' || feeds.feed_product || ', ' || feeds.feed_facility_id || ' -> '
            || feeds.facility_id || ') taken equal to the fed facility''s calendar-year output in t REO ('
            || company_production.period_basis || '): losses and stocks ignored' as method,
        feeds.confidence,
        true as is_estimate,
        company_production.file_ids as file_id,
        false as is_sample,
        2 as evidence_tier,
        false as is_superseded,
        -- the fed facility's own feed, as its company discloses it: the importer's record where that
        -- facility is the country's recorded output at the stage (Lynas Malaysia's separation is
        -- Malaysia's), not the exporting country's (its other miners may ship more)
        true as is_declared_by_importer,
        false as is_declared_by_exporter
    from company_production
    inner join feeds
        on feeds.company_id = company_production.company_id
        and feeds.country_iso3 = company_production.country_iso3
        and feeds.stage = company_production.stage
    where company_production.element = 'REO' and company_production.quantity_t_reo is not null
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
        stage as stage_scope,
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
        'reconciled trade record (' || replace(reporting_side, '_', ' ') || ' declaration); '
            || case when product_t is null then 'value only: no weight declared'
                else 'content by the hs_codes factors' end as method,
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
        false as is_superseded,
        importer_reported_t is not null or reporting_side = 'importer' as is_declared_by_importer,
        exporter_reported_t is not null or reporting_side = 'exporter_mirror' as is_declared_by_exporter
    from trade_flows
),

final as (
    select * from published_trade_flows
    union all by name
    select * from split_estimates
    union all by name
    select * from company_feeds
    union all by name
    select * from trade_records
)

select * from final
