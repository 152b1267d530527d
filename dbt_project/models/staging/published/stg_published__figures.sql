-- Published figures as staged, every landed version kept (a re-landed figure supersedes the
-- earlier one in int_published_figures_deduplicated). Renames only; the other columns as staged
-- (the register's issue-12 columns included: value_qualifier, value_high, basis, method,
-- publication_date, url, attributed_to, verified_in).
with source as (select * from {{ source('published', 'published_figures') }}),

final as (
    select * rename (row_number as source_row_number)
    from source
)

select * from final
