with source as (
    select * from {{ source('reference', 'countries') }}
),

final as (
    select
        iso3 as country_iso3,
        iso2 as country_iso2,
        m49_code,
        name as country_name,
        official_name,
        continent,
        un_region,
        is_aggregate,
        is_eu27,
        is_oecd,
        is_g7,
        is_g20,
        is_bric,
        classification_source
    from source
)

select * from final
