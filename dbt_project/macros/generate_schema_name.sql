{#- Use a model's custom schema as given (`quality`, `reference`), not `main_quality`:
    analysts and BI tools see the schema names the docs use. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
