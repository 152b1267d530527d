-- Published figures as staged, every landed version kept (a re-landed figure supersedes the
-- earlier one in int_published_figures_deduplicated).
with source as (
    select * from {{ source('published', 'published_figures') }}
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
    from source
)

select * from final
