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
--     (the rows of fct_trade_flows) when any exist, else every published or estimated flow,
--     except a published total that has been split by partner (its split replaces it).
-- Only full calendar years enter balances, and never generated sample rows (is_sample).
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
            and destination_iso3 not in {{ aggregate_country_codes() }}
            and evidence_tier = min(evidence_tier) filter (
                where flow_type = 'trade' and covers_full_year and not is_superseded and not is_sample
            ) over (partition by year, stage, destination_iso3) as is_in_importer_balance,
        flow_type = 'trade' and covers_full_year and not is_superseded and not is_sample
            and origin_iso3 not in {{ aggregate_country_codes() }}
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
