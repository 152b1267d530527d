-- Producers' realized and average selling prices as staged, every landed version kept. Renames
-- only (value as printed, in unit; price_per_kg already per kg in the printed currency).
with source as (select * from {{ source('prices', 'company_prices') }}),

final as (
    select * rename (row_number as source_row_number, value as price_value)
    from source
)

select * from final
