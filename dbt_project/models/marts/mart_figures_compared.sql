-- Every published figure of a quantity that more than one figure measures, side by side: China's
-- share of Japan's imports as each publication prints it (85 % in 2009, 'approximately 90 %' and
-- 'over 90 %' in 2010, 'some 70 %' in 2024, 'roughly 60-70 %' today, a target 'below 50 %'),
-- China's share of magnet output, Japan's stockpile days, the investments in Lynas. Each row
-- keeps its definition, basis, how it is printed and where: the figures are compared, never
-- averaged or picked between. value_as_printed says the number the way the publication does.
with figures as (
    select * from {{ ref('fct_published_figures') }}
    where not is_illustrative
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
