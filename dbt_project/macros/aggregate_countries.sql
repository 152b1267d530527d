{#- Codes that name a group, not a country (WLD World, OTH other countries, XXX the first origin
    tracing cannot place): partners only, never a balance country, no output to trace. A
    subquery, for `not in {{ aggregate_country_codes() }}`. -#}
{% macro aggregate_country_codes() -%}
    (select country_iso3 from {{ ref('stg_reference__countries') }} where is_aggregate)
{%- endmacro %}
