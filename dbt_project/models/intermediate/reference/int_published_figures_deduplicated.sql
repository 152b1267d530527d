-- Each published figure once: a figure re-landed after a correction supersedes the earlier
-- landing of the same figure_id (macro is_latest_landing).
with figures as (select * from {{ ref('stg_published__figures') }}),

landed as (
    select file_id, fetched_at as landed_at from {{ ref('stg_landing__files') }}
),

final as (
    select figures.*
    from figures
    inner join landed using (file_id)
    qualify {{ is_latest_landing(['figures.figure_id'], 'landed.landed_at', 'figures.file_id') }}
)

select * from final
