-- Published stockpile figures (in days of consumption or in tonnes), one row each, with the
-- holder read from the figure's definition ("National ...", "Private ...") and how the figure is
-- printed: Japan's 42 + 18 days are a stated target (value_qualifier 'target'), not a measured
-- holding. A figure whose definition names neither holder has no holder; the not_null test on
-- holder stops the build, since such a figure would otherwise drop out of the stockpile silently.
with figures as (
    select * from {{ ref('int_published_figures_deduplicated') }}
    where topic = 'stockpile' and not is_illustrative and metric in ('stockpile_days', 'stockpile_t')
),

final as (
    select
        figure_id,
        subject_iso3 as country_iso3,
        element,
        stage,
        year,
        metric,
        value,
        value_qualifier,
        is_estimate,
        case
            when lower(definition) like 'national%' then 'national'
            when lower(definition) like 'private%' then 'private'
        end as holder,
        definition,
        publication,
        table_or_page
    from figures
)

select * from final
