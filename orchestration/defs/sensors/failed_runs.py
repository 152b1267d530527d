"""Every failed run recorded (quality.failed_runs) and, with REEFLOW_ALERT_WEBHOOK, announced.

The sensor sees the runs the daemon launched (schedules, sensors, the UI, backfills); `reeflow
run` reports its own through `report_failure` (it runs in process, outside any sensor's code
location). What is kept and sent, and what never is: orchestration/failed_runs.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dagster as dg

from orchestration import failed_runs
from orchestration.failed_runs import FailedRun


def _innermost(error) -> tuple[str, str]:
    """Class and message of the exception at the bottom of a SerializableErrorInfo chain: the
    ComtradeError under the step's Failure, the IOException under dbt's error."""
    while error.cause is not None:
        error = error.cause
    name = error.cls_name or "Error"
    # The message is Python's "module.Class: text" line: the class is given apart.
    qualified, found, text = error.message.partition(": ")
    return name, (text if found and qualified.split(".")[-1] == name else error.message).strip()


def _partition(run: dg.DagsterRun) -> str | None:
    tags = run.tags
    if "dagster/partition" in tags:
        return tags["dagster/partition"]
    start, end = tags.get("dagster/asset_partition_range_start"), tags.get("dagster/asset_partition_range_end")
    return f"{start}...{end}" if start and end else None


def failure_of(run: dg.DagsterRun, step_failures: Sequence[dg.DagsterEvent],
               run_failure: dg.DagsterEvent | None) -> FailedRun:
    step, error = None, None
    if step_failures:
        step, error = step_failures[0].step_key, step_failures[0].step_failure_data.error
    elif run_failure is not None and run_failure.is_job_failure:
        error = run_failure.job_failure_data.error
    if error is not None:
        error_class, message = _innermost(error)
    else:  # e.g. a blocking check that failed: the run says why in its message
        error_class, message = "RunFailure", (run_failure.message if run_failure else None) or "run failed"
    return FailedRun.of(run_id=run.run_id, job_name=run.job_name, partition_key=_partition(run),
                        failed_step=step, error_class=error_class, error_message=message)


def report_failure(run: dg.DagsterRun, step_failures: Sequence[dg.DagsterEvent],
                   run_failure: dg.DagsterEvent | None, say: Callable[[str], None]) -> FailedRun:
    return failed_runs.report(failure_of(run, step_failures, run_failure), say)


@dg.run_failure_sensor(
    name="record_failed_runs",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Records every failed run in quality.failed_runs; POSTs it to REEFLOW_ALERT_WEBHOOK when set.",
)
def record_failed_runs(context: dg.RunFailureSensorContext) -> None:
    report_failure(context.dagster_run, context.get_step_failure_events(), context.failure_event,
                   context.log.info)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(sensors=[record_failed_runs])
