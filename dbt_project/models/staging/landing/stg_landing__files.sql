with source as (select * from {{ source('landing', 'landed_files') }}),

final as (
    select
        file_id,
        source as source_kind,
        original_name,
        path as landed_path,
        sha256,
        size_bytes,
        cast(fetched_at as timestamp) as fetched_at,
        request_json,
        vintage,
        row_count
    from source
    -- The same bytes landed for two source kinds share a file_id; keep the first landing.
    qualify row_number() over (partition by file_id order by fetched_at) = 1
)

select * from final
