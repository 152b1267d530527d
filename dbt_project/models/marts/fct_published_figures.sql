-- Every cited published figure (quotas, shares, stockpiles, loss estimates), as printed.
with figures as (select * from {{ ref('int_published_figures_deduplicated') }}),

final as (
    select
        figure_id,
        topic,
        metric,
        subject_iso3,
        partner_iso3,
        year,
        period_label,
        element,
        stage,
        value,
        unit,
        definition,
        publication,
        table_or_page,
        edition,
        is_estimate,
        is_illustrative,
        confidence,
        notes,
        file_id
    from figures
)

select * from final
