-- Disruption scenarios (seed disruption_scenarios: data, not code): an origin cut off for an
-- importer, a share of its supply and a duration, at the stages hit. Per scenario, element and
-- stage, over the duration, in t REO (Japan's demand: t as reported):
--   lost supply           cut share x the supply the origin provides in the base year
--                         (int_origin_supplies_selected: its latest import share x recorded
--                         imports, or x consumption where imports are not recorded)
--   after stockpile       lost supply - stockpile drawdown (int_stockpiles_valued: national +
--                         private, as in mart_stockpile_cover)
--   after re-routing      minus other producers' spare output: spare_output_pct of their output
--                         at the stage (mining for a whole-chain exposure, stage 'all'), without the
--                         cut origin (and, on a first-origin basis, without material mined there),
--                         all of it assumed to reach the importer: an upper bound
-- Where a published estimate of the economic loss exists it is carried beside the shortfall
-- (reference_*), cited; no economic model is computed here.
with scenarios as (select * from {{ ref('disruption_scenarios') }}),
stockpiles as (select * from {{ ref('int_stockpiles_valued') }}),
origins as (select * from {{ ref('int_origin_supplies_selected') }}),
traced as (select * from {{ ref('int_first_origins_traced') }}),
figures as (select * from {{ ref('fct_published_figures') }}),

scenario_stages as (
    select
        scenarios.*,
        trim(hit.stage) as stage
    from scenarios
    cross join unnest(string_split(scenarios.stages_hit, ';')) as hit (stage)
),

-- other producers' recorded output at the stage in the base year
alternatives as (
    select
        scenario_stages.scenario_id,
        scenario_stages.stage,
        sum(traced.quantity_t_reo) as alternative_output_t
    from scenario_stages
    inner join traced
        on traced.year = scenario_stages.base_year
        and traced.element = scenario_stages.element
        and traced.stage = case when scenario_stages.stage = 'all' then 'mining' else scenario_stages.stage end
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
        stockpiles.stockpile_t,
        origins.origin_share_pct,
        origins.share_period_label,
        origins.share_definition,
        origins.share_source,
        origins.supply_share_basis,
        origins.origin_supply_t_per_year,
        coalesce(alternatives.alternative_output_t, 0) as alternative_output_t
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
        round(rerouted.origin_share_pct, 6) as origin_share_pct,
        rerouted.share_period_label,
        rerouted.share_definition,
        rerouted.supply_share_basis,
        round(rerouted.lost_supply_t, 6) as lost_supply_t,
        round(rerouted.stockpile_t, 6) as stockpile_t,
        round(rerouted.stockpile_drawdown_t, 6) as stockpile_drawdown_t,
        round(rerouted.shortfall_after_stockpile_t, 6) as shortfall_after_stockpile_t,
        round(rerouted.stockpile_t / nullif(rerouted.lost_supply_t_per_year / 365, 0), 6) as days_until_stockpile_exhausted,
        rerouted.spare_output_pct,
        round(rerouted.spare_output_t, 6) as spare_output_t,
        round(rerouted.rerouted_t, 6) as rerouted_t,
        round(rerouted.shortfall_after_rerouting_t, 6) as shortfall_after_rerouting_t,
        round(100 * rerouted.shortfall_after_rerouting_t / nullif(rerouted.consumption_over_duration_t, 0), 6)
            as shortfall_pct_of_consumption,
        case
            when rerouted.consumption_t is null then 'no consumption recorded for the importer, stage and base year'
            when rerouted.origin_share_pct is null then 'no share of the cut origin in the latest import shares up to the base year'
        end as data_gap,
        rerouted.reference_figure_id,
        figures.value as reference_value,
        figures.unit as reference_unit,
        figures.definition as reference_definition,
        figures.publication as reference_publication,
        rerouted.description,
        rerouted.source as scenario_source,
        rerouted.share_source
    from rerouted
    left join figures on figures.figure_id = rerouted.reference_figure_id
)

select * from final
