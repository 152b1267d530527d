-- Stockpiles per country, element and stage, by holder (national, private): in days of
-- consumption (Japan's 42 national + 18 private days, a target) or in tonnes. The latest figure
-- of each holder is used; how they are printed is kept (stockpile_value_qualifier: 'target' when
-- any is a target, else the qualifiers there are). Figures printed about the same stockpile that
-- the cover does not use (topic stockpile_reference) come along in words, so that a reader sees
-- where sources disagree: Argus (2020) says Japan's 42 + 18 days cover seven rare metals, none of
-- them a rare earth, where Kantenna applies them to rare earths. Those prints are about the
-- stockpiling system, not a rare earth (element rare_metals): they come along by country and
-- stage, whatever element the stockpile names.
with figures as (select * from {{ ref('int_stockpile_figures_classified') }}),

other_prints as (
    select
        subject_iso3 as country_iso3,
        stage,
        string_agg(
            printf('%g', value) || ' ' || unit || ': ' || definition || ' (' || publication
                || '; fct_published_figures ' || figure_id || ')',
            '; ' order by figure_id) as stockpile_other_prints
    from {{ ref('int_published_figures_deduplicated') }}
    where topic = 'stockpile_reference' and not is_illustrative
    group by all
),

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
        string_agg(distinct value_qualifier, ', ' order by value_qualifier) as stockpile_value_qualifier,
        bool_or(is_estimate) as is_stockpile_estimate,
        string_agg(figure_id, ';' order by figure_id) as stockpile_figure_ids,
        -- each publication with its locator, as every other source column
        string_agg(distinct {{ citation('publication', 'table_or_page') }}, '; '
            order by {{ citation('publication', 'table_or_page') }}) as stockpile_source
    from latest
    group by country_iso3, element, stage
)

select final.*, other_prints.stockpile_other_prints
from final
left join other_prints using (country_iso3, stage)
