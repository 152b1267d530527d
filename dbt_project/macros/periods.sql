{#- Periods as sources print them: '2024' (year), '2024-H1' (half), 'Q3 2024' / '2024-Q3'
    (quarter), '202403' (month, Comtrade), '2020-2023' (a multi-year average), anything else
    ('3 months', 'FY2024') is 'other'. Balances use full calendar years only. -#}
{% macro period_label_kind(period) -%}
    case
        when regexp_full_match({{ period }}, '\d{4}') then 'year'
        when regexp_full_match({{ period }}, '\d{4}-H[12]') then 'half'
        when regexp_full_match({{ period }}, '(\d{4}-Q[1-4])|(Q[1-4] \d{4})') then 'quarter'
        when regexp_full_match({{ period }}, '\d{4}(0[1-9]|1[0-2])') then 'month'
        when regexp_full_match({{ period }}, '\d{4}-\d{4}') then 'multi_year'
        else 'other'
    end
{%- endmacro %}

{#- First calendar year a period covers: the range start of '2020-2023', else the row's year. -#}
{% macro period_start_year(period, year) -%}
    case
        when regexp_full_match({{ period }}, '\d{4}-\d{4}') then cast(left({{ period }}, 4) as integer)
        else {{ year }}
    end
{%- endmacro %}
