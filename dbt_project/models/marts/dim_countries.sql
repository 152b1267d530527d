with countries as (select * from {{ ref('stg_reference__countries') }}),

final as (
    select
        country_iso3,
        country_iso2,
        m49_code,
        country_name,
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
    from countries
)

select * from final
