{#- Fails on rows whose value does not match the regular expression `pattern` in full (nulls
    pass). -#}
{% test matches_pattern(model, column_name, pattern) %}
select *
from {{ model }}
where not regexp_full_match({{ column_name }}, '{{ pattern }}')
{% endtest %}
