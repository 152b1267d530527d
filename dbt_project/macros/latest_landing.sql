{#- "The latest landing wins": a file landed again (a corrected transcription, a re-fetched API
    answer, an analyst's edited register) supersedes what was landed before for the same `keys`.
    A qualify condition keeping the rows of the most recently landed file per key (ties: the
    larger file_id, so reruns agree); every row of that file stays (dense_rank). -#}
{% macro is_latest_landing(keys, landed_at='landed_at', file_id='file_id') -%}
    dense_rank() over (
        partition by {{ keys | join(', ') }}
        order by {{ landed_at }} desc, {{ file_id }} desc
    ) = 1
{%- endmacro %}
