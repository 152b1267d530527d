{#
  The dbt descriptions of the tables this run built, written as DuckDB comments (BI tools and
  `reeflow docs` read them from the published file). Run once, on-run-end, instead of dbt's
  per-node `persist_docs`: that asked DuckDB for each table's columns and sent one statement per
  column, a sixth of a build's time; here one query lists every column and one batch comments
  them all. Views are left out: publishing keeps tables only.
#}
{% macro persist_descriptions(results) %}
  {% if not execute %}{{ return('') }}{% endif %}
  {% set built = [] %}
  {% for result in results
       if result.status == 'success'
       and result.node.resource_type in ('model', 'seed')
       and result.node.config.materialized != 'view' %}
    {% do built.append(result.node) %}
  {% endfor %}
  {% if not built %}{{ return('') }}{% endif %}

  {% set listed = run_query(
       "select lower(schema_name || '.' || table_name), column_name from duckdb_columns()"
       ~ " where database_name = current_database()") %}
  {% set columns_of = {} %}
  {% for row in listed.rows %}
    {% do columns_of.setdefault(row[0], {}).update({row[1] | lower: row[1]}) %}
  {% endfor %}

  {% set statements = [] %}
  {% for node in built %}
    {% set relation = api.Relation.create(database=node.database, schema=node.schema,
                                          identifier=node.alias, type='table') %}
    {% set existing = columns_of.get((node.schema ~ '.' ~ node.alias) | lower, {}) %}
    {% if node.description %}
      {% do statements.append('comment on table ' ~ relation ~ ' is '
                              ~ duckdb_escape_comment(node.description)) %}
    {% endif %}
    {% for name, column in node.columns.items()
         if column.description and (name | lower) in existing %}
      {% do statements.append('comment on column ' ~ relation ~ '.'
                              ~ adapter.quote(existing[name | lower]) ~ ' is '
                              ~ duckdb_escape_comment(column.description)) %}
    {% endfor %}
  {% endfor %}
  {% if statements %}
    {% do run_query(statements | join(';\n')) %}
  {% endif %}
{% endmacro %}
