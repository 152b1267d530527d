"""Suites over dbt models (marts), one module per model; each exposes build_suite().

expectations/registry.py finds them (and the staged-dataset suites in expectations/staged/).
"""
