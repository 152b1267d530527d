-- Every stage a scenario hits must be a chain stage or 'all': a misspelt stage would silently
-- give the scenario no rows for it.
with scenarios as (
    select * from {{ ref('disruption_scenarios') }}
),

hits as (
    select scenarios.scenario_id, trim(hit.stage) as stage
    from scenarios
    cross join unnest(string_split(scenarios.stages_hit, ';')) as hit (stage)
)

select hits.*
from hits
left join {{ ref('stages') }} as stages using (stage)
where stages.stage is null and hits.stage <> 'all'
