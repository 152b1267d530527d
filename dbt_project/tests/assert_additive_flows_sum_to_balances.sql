-- The grain of fct_element_stage_flows is honest: summing its tonnes per country, year, stage,
-- element and flow gives mart_country_balances' production, imports and exports (trade in a
-- named element also counts in REO, as in the balances). Fails on every cell that differs by
-- more than a kilogram.
with flows as (select * from {{ ref('fct_element_stage_flows') }}),

trade as (
    select * from flows
    where flow_type = 'trade'
),

trade_rolled_up as (
    {{ with_reo_rollup('trade') }}
),

summed as (
    select year, element, stage, origin_iso3 as country_iso3, 'production' as component, sum(reo_t) as flows_t_reo
    from flows
    where flow_type = 'production' and is_in_producer_balance
    group by all
    union all
    select year, element, stage, destination_iso3, 'imports', sum(reo_t)
    from trade_rolled_up
    where is_in_importer_balance
    group by all
    union all
    select year, element, stage, origin_iso3, 'exports', sum(reo_t)
    from trade_rolled_up
    where is_in_exporter_balance
    group by all
),

balances as (
    select year, element, stage, country_iso3, 'production' as component, production_t_reo as balance_t_reo
    from {{ ref('mart_country_balances') }}
    union all
    select year, element, stage, country_iso3, 'imports', imports_t_reo
    from {{ ref('mart_country_balances') }}
    union all
    select year, element, stage, country_iso3, 'exports', exports_t_reo
    from {{ ref('mart_country_balances') }}
)

select *
from summed
full outer join balances using (year, element, stage, country_iso3, component)
where abs(coalesce(flows_t_reo, 0) - coalesce(balance_t_reo, 0)) > 0.001
