-- Days of cover of a country's stockpiles (national + private) per element, stage and year, and
-- how long they last when one origin is cut off.
--   days_of_cover        as published where the stockpile is published in days (Japan: 42 + 18
--                        days, a stated target: stockpile_value_qualifier); computed as
--                        stockpile_t / (consumption / 365) (DOMAIN s.4) only where it is
--                        published in tonnes. Never days -> tonnes -> days.
--   stockpile_t          national + private, t (int_stockpiles_valued): where published in days,
--                        derived as days x consumption / 365, flagged (is_stockpile_t_derived,
--                        stockpile_t_method), in the consumption's basis (quantity_basis)
--   days_of_cover_if_cut stockpile_t / supply lost per day, the supply the origin provides
--                        (int_origin_supplies_selected: its latest share x recorded imports, or
--                        x consumption where imports are not recorded; supply_share_basis says
--                        which). With days-derived tonnes and supply = share x consumption it is
--                        days / share; days_of_cover_if_cut_method says what it rests on.
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
        stockpiles.consumption_quantity_basis as quantity_basis,
        stockpiles.consumption_value_qualifier,
        cast(stockpiles.national_days as double) as national_stockpile_days,
        cast(stockpiles.private_days as double) as private_stockpile_days,
        stockpiles.stockpile_value_qualifier,
        round(stockpiles.national_stockpile_t, 6) as national_stockpile_t,
        round(stockpiles.private_stockpile_t, 6) as private_stockpile_t,
        round(stockpiles.stockpile_t, 6) as stockpile_t,
        stockpiles.is_stockpile_t_derived,
        stockpiles.stockpile_t_method,
        round(coalesce(stockpiles.published_days, stockpiles.stockpile_t / (stockpiles.consumption_t / 365)), 6)
            as days_of_cover,
        case
            when stockpiles.published_days is not null
                then 'as published, days of consumption' || coalesce(' (' || stockpiles.stockpile_value_qualifier || ')', '')
            else 'computed: stockpile t / (consumption / 365)'
        end as days_of_cover_basis,
        origins.origin_basis,
        origins.origin_iso3 as cut_origin_iso3,
        round(origins.origin_share_pct, 6) as cut_origin_share_pct,
        origins.share_period_label,
        origins.share_definition,
        origins.share_origin_method,
        origins.supply_share_basis,
        origins.unknown_origin_pct,
        origins.is_share_lower_bound as is_origin_share_lower_bound,
        origins.is_first_origin_trace_complete,
        round(origins.origin_supply_t_per_year / 365, 6) as lost_supply_t_per_day,
        round(stockpiles.stockpile_t / nullif(origins.origin_supply_t_per_year / 365, 0), 6) as days_of_cover_if_cut,
        case
            when origins.origin_iso3 is not null then
                'stockpile t (' || stockpiles.stockpile_t_method || ') / supply lost per day ('
                || origins.supply_share_basis || ')'
        end as days_of_cover_if_cut_method,
        stockpiles.is_stockpile_estimate or stockpiles.is_consumption_estimate
            or coalesce(origins.is_share_estimate, false) as is_estimate,
        stockpiles.stockpile_figure_ids,
        stockpiles.stockpile_source,
        stockpiles.stockpile_other_prints,
        origins.share_source
    from stockpiles
    left join origins using (year, country_iso3, element, stage)
)

select * from final
