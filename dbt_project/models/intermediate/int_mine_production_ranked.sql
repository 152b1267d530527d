-- USGS revises earlier years in later editions (China 2023: 240,000 t in MCS2024, 255,000 t in
-- MCS2025). Keep every edition and mark the latest one for each country-year: marts use it by default.
with production as (
    select * from {{ ref('stg_usgs__mine_production') }}
),

ranked as (
    select
        *,
        edition_year = max(edition_year) over (partition by country_iso3, year) as is_latest_edition
    from production
)

select * from ranked
