-- Published figures as staged, every landed version kept (a re-landed figure supersedes the
-- earlier one in int_published_figures_deduplicated). Renames only; the other columns as staged.
with source as (select * from {{ source('published', 'published_figures') }}),

final as (
    select * rename (row_number as source_row_number)
    from source
)

select * from final
