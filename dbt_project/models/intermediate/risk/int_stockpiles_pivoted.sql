-- Stockpiles per country, element and stage, by holder (national, private), from published
-- figures: in days of consumption (Japan's 42 national + 18 private days) or in tonnes. The
-- holder comes from the figure's definition ("National ...", "Private ..."); a test checks that
-- every stockpile figure has one. The latest figure of each holder is used.
with figures as (
    select * from {{ ref('int_published_figures_deduplicated') }}
    where topic = 'stockpile' and not is_illustrative and metric in ('stockpile_days', 'stockpile_t')
),

holders as (
    select
        *,
        case
            when lower(definition) like 'national%' then 'national'
            when lower(definition) like 'private%' then 'private'
        end as holder
    from figures
),

latest as (
    select *
    from holders
    where holder is not null
    qualify row_number() over (
        partition by subject_iso3, element, stage, holder, metric order by year desc, figure_id
    ) = 1
),

final as (
    select
        subject_iso3 as country_iso3,
        element,
        stage,
        max(year) as figure_year,
        sum(case when holder = 'national' and metric = 'stockpile_days' then value end) as national_days,
        sum(case when holder = 'private' and metric = 'stockpile_days' then value end) as private_days,
        sum(case when holder = 'national' and metric = 'stockpile_t' then value end) as national_t,
        sum(case when holder = 'private' and metric = 'stockpile_t' then value end) as private_t,
        string_agg(figure_id, ';' order by figure_id) as stockpile_figure_ids,
        string_agg(distinct publication, '; ' order by publication) as stockpile_source
    from latest
    group by subject_iso3, element, stage
)

select * from final
