{#- Year-partitioned trade models (int_trade_declarations_annualized, int_trade_flows_element_content)
    rebuild only the years whose inputs changed. int_trade_year_inputs gives each year a fingerprint
    of what these models read for it; each row built keeps its year's fingerprint
    (year_inputs_fingerprint). A build then
    1. deletes the rows whose year's fingerprint is no longer current (pre_hook: new, revised or
       retracted records of that year; any edit to the project's models, seeds or vars; a year
       whose records all went), and
    2. builds and appends the years it no longer holds (trade_years_to_build).
    A year holding no row after its build (nothing in scope) is simply built again next time.
    Every rule of these models works within one year (keys, windows and joins all hold `year`),
    so a year built alone equals that year of a full build. -#}

{#- The project's models and seeds (their file checksums) and the vars the trade models read:
    any edit rebuilds every year. dbt's graph holds no macro code: after editing a macro these
    models use (is_latest_landing), rebuild them with `dbt build --full-refresh --select
    int_trade_declarations_annualized+`. Empty while parsing (the graph is filled at run time). -#}
{% macro trade_project_fingerprint() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set parts = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
        {%- if node.resource_type in ('model', 'seed') -%}
            {%- do parts.append(node.unique_id ~ '=' ~ node.checksum.checksum) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do parts.append('cif_fob_factor=' ~ var('cif_fob_factor')) -%}
    {{- return(local_md5(parts | join(';'))) -}}
{%- endmacro %}

{#- pre_hook: drop the rows of years whose fingerprint changed (nothing on a first build). -#}
{% macro delete_changed_trade_years() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where (year, year_inputs_fingerprint) not in (
            select year, inputs_fingerprint from {{ ref('int_trade_year_inputs') }}
        )
    {%- endif -%}
{%- endmacro %}

{#- The body of a model's `years_to_build` CTE over `year_inputs` (int_trade_year_inputs): every
    year on a first build or a full refresh, else the years the model does not hold (after the
    pre_hook: the new and the changed ones). The model passes is_incremental() itself, so that a
    unit test can override it. -#}
{% macro trade_years_to_build(year_inputs, incremental) -%}
    select year, inputs_fingerprint from {{ year_inputs }}
    {%- if incremental %}
    where year not in (select distinct year from {{ this }})
    {%- endif %}
{%- endmacro %}
