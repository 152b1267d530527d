-- Import shares by partner as printed in publications (source kind published_aggregate).
-- Each row keeps the publication's own definition: value vs volume and product scope differ.
with published as (
    select * from {{ ref('int_published_figures_deduplicated') }}
    -- point values only: a bound, range or 'as of' claim is shown in fct_published_figures (issue 12)
    where metric = 'import_share_pct' and not is_illustrative and is_point_value
),

final as (
    select
        figure_id,
        subject_iso3 as importer_iso3,
        period_label,
        year,
        element,
        stage,
        partner_iso3 as origin_iso3,
        value as origin_share_pct,
        definition,
        {{ citation('publication', 'table_or_page') }} as source_citation,
        is_estimate
    from published
)

select * from final
