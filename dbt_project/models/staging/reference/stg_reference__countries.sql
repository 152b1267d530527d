-- Countries from country_converter (ingest/countries.py) with the reserved groups. Renames only;
-- the other columns as staged.
with source as (select * from {{ source('reference', 'countries') }}),

final as (
    select * rename (iso3 as country_iso3, iso2 as country_iso2, name as country_name)
    from source
)

select * from final
