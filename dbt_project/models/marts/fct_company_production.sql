-- Company production, capacity and sales by period, facility, stage and element, in tonnes of
-- element content and of REO, every vintage kept (is_latest_vintage marks the one to use).
-- Rows with different `element` are the same output at different levels (REO, NdPr, Nd, Pr):
-- never add them up across elements. is_estimate rows rely on an assumption in
-- reference.ndpr_split or reference.deposit_element_distribution.
with production as (select * from {{ ref('int_production_normalized') }}),

final as (
    select
        period_label,
        period_start,
        period_end,
        year,
        period_kind,
        company_id,
        company_name,
        facility_id,
        country_iso3,
        stage,
        element,
        metric,
        quantity_t_element,
        quantity_t_reo,
        product_basis,
        method,
        is_estimate,
        vintage,
        is_latest_vintage,
        document_title,
        publisher,
        document_url,
        page,
        confidence,
        notes,
        file_id
    from production
)

select * from final
