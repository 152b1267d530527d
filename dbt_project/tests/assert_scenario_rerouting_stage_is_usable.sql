-- Re-routing may only count spare output the importer can use (issue 12, finding 6): output at
-- the stage that is short, or above it (ore for oxides) only where the importer's capacity to
-- process it is stated, never below it (magnets do not turn back into oxides). Fails on a
-- whole-chain exposure (stage 'all', no stage of its own) without a re-routing stage and a
-- stated capacity (rerouting_capacity_note), on a re-routing stage above the stage hit without
-- one, and on any re-routing stage below the stage hit.
with scenarios as (select * from {{ ref('disruption_scenarios') }}),
stages as (select * from {{ ref('stages') }}),

hits as (
    select
        scenarios.scenario_id,
        trim(hit.stage) as stage,
        nullif(trim(scenarios.rerouting_stage), '') as rerouting_stage,
        nullif(trim(scenarios.rerouting_capacity_note), '') as rerouting_capacity_note,
        scenarios.spare_output_pct
    from scenarios
    cross join unnest(string_split(scenarios.stages_hit, ';')) as hit (stage)
)

select hits.*
from hits
left join stages as hit_stage on hit_stage.stage = hits.stage
left join stages as rerouted on rerouted.stage = hits.rerouting_stage
where (hits.stage = 'all' and (hits.rerouting_stage is null or hits.rerouting_capacity_note is null))
   or (rerouted.chain_order < hit_stage.chain_order and hits.rerouting_capacity_note is null)
   or rerouted.chain_order > hit_stage.chain_order
