"""Readers of reference data: the dbt seeds, the HS scope, the country table."""
