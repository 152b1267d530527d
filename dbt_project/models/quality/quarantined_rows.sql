-- Rows ingest refused, with the file, row and reason: nothing is dropped silently.
with quarantine as (select * from {{ ref('stg_landing__quarantine') }}),

final as (
    select source_kind, file_id, file_name, source_row_number, reason, raw_row
    from quarantine
)

select * from final
