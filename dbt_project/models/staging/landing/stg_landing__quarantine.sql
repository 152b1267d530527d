with source as (select * from {{ source('landing', 'quarantine') }}),

final as (
    select
        source as source_kind,
        file_id,
        file_name,
        row_number as source_row_number,
        reason,
        raw as raw_row
    from source
)

select * from final
