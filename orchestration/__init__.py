"""The only package that imports Dagster: assets, checks, schedules and the `reeflow` CLI."""
