-- A year's quota is the sum of its batches (DOMAIN s.5; issue 12: China's 2023 full-year quota
-- was once typed as two of its three batches). Per year and stage with batches: the batches
-- (printed, and the one derived from the full year where one is missing) equal the full year
-- exactly; batches without a full year, or printed batches above it, fail.
with quotas as (select * from {{ ref('fct_production_quotas') }}),

sums as (
    select
        year,
        country_iso3,
        element,
        stage,
        sum(quota_t_reo) filter (where quota_kind = 'full_year') as full_year_t_reo,
        sum(quota_t_reo) filter (where quota_kind = 'batch') as batches_t_reo,
        count(*) filter (where quota_kind = 'batch') as batches
    from quotas
    group by year, country_iso3, element, stage
)

select * from sums
where batches > 0
  and (full_year_t_reo is null or batches_t_reo <> full_year_t_reo)
