-- USGS MCS world mine production as staged, every landed edition kept (which landing of an
-- edition counts is decided in int_mine_production_ranked).
with source as (
    select * from {{ source('usgs', 'usgs_mine_production') }}
),

final as (
    select
        file_id,
        row_number as source_row_number,
        edition,
        edition_year,
        country_name,
        country_iso3,
        is_world_total,
        year,
        production_t_reo,
        is_estimate,
        reserves_t_reo,
        production_notes,
        citation
    from source
)

select * from final
