-- Attached to fct_company_production so that Dagster shows it as that asset's check.
{{ config(meta={'dagster': {'ref': {'name': 'fct_company_production'}}}) }}
-- Element content per tonne of REO must lie between the lowest and highest oxide -> element
-- factor of dim_elements (Sc2O3 0.65 .. Lu2O3 0.88): outside, a factor was applied twice or not
-- at all. Rounding to the gram allows a hair of slack.
with factors as (
    select min(element_per_oxide_factor) as lowest, max(element_per_oxide_factor) as highest
    from {{ ref('dim_elements') }}
)

select production.*
from {{ ref('fct_company_production') }} as production
cross join factors
where production.quantity_t_reo > 0
  and production.quantity_t_element is not null
  and (production.quantity_t_element / production.quantity_t_reo < factors.lowest - 1e-6
       or production.quantity_t_element / production.quantity_t_reo > factors.highest + 1e-6)
