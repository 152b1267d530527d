-- Stockpiles per country, element and stage, by holder (national, private): in days of
-- consumption (Japan's 42 national + 18 private days) or in tonnes. The latest figure of each
-- holder is used.
with figures as (select * from {{ ref('int_stockpile_figures_classified') }}),

latest as (
    select *
    from figures
    qualify row_number() over (
        partition by country_iso3, element, stage, holder, metric order by year desc, figure_id
    ) = 1
),

final as (
    select
        country_iso3,
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
    group by country_iso3, element, stage
)

select * from final
