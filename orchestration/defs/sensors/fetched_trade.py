"""Comtrade answers landed but not staged yet start the main job, which stages and builds them.

The fetch only lands files; this sensor closes the loop, whoever started the fetch: the monthly
schedule, a backfill from the UI (asset backfills run outside the `comtrade_fetch` job), or
`dagster asset materialize` from a shell on the same data folder. It looks at what the fetch
leaves, not at the run that left it: a landed answer without its staged Parquet. A fetch that
landed nothing new (a refresh whose answers were unchanged) therefore starts nothing, and a
backfill of many years makes one build, not one per year. Nothing either while a main run is
still waiting to start: that run reads the landing manifest when it starts.
"""

from __future__ import annotations

import hashlib

import dagster as dg

from ingest import settings
from ingest.catalog import SOURCE_KINDS
from ingest.landing import read_manifest
from ingest.sources.comtrade import SOURCE_API
from ingest.staging import staged_file
from orchestration.defs.schedules import main_job
from orchestration.interrupted_runs import MAIN_JOB

AFTER_FETCH_TAG = "reeflow/after_fetch"
TICK_S = 60
_WAITING = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED]


def unstaged_answers() -> list[str]:
    """File ids of landed Comtrade API answers with no staged Parquet of the current parser."""
    kind = SOURCE_KINDS[SOURCE_API]
    folder = settings.staged_dir() / kind.dataset
    return sorted(entry.file_id for entry in read_manifest(source=kind.name)
                  if not staged_file(folder, entry.file_id, kind.parser_version).exists())


@dg.sensor(
    name="build_after_comtrade_fetch",
    job=main_job,
    minimum_interval_seconds=TICK_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts the main job when Comtrade answers were landed and are not staged yet.",
)
def build_after_comtrade_fetch(context: dg.SensorEvaluationContext):
    answers = unstaged_answers()
    if not answers:
        return dg.SkipReason("every landed Comtrade answer is staged")
    waiting = context.instance.get_runs(filters=dg.RunsFilter(job_name=MAIN_JOB, statuses=_WAITING), limit=1)
    if waiting:
        return dg.SkipReason(f"main run {waiting[0].run_id} has not started yet: it stages these answers")
    # One run per set of answers: the same set found again (its run failed) asks for nothing new.
    batch = hashlib.sha256(" ".join(answers).encode()).hexdigest()[:16]
    return dg.RunRequest(run_key=f"after-fetch:{batch}", tags={AFTER_FETCH_TAG: str(len(answers))})


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(sensors=[build_after_comtrade_fetch])
