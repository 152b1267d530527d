"""Failed runs kept as Parquet, loaded into `quality.failed_runs` on publish, and an alert.

Whoever sees a run fail writes it here: the run-failure sensor for runs the Dagster daemon
launched (orchestration/defs/sensors/failed_runs.py), `reeflow run` for its own. One file per
run, written atomically, so a run recorded twice is still one row. The table is published by
the next successful run (a failed run publishes nothing) and is present, empty, before any.

When REEFLOW_ALERT_WEBHOOK is set, a short JSON message is POSTed to it (Slack's and Teams'
incoming webhooks read its `text`). Posting never raises: an alert that cannot be sent is logged
and the failure stays recorded. Messages are cut short and never carry the Comtrade key, and
the webhook's URL (which holds its own secret) is never logged. Plain Python, no Dagster.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import requests

from ingest import settings
from ingest.staging import write_parquet_atomic

logger = logging.getLogger(__name__)

WEBHOOK_ENV = "REEFLOW_ALERT_WEBHOOK"
WEBHOOK_TIMEOUT_S = 10.0
# A stack of dbt or DuckDB output is long; the first lines say what went wrong.
MESSAGE_CHARS = 2000
ALERT_MESSAGE_CHARS = 300

# quality.failed_runs: one row per failed run.
FAILED_RUNS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("job_name", pa.string()),
        ("partition_key", pa.string()),  # the year(s) of a Comtrade fetch; null elsewhere
        ("failed_step", pa.string()),  # the first step that failed; null when the run failed as a whole
        ("error_class", pa.string()),  # the innermost exception's class, e.g. ComtradeError
        ("error_message", pa.string()),
        ("failed_at", pa.timestamp("us")),
    ]
)


@dataclass(frozen=True)
class FailedRun:
    run_id: str
    job_name: str
    partition_key: str | None
    failed_step: str | None
    error_class: str
    error_message: str
    failed_at: datetime

    @classmethod
    def of(cls, *, run_id: str, job_name: str, error_class: str, error_message: str,
           partition_key: str | None = None, failed_step: str | None = None) -> FailedRun:
        return cls(
            run_id=run_id, job_name=job_name, partition_key=partition_key,
            failed_step=failed_step, error_class=error_class,
            error_message=_shortened(redact(error_message), MESSAGE_CHARS),
            failed_at=datetime.now(UTC).replace(tzinfo=None),
        )

    def summary(self) -> str:
        where = f"step {self.failed_step}" if self.failed_step else "the run"
        partition = f" [{self.partition_key}]" if self.partition_key else ""
        first_line = self.error_message.strip().splitlines()[0] if self.error_message.strip() else ""
        return _shortened(
            f"reeflow: {self.job_name}{partition} failed in {where}: {self.error_class}: {first_line}",
            ALERT_MESSAGE_CHARS,
        )


def failed_runs_dir() -> Path:
    return settings.data_dir() / "quality" / "failed_runs"


def failed_runs_glob() -> str:
    return str(failed_runs_dir() / "*.parquet")


def record(failure: FailedRun) -> Path:
    path = failed_runs_dir() / f"{failure.run_id}.parquet"
    write_parquet_atomic(pa.Table.from_pylist([asdict(failure)], schema=FAILED_RUNS_SCHEMA), path)
    return path


def report(failure: FailedRun, say: Callable[[str], None]) -> FailedRun:
    """Record the failure and send it to the alert webhook, saying so when it was taken."""
    record(failure)
    if alert(failure):
        say(f"failure of run {failure.run_id} sent to the alert webhook")
    return failure


def alert(failure: FailedRun, webhook: str | None = None) -> bool:
    """POST the failure to the webhook (REEFLOW_ALERT_WEBHOOK unless given); True if it took it."""
    url = webhook if webhook is not None else os.environ.get(WEBHOOK_ENV, "").strip()
    if not url:
        return False
    payload = {
        "text": failure.summary(),
        "run_id": failure.run_id,
        "job": failure.job_name,
        "partition": failure.partition_key,
        "step": failure.failed_step,
        "error_class": failure.error_class,
        "failed_at": failure.failed_at.isoformat(timespec="seconds") + "Z",
    }
    try:
        response = requests.post(url, json=payload, timeout=WEBHOOK_TIMEOUT_S, allow_redirects=False)
    except requests.RequestException as exc:
        logger.warning("alert webhook (%s) not reached: %s", WEBHOOK_ENV, type(exc).__name__)
        return False
    if not response.ok:
        logger.warning("alert webhook (%s) answered HTTP %s", WEBHOOK_ENV, response.status_code)
        return False
    return True


def redact(text: str) -> str:
    """The text with the Comtrade key, if one is set, replaced: an error may quote a request."""
    key = os.environ.get("COMTRADE_API_KEY", "").strip()
    return text.replace(key, "***") if key else text


def _shortened(text: str, limit: int) -> str:
    """At most `limit` characters, the middle cut: an error's end often says what went wrong
    (the HTTP status after a long request, DuckDB's reason after dbt's preamble)."""
    if len(text) <= limit:
        return text
    head = (limit - 5) * 2 // 5
    return f"{text[:head]} ... {text[len(text) - (limit - 5 - head):]}"
