-- Production quotas (China's mining and smelting/separation quotas), full years and batches, as
-- the register prints them, plus the batch no publication prints, derived here:
--   derived batch = full-year quota - the year's printed batches
-- made only where at least one batch of the year is printed and something is left over, numbered
-- as the first batch number the printed ones leave out (2023: batches 1 and 3 printed -> batch 2;
-- 2019 separation: batch 1 printed -> batch 2). It is the rest of the year: one batch if one is
-- missing, all of them if several are (no source in hand says how many batches a year had). A
-- year with no printed batch (2018) gets none: its split is not printed anywhere. Derived rows
-- are estimates and name the figures they rest on; the register itself holds printed figures only.
with figures as (
    select * from {{ ref('int_published_figures_deduplicated') }}
    where metric in ('quota_t_reo', 'quota_batch_t_reo') and not is_illustrative and is_point_value
),

printed as (
    select
        year,
        subject_iso3 as country_iso3,
        element,
        stage,
        case when metric = 'quota_t_reo' then 'full_year' else 'batch' end as quota_kind,
        case
            when metric = 'quota_batch_t_reo'
                then cast(nullif(regexp_extract(period_label, 'batch\s+(\d+)\s*$', 1), '') as integer)
        end as batch_number,
        period_label,
        value as quota_t_reo,
        false as is_derived,
        is_estimate,
        coalesce(method, 'as printed') as method,
        figure_id,
        figure_id as source_figure_ids,
        publication || ', ' || table_or_page as source_citation,
        confidence
    from figures
),

batch_totals as (
    select
        year,
        country_iso3,
        element,
        stage,
        sum(quota_t_reo) as printed_batches_t_reo,
        list(batch_number order by batch_number) as printed_batch_numbers,
        string_agg(figure_id, ';' order by batch_number) as batch_figure_ids
    from printed
    where quota_kind = 'batch'
    group by year, country_iso3, element, stage
),

derived as (
    select
        full_year.year,
        full_year.country_iso3,
        full_year.element,
        full_year.stage,
        'batch' as quota_kind,
        list_min(list_filter(
            range(1, list_max(batch_totals.printed_batch_numbers) + 2),
            lambda n: not list_contains(batch_totals.printed_batch_numbers, n)
        )) as batch_number,
        full_year.quota_t_reo - batch_totals.printed_batches_t_reo as quota_t_reo,
        true as is_derived,
        true as is_estimate,
        'derived: full-year quota ' || cast(full_year.quota_t_reo as bigint) || ' t - printed batches '
            || array_to_string(list_transform(batch_totals.printed_batch_numbers, lambda n: cast(n as varchar)), ', ')
            || ' (' || cast(batch_totals.printed_batches_t_reo as bigint) || ' t); no publication in hand prints this batch'
            as method,
        cast(null as varchar) as figure_id,
        full_year.figure_id || ';' || batch_totals.batch_figure_ids as source_figure_ids,
        'reeflow derivation from ' || full_year.figure_id || ' and ' || batch_totals.batch_figure_ids
            as source_citation,
        'low' as confidence
    from printed as full_year
    inner join batch_totals using (year, country_iso3, element, stage)
    where full_year.quota_kind = 'full_year'
      and full_year.quota_t_reo > batch_totals.printed_batches_t_reo
),

final as (
    select * exclude (period_label) from printed
    union all by name
    select * from derived
)

select
    *,
    cast(year as varchar) || case when quota_kind = 'batch' then ' batch ' || batch_number else '' end
        as period_label
from final
