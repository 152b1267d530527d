"""Great-expectations suites as code, and a runner over pandas DataFrames. No Dagster here.

GX 1.x cannot validate DuckDB through SQLAlchemy, so callers read a table into a DataFrame
(read-only connection) and validate that.
"""
