-- Country rows of an MCS edition must add up to its rounded world total within the tolerance
-- (USGS rounds the total; a footnote digit fused into a number breaks this by far more).
-- Editions that omit countries (MCS2019-2023, MCS2026 lack Nigeria and "Other") can only fall
-- short, so only an excess is an error there.
with production as (
    select * from {{ ref('fct_mine_production') }}
),

sums as (
    select
        edition,
        year,
        sum(case when not is_world_total then production_t_reo end) as countries_t,
        max(case when is_world_total then production_t_reo end) as world_t
    from production
    group by edition, year
)

select *
from sums
where countries_t > world_t * (1 + {{ var('world_total_tolerance_pct') }} / 100.0)
