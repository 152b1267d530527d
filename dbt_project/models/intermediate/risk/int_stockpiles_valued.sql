-- A country's stockpiles in tonnes against its consumption, per year, element and stage: the one
-- place stockpile tonnes are reckoned (mart_stockpile_cover and mart_disruption_scenarios both
-- read it). A stockpile published in tonnes counts as published. One published in days of
-- consumption has no tonnes of its own: they are DERIVED here as days x consumption / 365 (Japan:
-- 42 national + 18 private days, a stated target, x its reported demand), flagged
-- (is_stockpile_t_derived) with the arithmetic in stockpile_t_method, and in the consumption's
-- basis (t, basis not stated, for Japan). Days published stay the days of cover: they are never
-- recomputed from the tonnes derived from them. The latest stockpile figures up to the year are
-- used. Where no stockpile is published the stockpile is 0 t (stockpile_figure_ids null).
with consumption as (select * from {{ ref('int_consumption_selected') }}),
stockpiles as (select * from {{ ref('int_stockpiles_pivoted') }}),

joined as (
    select
        consumption.year,
        consumption.country_iso3,
        consumption.element,
        consumption.stage,
        consumption.consumption_t,
        consumption.consumption_basis,
        consumption.consumption_quantity_basis,
        consumption.consumption_value_qualifier,
        consumption.is_consumption_estimate,
        consumption.imports_t_reo,
        stockpiles.national_days,
        stockpiles.private_days,
        stockpiles.national_t,
        stockpiles.private_t,
        stockpiles.stockpile_value_qualifier,
        coalesce(stockpiles.is_stockpile_estimate, false) as is_stockpile_estimate,
        stockpiles.stockpile_figure_ids,
        stockpiles.stockpile_source,
        stockpiles.stockpile_other_prints
    from consumption
    left join stockpiles
        on stockpiles.country_iso3 = consumption.country_iso3
        and stockpiles.element = consumption.element
        and stockpiles.stage = consumption.stage
        and stockpiles.figure_year <= consumption.year
),

final as (
    select
        * exclude (national_t, private_t),
        coalesce(national_t, 0) + coalesce(national_days, 0) * consumption_t / 365 as national_stockpile_t,
        coalesce(private_t, 0) + coalesce(private_days, 0) * consumption_t / 365 as private_stockpile_t,
        -- days of cover as published: only where every stockpile figure is in days
        case
            when coalesce(national_days, private_days) is not null and coalesce(national_t, private_t) is null
                then coalesce(national_days, 0) + coalesce(private_days, 0)
        end as published_days,
        coalesce(national_days, private_days) is not null as is_stockpile_t_derived,
        case
            when coalesce(national_days, private_days) is not null then
                'derived: ' || concat_ws(' + ',
                    case when national_days is not null then printf('%g', national_days) || ' national days' end,
                    case when private_days is not null then printf('%g', private_days) || ' private days' end)
                || coalesce(' (' || stockpile_value_qualifier || ')', '')
                || ' x consumption ' || format('{:,.0f}', consumption_t) || ' t/yr ('
                || coalesce(consumption_quantity_basis, 'basis unknown')
                || coalesce(', ' || consumption_value_qualifier, '') || ') / 365'
                || case when coalesce(national_t, private_t) is not null then ' + tonnes as published' else '' end
            when stockpile_figure_ids is not null then 'as published (t)'
        end as stockpile_t_method
    from joined
)

select
    *,
    national_stockpile_t + private_stockpile_t as stockpile_t
from final
