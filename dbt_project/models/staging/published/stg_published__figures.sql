-- A figure re-landed after a correction supersedes the earlier landing of the same figure_id.
with source as (
    select * from {{ source('published', 'published_figures') }}
),

landed as (
    select * from {{ ref('stg_landing__files') }}
),

latest_landing as (
    select
        source.*,
        landed.fetched_at
    from source
    inner join landed using (file_id)
    qualify row_number() over (partition by source.figure_id order by landed.fetched_at desc, source.file_id) = 1
),

final as (
    select
        file_id,
        row_number as source_row_number,
        figure_id,
        topic,
        metric,
        subject_iso3,
        partner_iso3,
        year,
        period_label,
        element,
        stage,
        value,
        unit,
        definition,
        publication,
        table_or_page,
        edition,
        is_estimate,
        is_illustrative,
        confidence,
        notes
    from latest_landing
)

select * from final
