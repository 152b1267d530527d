-- Diversification projects as staged, every landed version kept. Renames only.
with source as (select * from {{ source('diversification', 'diversification_projects') }}),

final as (
    select * rename (row_number as source_row_number)
    from source
)

select * from final
