-- Attached to mart_stage_concentration so that Dagster shows it as that asset's check.
{{ config(meta={'dagster': {'ref': {'name': 'mart_stage_concentration'}}}) }}
-- The countries' shares of one group (year, stage, element, kind of evidence) are parts of one
-- whole: together at most 100 % plus the rounding of the world total they are shares of (var
-- world_total_tolerance_pct). More means a group mixes sources, e.g. two USGS editions.
select
    year,
    stage,
    element,
    source_kind,
    sum(share_pct) as shares_pct
from {{ ref('mart_stage_concentration') }}
where entity_kind = 'country'
group by year, stage, element, source_kind
having sum(share_pct) > 100 + {{ var('world_total_tolerance_pct') }}
