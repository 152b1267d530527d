"""Close the books on `reeflow run` runs that died without finishing (SIGKILL, power loss).

Left alone, such a run stays STARTED in DAGSTER_HOME and keeps the `duckdb` pool slot it held,
so every later run would wait for that slot forever. Called only holding the run lock, so no
other `reeflow run` is alive: a CLI run still marked unfinished is dead.
"""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg

from orchestration import failed_runs

# Tags every run `reeflow run` starts, so the next one can tell its own interrupted runs apart
# from runs launched by `dagster dev` on the same DAGSTER_HOME.
CLI_RUN_TAG = "reeflow/launched_by"
CLI_RUN_TAGS = {CLI_RUN_TAG: "cli"}
MAIN_JOB = "reeflow_main"
UNFINISHED = ("NOT_STARTED", "STARTING", "STARTED", "CANCELING")
INTERRUPTED = "the reeflow run process ended without finishing (killed?)"


def release(instance: dg.DagsterInstance, say: Callable[[str], None]) -> None:
    dead = instance.get_runs(
        filters=dg.RunsFilter(
            job_name=MAIN_JOB,
            statuses=[dg.DagsterRunStatus[name] for name in UNFINISHED],
            tags=CLI_RUN_TAGS,
        )
    )
    for run in dead:
        _fail_and_free_slots(instance, run)
        say(f"run {run.run_id} was interrupted; marked failed and its duckdb pool slot released")
        # Recorded as every failed run is (quality.failed_runs, the alert): a killed run
        # failed too, though nothing was alive to say so when it ended.
        failed_runs.report(failed_runs.FailedRun.of(run_id=run.run_id, job_name=run.job_name,
                                                    error_class="Interrupted", error_message=INTERRUPTED), say)


def _fail_and_free_slots(instance: dg.DagsterInstance, run: dg.DagsterRun) -> None:
    # No public API does this outside the daemon: Dagster's run monitoring (a daemon, with
    # `free_slots_after_run_end_seconds`) frees the slots of ended runs, but only for runs a
    # run launcher started, and `reeflow run` executes in process without a daemon. These are
    # the two instance calls that monitoring makes; kept here, in one place.
    instance.report_run_failed(run, message=INTERRUPTED)
    instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
