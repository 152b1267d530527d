-- Disruption scenarios (seed disruption_scenarios: data, not code): an origin cut off for an
-- importer, a share of its supply and a duration, at the stages hit. Per scenario, element and
-- stage, over the duration, in the consumption's basis (quantity_basis: t REO where apparent
-- consumption is computed; Japan's demand is t, basis not stated):
--   lost supply           cut share x the supply the origin provides in the base year
--                         (int_origin_supplies_selected: its latest import share x recorded
--                         imports, or x consumption where imports are not recorded); at least
--                         this where part of the imports' origin is unknown
--                         (is_origin_share_lower_bound), and so are the shortfalls
--   after stockpile       lost supply - stockpile drawdown (int_stockpiles_valued: national +
--                         private, as in mart_stockpile_cover; tonnes derived from days of
--                         consumption are flagged, is_stockpile_t_derived)
--   after re-routing      minus other producers' spare output at the RE-ROUTING STAGE: the stage
--                         that is short, or the seed's rerouting_stage (required for a whole-chain
--                         exposure, with the importer's processing capacity stated; Japan: separated
--                         oxides, never mine ore, which Japan cannot process). spare_output_pct of
--                         their recorded output there, without the cut origin (and, on a
--                         first-origin basis, without material mined there), all of it assumed to
--                         reach the importer: an upper bound
--   shortfall value       the shortfall after re-routing valued at the cheapest and the dearest
--                         oxide price USGS prints for the base year (latest edition, each named):
--                         a range, not a value (a shortfall of mixed rare earths has no one price)
-- Where a published estimate of the economic loss exists it is carried beside the shortfall
-- (reference_*), cited; no economic model is computed here.
with scenarios as (select * from {{ ref('disruption_scenarios') }}),
stockpiles as (select * from {{ ref('int_stockpiles_valued') }}),
origins as (select * from {{ ref('int_origin_supplies_selected') }}),
traced as (select * from {{ ref('int_first_origins_traced') }}),
figures as (select * from {{ ref('fct_published_figures') }}),

-- The oxide prices of each year, latest edition: the cheapest and the dearest, named.
oxide_prices as (
    select * from {{ ref('int_prices_unioned') }}
    where source_kind = 'usgs_mcs' and is_latest_edition and ends_with(product, '_oxide')
),

price_ranges as (
    select
        year as price_year,
        arg_min(product, (price_usd_per_kg, product)) as price_low_product,
        min(price_usd_per_kg) as price_low_usd_per_kg,
        arg_max(product, (price_usd_per_kg, product)) as price_high_product,
        max(price_usd_per_kg) as price_high_usd_per_kg,
        string_agg(distinct edition, ', ' order by edition) as price_editions,
        bool_or(is_estimate) as is_price_estimate
    from oxide_prices
    group by year
),

scenario_stages as (
    select
        scenarios.*,
        trim(hit.stage) as stage,
        coalesce(nullif(trim(scenarios.rerouting_stage), ''), trim(hit.stage)) as spare_output_stage
    from scenarios
    cross join unnest(string_split(scenarios.stages_hit, ';')) as hit (stage)
),

-- other producers' recorded output at the re-routing stage in the base year
alternatives as (
    select
        scenario_stages.scenario_id,
        scenario_stages.stage,
        sum(traced.quantity_t_reo) as alternative_output_t
    from scenario_stages
    inner join traced
        on traced.year = scenario_stages.base_year
        and traced.element = scenario_stages.element
        and traced.stage = scenario_stages.spare_output_stage
        and traced.mix_kind = 'output'
        and traced.is_production_recorded
        and traced.country_iso3 <> scenario_stages.cut_origin_iso3
        and (scenario_stages.origin_basis = 'immediate_supplier'
             or traced.first_origin_iso3 <> scenario_stages.cut_origin_iso3)
    group by scenario_stages.scenario_id, scenario_stages.stage
),

joined as (
    select
        scenario_stages.*,
        stockpiles.consumption_t,
        stockpiles.consumption_basis,
        stockpiles.consumption_quantity_basis,
        stockpiles.consumption_value_qualifier,
        stockpiles.is_consumption_estimate,
        stockpiles.stockpile_t,
        stockpiles.stockpile_value_qualifier,
        stockpiles.is_stockpile_t_derived,
        stockpiles.is_stockpile_estimate,
        stockpiles.stockpile_other_prints,
        origins.origin_share_pct,
        origins.is_share_estimate,
        origins.unknown_origin_pct,
        origins.is_share_lower_bound,
        origins.is_first_origin_trace_complete,
        origins.share_period_label,
        origins.share_definition,
        origins.share_origin_method,
        origins.share_source,
        origins.supply_share_basis,
        origins.origin_supply_t_per_year,
        coalesce(alternatives.alternative_output_t, 0) as alternative_output_t,
        price_ranges.*
    from scenario_stages
    left join stockpiles
        on stockpiles.country_iso3 = scenario_stages.importer_iso3
        and stockpiles.element = scenario_stages.element
        and stockpiles.stage = scenario_stages.stage
        and stockpiles.year = scenario_stages.base_year
    left join origins
        on origins.country_iso3 = scenario_stages.importer_iso3
        and origins.element = scenario_stages.element
        and origins.stage = scenario_stages.stage
        and origins.year = scenario_stages.base_year
        and origins.origin_basis = scenario_stages.origin_basis
        and origins.origin_iso3 = scenario_stages.cut_origin_iso3
    left join alternatives
        on alternatives.scenario_id = scenario_stages.scenario_id and alternatives.stage = scenario_stages.stage
    left join price_ranges on price_ranges.price_year = scenario_stages.base_year
),

lost as (
    select
        *,
        consumption_t * duration_days / 365 as consumption_over_duration_t,
        cut_share_pct / 100 * origin_supply_t_per_year as lost_supply_t_per_year,
        cut_share_pct / 100 * origin_supply_t_per_year * duration_days / 365 as lost_supply_t,
        spare_output_pct / 100 * alternative_output_t * duration_days / 365 as spare_output_t
    from joined
),

drawn as (
    select
        *,
        least(stockpile_t, lost_supply_t) as stockpile_drawdown_t,
        lost_supply_t - least(stockpile_t, lost_supply_t) as shortfall_after_stockpile_t
    from lost
),

rerouted as (
    select
        *,
        least(spare_output_t, shortfall_after_stockpile_t) as rerouted_t,
        shortfall_after_stockpile_t - least(spare_output_t, shortfall_after_stockpile_t) as shortfall_after_rerouting_t
    from drawn
),

final as (
    select
        rerouted.scenario_id,
        rerouted.scenario_name,
        rerouted.importer_iso3,
        rerouted.cut_origin_iso3,
        rerouted.origin_basis,
        rerouted.cut_share_pct,
        rerouted.duration_days,
        rerouted.base_year,
        rerouted.element,
        rerouted.stage,
        round(rerouted.consumption_t, 6) as consumption_t_per_year,
        rerouted.consumption_basis,
        rerouted.consumption_quantity_basis as quantity_basis,
        rerouted.consumption_value_qualifier,
        round(rerouted.origin_share_pct, 6) as origin_share_pct,
        rerouted.share_period_label,
        rerouted.share_definition,
        rerouted.share_origin_method,
        rerouted.supply_share_basis,
        rerouted.unknown_origin_pct,
        rerouted.is_share_lower_bound as is_origin_share_lower_bound,
        rerouted.is_first_origin_trace_complete,
        round(rerouted.lost_supply_t, 6) as lost_supply_t,
        round(rerouted.stockpile_t, 6) as stockpile_t,
        rerouted.stockpile_value_qualifier,
        rerouted.stockpile_other_prints,
        coalesce(rerouted.is_stockpile_t_derived, false) as is_stockpile_t_derived,
        round(rerouted.stockpile_drawdown_t, 6) as stockpile_drawdown_t,
        round(rerouted.shortfall_after_stockpile_t, 6) as shortfall_after_stockpile_t,
        round(rerouted.stockpile_t / nullif(rerouted.lost_supply_t_per_year / 365, 0), 6) as days_until_stockpile_exhausted,
        rerouted.spare_output_pct,
        rerouted.spare_output_stage,
        rerouted.rerouting_capacity_note,
        round(rerouted.alternative_output_t, 6) as alternative_output_t,
        round(rerouted.spare_output_t, 6) as spare_output_t,
        round(rerouted.rerouted_t, 6) as rerouted_t,
        round(rerouted.shortfall_after_rerouting_t, 6) as shortfall_after_rerouting_t,
        round(100 * rerouted.shortfall_after_rerouting_t / nullif(rerouted.consumption_over_duration_t, 0), 6)
            as shortfall_pct_of_consumption,
        rerouted.price_year,
        rerouted.price_editions,
        rerouted.price_low_product,
        rerouted.price_low_usd_per_kg,
        rerouted.price_high_product,
        rerouted.price_high_usd_per_kg,
        round(rerouted.shortfall_after_rerouting_t * 1000 * rerouted.price_low_usd_per_kg, 2) as shortfall_value_low_usd,
        round(rerouted.shortfall_after_rerouting_t * 1000 * rerouted.price_high_usd_per_kg, 2) as shortfall_value_high_usd,
        case
            when rerouted.price_year is not null then
                'shortfall after re-routing x 1,000 kg/t x the cheapest (' || rerouted.price_low_product
                || ') and the dearest (' || rerouted.price_high_product || ') oxide price USGS prints for '
                || rerouted.price_year || ' (' || rerouted.price_editions || ', latest edition): a range, not a '
                || 'value; the shortfall''s element mix is not known'
                || case when rerouted.consumption_quantity_basis <> 't_REO'
                    then ' and its tonnes are ' || rerouted.consumption_quantity_basis || ', valued as if t REO' else '' end
        end as shortfall_value_method,
        coalesce(rerouted.is_consumption_estimate, false) or coalesce(rerouted.is_stockpile_estimate, false)
            or coalesce(rerouted.is_share_estimate, false) or rerouted.spare_output_pct > 0 as is_estimate,
        case
            when rerouted.consumption_t is null then 'no consumption recorded for the importer, stage and base year'
            when rerouted.origin_share_pct is null then 'no share of the cut origin in the latest import shares up to the base year'
        end as data_gap,
        rerouted.reference_figure_id,
        figures.value as reference_value,
        figures.unit as reference_unit,
        figures.definition as reference_definition,
        figures.publication as reference_publication,
        figures.attributed_to as reference_attributed_to,
        figures.value_qualifier as reference_value_qualifier,
        rerouted.description,
        rerouted.source as scenario_source,
        rerouted.share_source
    from rerouted
    left join figures on figures.figure_id = rerouted.reference_figure_id
)

select * from final
