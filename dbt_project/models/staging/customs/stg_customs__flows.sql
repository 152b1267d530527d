-- National customs tariff lines, typed: quantities in kg and t, the value in the file's own
-- currency (Japan: yen; converted to USD only where the file gives USD), period as published.
with source as (select * from {{ source('customs', 'customs_records') }}),

final as (
    select
        file_id,
        record_number,
        mapping_name,
        reporter_iso3,
        partner_iso3,
        partner_code_national,
        flow_code,
        case flow_code when 'M' then 'import' when 'X' then 'export' end as direction,
        period,
        cast(substr(period, 1, 4) as integer) as year,
        case when length(period) = 6 then cast(substr(period, 5, 2) as integer) end as month,
        national_code,
        hs6,
        element_symbol,
        quantity_kg,
        quantity_kg / 1000.0 as product_t,
        value_national,
        currency,
        value_usd
    from source
)

select * from final
