{#- A figure's citation: its publication, then where in it (page, table, paragraph) when the
    register gives a locator. `publication` and `locator` are column expressions. -#}
{% macro citation(publication, locator) -%}
    {{ publication }} || coalesce(', ' || {{ locator }}, '')
{%- endmacro %}
