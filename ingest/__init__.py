"""Plain-Python ingest library: landing, parsers, staged Parquet. No Dagster here."""
