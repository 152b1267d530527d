-- USGS MCS prices as staged, every landed version kept (the latest landing of a price wins in
-- int_prices_unioned). Renames only.
with source as (select * from {{ source('prices', 'usgs_prices') }}),

final as (
    select * rename (row_number as source_row_number, value as price_usd_per_kg)
    from source
)

select * from final
