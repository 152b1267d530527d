"""The one entry point: assembles what each module under defs/ declares, nothing else."""

import dagster as dg

from orchestration.defs import publish, resources, schedules
from orchestration.defs.ingest import comtrade, sources
from orchestration.defs.quality import expectation_checks, freshness_checks
from orchestration.defs.sensors import failed_runs, fetched_trade, inbox
from orchestration.defs.transform import dbt

defs = dg.Definitions.merge(
    resources.resources(),
    sources.defs(),
    comtrade.defs(),
    dbt.defs(),
    expectation_checks.defs(),
    freshness_checks.defs(),
    publish.defs(),
    schedules.defs(),
    inbox.defs(),
    fetched_trade.defs(),
    failed_runs.defs(),
)
