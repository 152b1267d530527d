-- Each published figure once: a figure re-landed after a correction supersedes the earlier
-- landing of the same figure_id (macro is_latest_landing). Two things every reader needs:
--   is_point_value  printed exactly or approximately, about a data period: the only figures a
--                   computation may take as their year's value. A bound, a range (value = its
--                   low end), a target, a forecast or a potential is not; nor is a claim 'as of'
--                   an article's date (period_label 'as of ...', the register's convention),
--                   whose year is the article's, not the data's.
--   quantity_key    the quantity the metric measures (seed published_metrics) with subject,
--                   partner, element and stage: the figures that measure the same thing.
with figures as (select * from {{ ref('stg_published__figures') }}),

landed as (
    select file_id, fetched_at as landed_at from {{ ref('stg_landing__files') }}
),

metrics as (select * from {{ ref('published_metrics') }}),

latest as (
    select figures.*
    from figures
    inner join landed using (file_id)
    qualify {{ is_latest_landing(['figures.figure_id'], 'landed.landed_at', 'figures.file_id') }}
),

final as (
    select
        latest.*,
        latest.value_qualifier in ('exact', 'approximately')
            and latest.period_label not like 'as of %' as is_point_value,
        metrics.quantity,
        concat_ws('|', metrics.quantity, coalesce(latest.subject_iso3, '-'),
                  coalesce(latest.partner_iso3, '-'), latest.element, latest.stage) as quantity_key
    from latest
    left join metrics using (metric)
)

select * from final
