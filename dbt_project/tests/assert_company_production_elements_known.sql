-- Attached to fct_company_production so that Dagster shows it as that asset's check.
{{ config(meta={'dagster': {'ref': {'name': 'fct_company_production'}}}) }}
-- Every element of a company figure is an element symbol or an aggregate code (REO, NdPr). A
-- product naming another group of elements needs that group in seeds/element_aggregates.csv.
with production as (
    select distinct element from {{ ref('fct_company_production') }}
),

known as (
    select symbol as element from {{ ref('dim_elements') }}
    union all
    select aggregate_code from {{ ref('element_aggregates') }}
)

select production.element
from production
anti join known using (element)
