-- Every published figure of a quantity that more than one figure measures, side by side: China's
-- share of Japan's imports as each publication prints it (85 % in 2009, 'approximately 90 %' and
-- 'over 90 %' in 2010, 'some 70 %' in 2024, 'roughly 60-70 %' today, a target 'below 50 %'),
-- China's share of magnet output, Japan's stockpile days, the investments in Lynas. Each row
-- keeps its definition, basis, how it is printed and where: the figures are compared, never
-- averaged or picked between. value_as_printed says the number the way the publication does.
-- Beside the register's figures: each USGS edition's world-table production of a country (or
-- the world, printed rounded) and year, where another figure gives the same country and year,
-- so an edition's revision and a salient-statistics figure sit side by side (US 2024: 45,000 t
-- in MCS 2025's salient statistics, 45,500 t in MCS 2026's world table).
with register as (
    select *, 'fct_published_figures' as figure_table
    from {{ ref('fct_published_figures') }}
    where not is_illustrative
),

world_table as (
    select
        'production|' || country_iso3 || '|-|REO|mining' as quantity_key,
        'production' as quantity,
        country_iso3 as subject_iso3,
        cast(null as varchar) as partner_iso3,
        'REO' as element,
        'mining' as stage,
        year,
        cast(year as varchar) as period_label,
        'usgs_world_table_' || lower(edition) || '_' || lower(country_iso3) || '_' || year as figure_id,
        production_t_reo as value,
        cast(null as double) as value_high,
        't_REO' as unit,
        't_REO' as basis,
        case when is_world_total then 'approximately' else 'exact' end as value_qualifier,
        true as is_point_value,
        is_estimate,
        'mine production, rare-earth-oxide equivalent (USGS world mine production table, '
            || country_name || ')' as definition,
        'USGS Mineral Commodity Summaries ' || edition_year as publication,
        source_citation as table_or_page,
        cast(null as varchar) as publication_date,
        cast(null as varchar) as attributed_to,
        'high' as confidence,
        'fct_mine_production' as figure_table
    from {{ ref('fct_mine_production') }}
    where production_t_reo is not null
),

unioned as (
    select * from register
    union all by name
    select * from world_table
),

-- A world-table figure is kept where another figure gives the same quantity and year.
figures as (
    select * exclude (figures_of_year)
    from (select *, count(*) over (partition by quantity_key, year) as figures_of_year from unioned)
    where figure_table = 'fct_published_figures' or figures_of_year > 1
),

counted as (
    select
        *,
        count(*) over (partition by quantity_key) as figures_of_quantity
    from figures
),

final as (
    select
        quantity_key,
        quantity,
        subject_iso3,
        partner_iso3,
        element,
        stage,
        cast(figures_of_quantity as integer) as figures_of_quantity,
        year,
        period_label,
        figure_id,
        figure_table,
        value,
        value_high,
        unit,
        basis,
        value_qualifier,
        case value_qualifier
            when 'exact' then ''
            when 'approximately' then 'about '
            when 'more_than' then 'more than '
            when 'at_least' then 'at least '
            when 'less_than' then 'less than '
            when 'up_to' then 'up to '
            when 'range' then ''
            else value_qualifier || ' '
        end
            || regexp_replace(format('{:,}', value), '\.0$', '')
            || case when value_qualifier = 'range' then '-' || regexp_replace(format('{:,}', value_high), '\.0$', '') else '' end
            || case unit when 'percent' then ' %' else ' ' || unit end as value_as_printed,
        is_point_value,
        is_estimate,
        definition,
        publication,
        table_or_page,
        publication_date,
        attributed_to,
        confidence
    from counted
    where figures_of_quantity > 1
)

select * from final
