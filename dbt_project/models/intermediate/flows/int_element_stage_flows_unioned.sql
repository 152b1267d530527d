-- Every piece of evidence for a flow of rare-earth material on one grain: period x element x
-- stage x origin x destination (x company), in t element content and t REO.
--   flow_type production: output of a country at a stage (origin = destination = the producer);
--   flow_type trade: a shipment from origin (exporter) to destination (importer); XNI as a partner
--   means "not itemized" (the part of a published total no source allocates to a partner).
-- evidence_kind: production (official production statistics), trade (customs records or an
-- agency's trade figures), disclosure (company reports), estimate (derived here from published
-- figures; `method` says how and source_figure_ids lists every figure used).
--
-- Which rows the balances use is decided here, once (is_in_*_balance), so balances, tracing and
-- marts agree:
--   production, per country x stage x element x year: official statistics (USGS first), else
--     company disclosures (summed over companies), else estimates;
--   imports per importer and exports per exporter (x stage x year): bilateral trade records
--     with tonnes (the rows of fct_trade_flows) when any exist, else every published or estimated
--     flow, except a published total that has been split by partner (its split replaces it) and
--     a split superseded by a better one.
-- Only full calendar years with tonnes of REO enter balances, never generated sample rows.
-- is_additive marks the rows some balance uses: summed per country, stage, element, year and
-- flow they give the balance's figure (fct_element_stage_flows); the rest is evidence
-- (fct_flow_evidence), with the reason and the additive rows used in its place.
-- The evidence itself, with its sources, methods and factors, is gathered in
-- int_production_evidence_unioned and int_trade_evidence_unioned (evidence_tier: 1 statistics
-- and trade records, 2 disclosures, published trade and its partner splits, 3 production
-- estimates).
{{ config(materialized='table') }}

with production_evidence as (select * from {{ ref('int_production_evidence_unioned') }}),
trade_evidence as (select * from {{ ref('int_trade_evidence_unioned') }}),


-- by name: each kind of evidence carries only the columns it has (the rest are null)
unioned as (
    select * from production_evidence
    union all by name
    select * from trade_evidence
),

periods as (
    select
        *,
        {{ period_label_kind('period_label') }} as period_kind
    from unioned
),

-- Balances take full calendar years: annual figures, and trade records covering 12 months
-- (int_trade_declarations_annualized sums monthly records to the year and says how many months
-- it found).
full_years as (
    select
        *,
        period_kind = 'year' and coalesce(months_covered, 12) = 12 as covers_full_year,
        -- among production statistics, the USGS tables come first
        evidence_tier * 10 + case when source_kind = 'usgs_mcs' then 1 else 2 end as production_rank
    from periods
),

-- A row can enter a balance only with tonnes of REO, for a full calendar year, and never as a
-- generated sample row (those are labelled and kept).
usable as (
    select
        *,
        covers_full_year and not is_sample and reo_t is not null as is_usable,
        -- trade a balance may count: usable and not replaced by a better split of the same total
        flow_type = 'trade' and is_usable and not is_superseded as is_trade_candidate
    from full_years
),

ranked as (
    select
        *,
        -- production: the best (tier, source) group of a country-stage-element-year
        flow_type = 'production' and is_usable
            and production_rank = min(production_rank) filter (
                where flow_type = 'production' and is_usable
            ) over (partition by year, element, stage, origin_iso3) as is_in_producer_balance,
        -- trade: once records with tonnes exist for a country, stage and year (any element: element
        -- lines count in the REO total too), publications step aside (records with a value and no
        -- weight do not: they cannot replace a tonnage); a split total gives way to its parts
        is_trade_candidate
            and destination_iso3 not in {{ aggregate_country_codes() }}
            and evidence_tier = min(evidence_tier) filter (
                where is_trade_candidate
            ) over (partition by year, stage, destination_iso3) as is_in_importer_balance,
        is_trade_candidate
            and origin_iso3 not in {{ aggregate_country_codes() }}
            and evidence_tier = min(evidence_tier) filter (
                where is_trade_candidate
            ) over (partition by year, stage, origin_iso3) as is_in_exporter_balance
    from usable
),

identified as (
    select
        md5(concat_ws('|', period_label, element, stage, flow_type, origin_iso3, destination_iso3,
            company_id, hs6, evidence_kind, source_kind, source_figure_ids, method, file_id)) as flow_id,
        *,
        coalesce(is_in_producer_balance or is_in_importer_balance or is_in_exporter_balance, false)
            as is_additive
    from ranked
),

-- Why a row is evidence only, and what the balance uses in its place: the additive rows of the
-- same balance cell (production: country x stage x element x year; trade: the importer's, else
-- the exporter's, stage x year), those resting on the same published figure first.
balance_cells as (
    select
        flow_id,
        year,
        element,
        stage,
        flow_type,
        case when flow_type = 'trade' and destination_iso3 not in {{ aggregate_country_codes() }}
            then destination_iso3 else origin_iso3 end as cell_country_iso3,
        split_part(source_figure_ids, ';', 1) as first_figure_id,
        is_additive
    from identified
),

replacements as (
    select
        evidence.flow_id,
        coalesce(
            string_agg(additive.flow_id, ';' order by additive.flow_id)
                filter (where additive.first_figure_id = evidence.first_figure_id),
            string_agg(additive.flow_id, ';' order by additive.flow_id)
        ) as replaced_by_flow_ids
    from balance_cells as evidence
    inner join balance_cells as additive
        on additive.is_additive
        and additive.year = evidence.year
        and additive.stage = evidence.stage
        and additive.flow_type = evidence.flow_type
        and additive.cell_country_iso3 = evidence.cell_country_iso3
        and (additive.element = evidence.element or evidence.flow_type = 'trade')
    where not evidence.is_additive
    group by evidence.flow_id
),

final as (
    select
        identified.flow_id,
        period_label,
        period_kind,
        year,
        element,
        stage,
        coalesce(stage_scope, stage) as stage_scope,
        flow_type,
        origin_iso3,
        destination_iso3,
        company_id,
        company_name,
        hs6,
        quantity_as_published,
        unit_as_published,
        reo_factor_t_per_t,
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
        is_declared_by_importer,
        is_declared_by_exporter,
        is_additive,
        case
            when is_additive then null
            when is_sample then 'generated sample row'
            when not covers_full_year then 'not a full calendar year (balances take calendar years)'
            when reo_t is null and value_usd is not null and product_t is null
                then 'value only, no weight: enters value shares, never a tonnage balance'
            when reo_t is null then 'no tonnage in t REO (basis not stated or no content factor)'
            when is_superseded then 'replaced by ' || superseded_by
            when flow_type = 'production'
                then 'better-ranked evidence for the same country, stage, element and year is used'
            when origin_iso3 in {{ aggregate_country_codes() }} and destination_iso3 in {{ aggregate_country_codes() }}
                then 'between groups, no country''s balance'
            else 'trade records for the same country, stage and year are used instead'
        end as not_additive_reason,
        replacements.replaced_by_flow_ids,
        file_id
    from identified
    left join replacements on replacements.flow_id = identified.flow_id
)

select * from final
