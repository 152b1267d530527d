-- USGS MCS world mine production as staged, every landed edition kept (which landing of an
-- edition counts is decided in int_mine_production_ranked). Renames only; the other columns as
-- staged.
with source as (select * from {{ source('usgs', 'usgs_mine_production') }}),

final as (
    select * rename (row_number as source_row_number)
    from source
)

select * from final
