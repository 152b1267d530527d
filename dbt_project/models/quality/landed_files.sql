-- The landing manifest: every raw input the warehouse was built from.
with landed as (select * from {{ ref('stg_landing__files') }}),

final as (
    select file_id, source_kind, original_name, sha256, size_bytes, fetched_at, request_json, vintage, row_count
    from landed
)

select * from final
