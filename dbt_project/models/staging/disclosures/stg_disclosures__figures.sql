-- Company disclosures as staged by ingest (register rows and figures found in report PDFs),
-- every landed file kept (which landings count: int_disclosure_figures_deduplicated).
with source as (select * from {{ source('disclosures', 'company_disclosures') }}),

final as (
    select
        file_id,
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
    from source
)

select * from final
