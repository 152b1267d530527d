"""Suites over staged Parquet datasets, one module per dataset (see expectations/registry.py)."""
