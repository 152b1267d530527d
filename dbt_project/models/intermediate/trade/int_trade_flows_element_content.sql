-- Reconciled flows in product, REO and element tonnes, split by element where a national
-- tariff line names the element. Assumptions (each documented in the hs_codes seed):
-- - REO tonnes = product tonnes x the code's REO factor (compounds: oxide basis, 1 t = 1 t REO);
-- - element tonnes = product tonnes x the code's element factor where it has one (metal 1.0,
--   NdFeB magnets 0.31); otherwise REO tonnes x the element's oxide -> element factor from
--   int_elements_factored; for a mix of rare earths ('REO') Nd2O3's factor stands in, as in hs_codes;
-- - a metal (product_basis 'metal' in the HS seeds) of a named element converts to REO with
--   that element's own oxide factor; compounds (oxide basis) are REO tonnes already, whatever
--   element they name.
-- Codes with no factor (ores, ferrocerium) keep their product tonnes and have null content.
-- Incremental by year (dbt_project.yml, macros/trade_years.sql): only the years whose inputs
-- changed are rebuilt.

with year_inputs as (select * from {{ ref('int_trade_year_inputs') }}),
years_to_build as ({{ trade_years_to_build('year_inputs', is_incremental()) }}),

flows as (
    select * from {{ ref('int_trade_flows_reconciled') }}
    where year in (select year from years_to_build)
),

declarations as (
    select * from {{ ref('int_trade_declarations_annualized') }}
    where year in (select year from years_to_build)
),

hs_codes as (select * from {{ ref('hs_codes') }}),
headings as (select * from {{ ref('hs_headings') }}),

elements as (
    select symbol, element_per_oxide_factor, oxide_per_element_factor from {{ ref('int_elements_factored') }}
),

-- Shares of each element within a national line's total, from the customs declarations
-- (only where the lines name an element and all carry a weight, so the shares add up to 1).
element_lines as (
    select
        year,
        importer_iso3,
        exporter_iso3,
        hs_code,
        coalesce(element_symbol, 'REO') as element,
        sum(product_t) as product_t
    from declarations
    where record_family = 'customs'
    group by all
),

element_shares as (
    select
        *,
        product_t / sum(product_t) over (partition by year, importer_iso3, exporter_iso3, hs_code) as element_share
    from element_lines
    qualify bool_or(element <> 'REO') over (partition by year, importer_iso3, exporter_iso3, hs_code)
        and count(product_t) over (partition by year, importer_iso3, exporter_iso3, hs_code)
            = count(*) over (partition by year, importer_iso3, exporter_iso3, hs_code)
        and sum(product_t) over (partition by year, importer_iso3, exporter_iso3, hs_code) > 0
),

-- One factor row per code: the flow's own HS edition when the seed has it, else the latest.
factors as (
    select
        flows.trade_code,
        flows.hs_edition as flow_hs_edition,
        coalesce(hs_codes.stage, headings.stage) as stage,
        coalesce(hs_codes.product_basis, headings.product_basis) as product_basis,
        coalesce(hs_codes.reo_factor_t_per_t, headings.reo_factor_t_per_t) as reo_factor_t_per_t,
        coalesce(hs_codes.element_factor_t_per_t, headings.element_factor_t_per_t) as element_factor_t_per_t,
        nullif(hs_codes.element_symbol, '') as code_element,
        coalesce(hs_codes.factor_confidence, headings.factor_confidence) as factor_confidence
    from (select distinct trade_code, hs_edition from flows) as flows
    left join hs_codes on hs_codes.hs6 = flows.trade_code
    left join headings on cast(headings.heading as varchar) = flows.trade_code
    qualify row_number() over (
        partition by flows.trade_code, flows.hs_edition
        order by hs_codes.hs_edition = flows.hs_edition desc, hs_codes.hs_edition desc
    ) = 1
),

split as (
    select
        flows.*,
        factors.stage,
        factors.product_basis,
        factors.reo_factor_t_per_t,
        factors.element_factor_t_per_t,
        factors.factor_confidence,
        coalesce(element_shares.element, factors.code_element, 'REO') as element,
        case
            when element_shares.element is not null then 'national_line'
            when factors.code_element is not null then 'hs_code'
            else 'all_rare_earths'
        end as element_basis,
        flows.product_t * coalesce(element_shares.element_share, 1.0) as element_product_t,
        flows.value_fob_usd * coalesce(element_shares.element_share, 1.0) as element_value_fob_usd
    from flows
    left join factors
        on factors.trade_code = flows.trade_code and factors.flow_hs_edition = flows.hs_edition
    left join element_shares
        on element_shares.year = flows.year
        and element_shares.importer_iso3 = flows.importer_iso3
        and element_shares.exporter_iso3 = flows.exporter_iso3
        and element_shares.hs_code = flows.trade_code
),

content as (
    select
        split.*,
        case
            when split.element_factor_t_per_t is not null
                then split.element_product_t * split.element_factor_t_per_t
            else split.element_product_t * split.reo_factor_t_per_t
                * coalesce(own.element_per_oxide_factor, representative.element_per_oxide_factor)
        end as element_t
    from split
    left join elements as own on own.symbol = split.element
    -- Mixed rare earths: Nd2O3's factor stands in (the hs_codes seed's convention).
    cross join (select element_per_oxide_factor from elements where symbol = 'Nd') as representative
),

-- Named as fct_trade_flows publishes them, so downstream models read the same columns.
final as (
    select
        cast(content.year as varchar) as period,
        cast(content.year as integer) as year,
        content.stage,
        content.element,
        content.element_basis,
        content.exporter_iso3,
        content.importer_iso3,
        content.trade_code as hs6,
        content.hs_edition,
        content.element_product_t as product_t,
        content.element_t,
        case
            -- A named element's metal: its own oxide factor, not the representative one.
            when content.product_basis = 'metal' and own.oxide_per_element_factor is not null
                then content.element_t * own.oxide_per_element_factor
            else content.element_product_t * content.reo_factor_t_per_t
        end as reo_t,
        content.element_value_fob_usd as value_usd,
        content.reporting_side,
        content.importer_reported_t,
        content.exporter_reported_t,
        content.quantity_discrepancy_pct,
        content.value_discrepancy_pct,
        content.factor_confidence,
        content.source_kind,
        content.file_ids as file_id,
        cast(content.months_covered as integer) as months_covered,
        content.is_sample,
        years_to_build.inputs_fingerprint as year_inputs_fingerprint,
        '{{ invocation_id }}' as built_by_invocation_id
    from content
    inner join years_to_build using (year)
    left join elements as own on own.symbol = content.element
)

select * from final
