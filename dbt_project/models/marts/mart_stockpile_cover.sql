-- Days of cover of a country's stockpiles (national + private) per element, stage and year, and
-- how long they last when one origin is cut off.
--   stockpile_t          national + private stockpile (int_stockpiles_valued: one held in days
--                        of consumption counts days x consumption / 365; Japan: 42 + 18 days)
--   days_of_cover        stockpile_t / (consumption / 365)            (DOMAIN s.4)
--   days_of_cover_if_cut stockpile_t / supply lost per day, the supply the origin provides
--                        (int_origin_supplies_selected: its latest share x recorded imports, or
--                        x consumption where imports are not recorded; supply_share_basis says which)
-- One row per origin and origin basis of the import shares up to the year; a row without origin
-- where no shares are known.
with stockpiles as (
    select * from {{ ref('int_stockpiles_valued') }}
    where stockpile_figure_ids is not null
),

origins as (select * from {{ ref('int_origin_supplies_selected') }}),

final as (
    select
        stockpiles.year,
        stockpiles.country_iso3,
        stockpiles.element,
        stockpiles.stage,
        round(stockpiles.consumption_t, 6) as consumption_t_per_year,
        stockpiles.consumption_basis,
        cast(stockpiles.national_days as double) as national_stockpile_days,
        cast(stockpiles.private_days as double) as private_stockpile_days,
        round(stockpiles.national_stockpile_t, 6) as national_stockpile_t,
        round(stockpiles.private_stockpile_t, 6) as private_stockpile_t,
        round(stockpiles.stockpile_t, 6) as stockpile_t,
        round(stockpiles.stockpile_t / (stockpiles.consumption_t / 365), 6) as days_of_cover,
        origins.origin_basis,
        origins.origin_iso3 as cut_origin_iso3,
        round(origins.origin_share_pct, 6) as cut_origin_share_pct,
        origins.share_period_label,
        origins.share_definition,
        origins.supply_share_basis,
        round(origins.origin_supply_t_per_year / 365, 6) as lost_supply_t_per_day,
        round(stockpiles.stockpile_t / nullif(origins.origin_supply_t_per_year / 365, 0), 6) as days_of_cover_if_cut,
        stockpiles.stockpile_figure_ids,
        stockpiles.stockpile_source,
        origins.share_source
    from stockpiles
    left join origins using (year, country_iso3, element, stage)
)

select * from final
