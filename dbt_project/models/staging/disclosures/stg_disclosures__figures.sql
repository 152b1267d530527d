-- Company disclosures as staged by ingest (register rows and figures found in report PDFs).
-- The register is curated as whole files: a register file landed again under the same name and
-- origin (an analyst's correction) supersedes its earlier landing, so rows deleted from it go too.
-- Report PDFs are documents, each kept; the same figure found twice is resolved downstream.
with source as (
    select * from {{ source('disclosures', 'company_disclosures') }}
),

landed as (
    select * from {{ ref('stg_landing__files') }}
),

current_landings as (
    select
        source.*,
        landed.source_kind,
        landed.original_name,
        landed.fetched_at
    from source
    inner join landed using (file_id)
    qualify landed.source_kind <> 'disclosure_register'
        or dense_rank() over (
            partition by landed.source_kind, landed.original_name, landed.request_json
            order by landed.fetched_at desc, source.file_id desc
        ) = 1
),

final as (
    select
        file_id,
        source_kind,
        original_name as file_name,
        fetched_at as landed_at,
        row_number as source_row_number,
        company_id,
        company_name,
        facility_id,
        country_iso3,
        stage,
        product_basis,
        -- 'Pr;Nd' and 'Nd;Pr' are one set: sorted so that figures compare.
        nullif(array_to_string(list_sort(string_split(elements, ';')), ';'), '') as element_set,
        period_label as printed_period_label,
        period_kind as printed_period_kind,
        period_start,
        period_end,
        metric,
        value_as_printed,
        unit_as_printed,
        quantity_t,
        quantity_is_annual_rate,
        share_pct,
        basis_is_reo,
        destination_iso3,
        document_title,
        publisher,
        document_date,
        url as document_url,
        cast(page as integer) as page,
        printed_page,
        vintage,
        method,
        is_estimate,
        confidence,
        matched_text,
        notes
    from current_landings
)

select * from final
