{#- "An element's trade also counts in REO": every row of `relation` as it is, plus each row of a
    named element (a national line, cerium compounds) again as element 'REO', so the all-rare-
    earths total holds the element lines while each element keeps its own. A query to wrap in
    a CTE or subquery. -#}
{% macro with_reo_rollup(relation) -%}
    select * from {{ relation }}
    union all
    select * replace ('REO' as element) from {{ relation }}
    where element <> 'REO'
{%- endmacro %}
