{#- Net import reliance, % (USGS's definition): (imports - exports) / apparent consumption, only
    where `recorded` holds (the caller's condition that trade is recorded), undefined when nothing
    is left for consumption, and not for a net exporter: USGS prints "E" there, not a percentage
    (MCS 2025, p. 144: a -1,720 % "reliance" says nothing a reader can use). `imports` and
    `exports` are expressions that are never null (coalesce them). -#}
{#- Exports recorded where no production is: they may be re-exports or output no source records,
    so a balance there rests on a production of zero nobody vouches for. Its reliance is unknown
    (US compounds and metals 2021: imports 910 t, exports 845 t, no production recorded, would
    read 100 %). `production` and `exports` may be null. -#}
{% macro production_missing(production, exports) -%}
    ({{ production }} is null and coalesce({{ exports }}, 0) > 0)
{%- endmacro %}

{% macro net_import_reliance_pct(imports, exports, consumption, recorded='true') -%}
    case
        when {{ recorded }} and {{ consumption }} > 0 and {{ imports }} >= {{ exports }}
            then 100 * ({{ imports }} - {{ exports }}) / {{ consumption }}
    end
{%- endmacro %}

{#- Apparent consumption over the components recorded (USGS's definition: production + imports -
    exports - stock change, a stock build-up positive), each missing one counted as zero: the
    caller says when that sum is a balance (int_country_balances_computed) and when it is only
    what a gap would have read as (mart_balance_issues). -#}
{% macro apparent_consumption(production, imports, exports, stock_change) -%}
    (coalesce({{ production }}, 0) + coalesce({{ imports }}, 0) - coalesce({{ exports }}, 0)
        - coalesce({{ stock_change }}, 0))
{%- endmacro %}
