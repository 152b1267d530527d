-- Every MCS edition is kept. A file re-landed for the same edition (a corrected transcription)
-- supersedes the earlier landing of that edition.
with source as (
    select * from {{ source('usgs', 'usgs_mine_production') }}
),

landed as (
    select * from {{ ref('stg_landing__files') }}
),

latest_landing_per_edition as (
    select
        source.*,
        landed.fetched_at
    from source
    inner join landed using (file_id)
    qualify dense_rank() over (partition by source.edition order by landed.fetched_at desc, source.file_id desc) = 1
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
    from latest_landing_per_edition
)

select * from final
