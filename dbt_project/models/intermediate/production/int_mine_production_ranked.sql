-- USGS world mine production, every edition kept and the one marts use marked.
--   * Landing: a file re-landed for an edition (a corrected transcription) supersedes the
--     earlier landing of that edition (macro is_latest_landing).
--   * Edition: USGS revises earlier years in later editions (China 2023: 240,000 t in MCS2024,
--     255,000 t in MCS2025). is_latest_edition marks, for each year, every row of the latest
--     edition reporting that year: one edition per year, so a year's shares never mix editions
--     (ranked per country, 2024 took China from MCS2026 and Nigeria from MCS2025, and the
--     countries covered 104 % of the world total). A country the latest edition leaves out
--     (MCS2026 omits Nigeria and "Other") keeps its earlier editions' rows, not marked latest.
with production as (select * from {{ ref('stg_usgs__mine_production') }}),

landed as (
    select file_id, fetched_at as landed_at from {{ ref('stg_landing__files') }}
),

latest_landings as (
    select production.*
    from production
    inner join landed using (file_id)
    qualify {{ is_latest_landing(['production.edition'], 'landed.landed_at', 'production.file_id') }}
),

final as (
    select
        *,
        edition_year = max(edition_year) over (partition by year) as is_latest_edition
    from latest_landings
)

select * from final
