-- The disclosure figures of the landings that count. The register is curated as whole files: a
-- register file landed again under the same name and origin (an analyst's correction)
-- supersedes its earlier landing, so rows deleted from it go too (macro is_latest_landing).
-- Report PDFs are documents, each kept; the same figure found twice is resolved in
-- int_disclosures_calendarised.
with figures as (select * from {{ ref('stg_disclosures__figures') }}),
landed as (select * from {{ ref('stg_landing__files') }}),

final as (
    select
        figures.*,
        landed.source_kind,
        landed.original_name as file_name,
        landed.fetched_at as landed_at
    from figures
    inner join landed using (file_id)
    qualify landed.source_kind <> 'disclosure_register'
        or {{ is_latest_landing(
            ['landed.source_kind', 'landed.original_name', 'landed.request_json'],
            'landed.fetched_at', 'figures.file_id') }}
)

select * from final
