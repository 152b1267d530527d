{#- The columns fct_element_stage_flows and fct_flow_evidence share, in order: the two tables
    are one grain split in two (additive flows, supporting evidence), so they list them once.
    Quantities rounded to 6 dp (parallel float sums differ in the last bits between runs). -#}
{% macro flow_fact_columns() -%}
        flow_id,
        period_label,
        period_kind,
        year,
        element,
        stage,
        stage_scope,
        flow_type,
        origin_iso3,
        destination_iso3,
        company_id,
        company_name,
        hs6,
        quantity_as_published,
        unit_as_published,
        reo_factor_t_per_t,
        round(product_t, 6) as product_t,
        round(element_t, 6) as element_t,
        round(reo_t, 6) as reo_t,
        round(value_usd, 6) as value_usd,
        evidence_kind,
        source_kind,
        source_citation,
        source_figure_ids,
        method,
        confidence,
        is_estimate,
        covers_full_year,
        is_sample
{%- endmacro %}
