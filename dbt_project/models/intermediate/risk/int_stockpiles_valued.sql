-- A country's stockpiles in tonnes against its consumption, per year, element and stage: the one
-- place stockpile tonnes are reckoned (mart_stockpile_cover and mart_disruption_scenarios both
-- read it). A stockpile held in days of consumption counts days x consumption / 365 (Japan: 42
-- national + 18 private days); the latest stockpile figures up to the year are used. Where no
-- stockpile is published the stockpile is 0 t (stockpile_figure_ids null).
with consumption as (select * from {{ ref('int_consumption_selected') }}),
stockpiles as (select * from {{ ref('int_stockpiles_pivoted') }}),

final as (
    select
        consumption.year,
        consumption.country_iso3,
        consumption.element,
        consumption.stage,
        consumption.consumption_t,
        consumption.consumption_basis,
        consumption.imports_t_reo,
        stockpiles.national_days,
        stockpiles.private_days,
        coalesce(stockpiles.national_t, 0) + coalesce(stockpiles.national_days, 0) * consumption.consumption_t / 365
            as national_stockpile_t,
        coalesce(stockpiles.private_t, 0) + coalesce(stockpiles.private_days, 0) * consumption.consumption_t / 365
            as private_stockpile_t,
        stockpiles.stockpile_figure_ids,
        stockpiles.stockpile_source
    from consumption
    left join stockpiles
        on stockpiles.country_iso3 = consumption.country_iso3
        and stockpiles.element = consumption.element
        and stockpiles.stage = consumption.stage
        and stockpiles.figure_year <= consumption.year
)

select
    *,
    national_stockpile_t + private_stockpile_t as stockpile_t
from final
