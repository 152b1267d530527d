-- China's production quotas (mining; smelting and separation), one row per year and stage for the
-- full year and one per batch: printed figures as printed, a batch no publication prints derived
-- as the full year less the printed batches (is_derived, an estimate; int_production_quotas_completed).
-- A year's batches add up to its full-year quota (test assert_production_quota_batches_add_up).
with quotas as (select * from {{ ref('int_production_quotas_completed') }}),

final as (
    select
        year,
        country_iso3,
        element,
        stage,
        quota_kind,
        cast(batch_number as integer) as batch_number,
        period_label,
        quota_t_reo,
        is_derived,
        is_estimate,
        method,
        figure_id,
        source_figure_ids,
        source_citation,
        confidence
    from quotas
)

select * from final
