-- Every cited published figure (quotas, shares, stockpiles, loss estimates, investments), as
-- printed: how it is printed (value_qualifier, value_high), what it measures (basis,
-- quantity_key), whether a computation may use it (is_point_value) and where it is printed.
with figures as (select * from {{ ref('int_published_figures_deduplicated') }}),

final as (
    select
        figure_id,
        topic,
        metric,
        quantity,
        quantity_key,
        subject_iso3,
        partner_iso3,
        year,
        period_label,
        element,
        stage,
        value,
        value_high,
        unit,
        basis,
        value_qualifier,
        is_point_value,
        definition,
        publication,
        table_or_page,
        publication_date,
        url,
        attributed_to,
        edition,
        is_estimate,
        method,
        is_illustrative,
        confidence,
        notes,
        verified_in,
        file_id
    from figures
)

select * from final
