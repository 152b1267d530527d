"""How long each part of a `reeflow run` took: kept per run, printed at the end of the run and by
`reeflow status`, so a slowdown shows where it happens.

A run's table is built from the Dagster event log (each step's start and end) by the CLI, with
what the CLI itself saw before and after the Dagster run (imports, manifest, definitions; the
summary), and dbt's own timings by layer (from its log lines, recorded by the dbt step). One
JSON file per run in data/quality/run_steps/, the newest few kept. Plain Python, no Dagster.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest import settings
from orchestration.state_files import write_json_atomic

RUNS_KEPT = 20
DBT_STEP = "reeflow_dbt_models"
PUBLISH_STEP = "published_warehouse"
# Step key -> the part of the run it belongs to, in the order a run goes through them.
PARTS = ("ingest", "staged checks", "freshness", "dbt", "mart checks", "publish", "other")
# The Dagster event types (DagsterEventType names) a run's table is built from.
TIMED_EVENT_TYPES = ("RUN_START", "RUN_SUCCESS", "RUN_FAILURE", "RUN_CANCELED",
                     "STEP_START", "STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED", "STEP_UP_FOR_RETRY")
_RUN_STARTS = ("PIPELINE_START",)
_RUN_ENDS = ("PIPELINE_SUCCESS", "PIPELINE_FAILURE", "PIPELINE_CANCELED")
_STEP_ENDS = ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED", "STEP_UP_FOR_RETRY")
# Model schema (from dbt_project.yml) -> layer; tests and seeds by resource type.
_SCHEMA_LAYERS = {"staging": "staging", "intermediate": "intermediate", "quality": "quality", "main": "marts"}
_KIND_LAYERS = {"seed": "seeds", "test": "data tests", "unit_test": "unit tests", "operation": "run hooks"}
# dbt's log lines that end a node (a hook's too), each with its node_info and execution_time.
_NODE_RESULT_EVENTS = frozenset({"LogModelResult", "LogSeedResult", "LogSnapshotResult", "LogTestResult",
                                 "LogHookEndLine"})


@dataclass(frozen=True)
class StepTime:
    step: str
    started: float  # seconds since the epoch
    ended: float
    status: str  # the event that ended it: STEP_SUCCESS, STEP_FAILURE, STEP_SKIPPED ...

    @property
    def seconds(self) -> float:
        return self.ended - self.started


def process_started() -> float:
    """When this process started (seconds since the epoch): interpreter start-up and imports
    count as part of a run. Linux reads it from /proc; elsewhere, now."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        running = time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return time.time()
    return time.time() - max(running, 0.0)


def run_steps_dir(data_dir: Path | None = None) -> Path:
    return (data_dir or settings.data_dir()) / "quality" / "run_steps"


def run_table_path(run_id: str, data_dir: Path | None = None) -> Path:
    """Where a finished run's table is kept (of this data folder, or another's)."""
    return run_steps_dir(data_dir) / f"{run_id}.json"


def part_of(step: str) -> str:
    if step == DBT_STEP:
        return "dbt"
    if step == PUBLISH_STEP:
        return "publish"
    if step == "source_freshness":
        return "freshness"
    if "_gx_" in step:
        return "staged checks" if step.startswith("ingest__") else "mart checks"
    if step.startswith("ingest__"):
        return "ingest"
    return "other"


def steps_from_events(events: Iterable) -> list[StepTime]:
    """Step times from Dagster event log entries (anything with `timestamp`, `step_key` and
    `dagster_event_type`); a step that never ended (a killed run) ends at its last event."""
    starts: dict[str, float] = {}
    last_seen: dict[str, tuple[float, str]] = {}
    for event in events:
        step, kind = event.step_key, _kind(event)
        if not step or not kind:
            continue
        if kind == "STEP_START":
            starts[step] = event.timestamp
        if last_seen.get(step, ("", ""))[1] not in _STEP_ENDS:
            last_seen[step] = (event.timestamp, kind if kind in _STEP_ENDS else "UNFINISHED")
    steps = [StepTime(step, started, *last_seen[step]) for step, started in starts.items()]
    return sorted(steps, key=lambda s: s.started)


def _timestamp(text: str) -> float:
    """Seconds since the epoch of one of dbt's ISO times (UTC, with or without the Z)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


@dataclass(frozen=True)
class _NodeTime:
    layer: str
    seconds: float  # dbt's execution time of the node
    started: float | None  # seconds since the epoch, when dbt says
    ended: float | None


def _layer(resource_type: str, schema: str | None) -> str:
    if resource_type == "model":
        return _SCHEMA_LAYERS.get(schema or "", schema or "")
    return _KIND_LAYERS.get(resource_type, resource_type)


def _summary(nodes: list[_NodeTime], invoked: float | None, elapsed: float) -> dict:
    """The dbt part of a run's table: start-up, nodes' wall time, node time by layer."""
    layers: dict[str, dict] = {}
    for node in nodes:
        entry = layers.setdefault(node.layer, {"nodes": 0, "seconds": 0.0})
        entry["nodes"] += 1
        entry["seconds"] += node.seconds
    started = [node.started for node in nodes if node.started is not None]
    ended = [node.ended for node in nodes if node.ended is not None]
    return {
        "elapsed_s": elapsed,
        "startup_s": (min(started) - invoked) if started and invoked is not None else None,
        "nodes_wall_s": (max(ended) - min(started)) if started and ended else 0.0,
        "layers": layers,
    }


class DbtLog:
    """dbt's own timings, read from the structured log lines dagster-dbt streams from it.

    The run's `dbt build` writes no run_results.json (--no-write-json, dbt.py): writing its
    artifacts, manifest.json twice among them, cost about a second of each build."""

    def __init__(self) -> None:
        self._first: float | None = None
        self._last: float | None = None
        self._nodes: list[_NodeTime] = []

    def see(self, line: dict) -> None:
        """One of dbt's JSON log lines ({"info": {...}, "data": {...}}). A line it cannot read
        is passed over: timings never stop a build."""
        with contextlib.suppress(AttributeError, TypeError, ValueError):
            self._see(line)

    def _see(self, line: dict) -> None:
        info, data = line.get("info") or {}, line.get("data") or {}
        if info.get("ts"):
            self._last = _timestamp(info["ts"])
            if self._first is None:
                self._first = self._last
        node = data.get("node_info") or {}
        if info.get("name") not in _NODE_RESULT_EVENTS or not node.get("unique_id"):
            return
        self._nodes.append(_NodeTime(
            layer=_layer(node.get("resource_type", ""), (node.get("node_relation") or {}).get("schema")),
            seconds=float(data.get("execution_time") or 0.0),
            started=_timestamp(node["node_started_at"]) if node.get("node_started_at") else None,
            ended=_timestamp(node["node_finished_at"]) if node.get("node_finished_at") else None,
        ))

    def layers(self) -> dict:
        """As `dbt_layers`; elapsed from dbt's first log line to its last."""
        elapsed = (self._last - self._first) if self._first is not None and self._last is not None else 0.0
        return _summary(self._nodes, self._first, elapsed)


def dbt_layers(run_results: dict) -> dict:
    """dbt's own timings from a run_results.json (of a dbt that wrote one: benchmarks/run_speed.py
    reads those of reeflow versions before DbtLog)."""
    nodes = []
    for result in run_results.get("results", []):
        relation = (result.get("relation_name") or '"".""."".').split(".")
        timings = result.get("timing") or []
        nodes.append(_NodeTime(
            layer=_layer(result["unique_id"].split(".", 1)[0], relation[1].strip('"')),
            seconds=float(result.get("execution_time") or 0.0),
            started=min((_timestamp(t["started_at"]) for t in timings), default=None),
            ended=max((_timestamp(t["completed_at"]) for t in timings), default=None),
        ))
    invoked = run_results.get("metadata", {}).get("invocation_started_at")
    return _summary(nodes, _timestamp(invoked) if invoked else None,
                    float(run_results.get("elapsed_time") or 0.0))


def _dbt_path(run_id: str) -> Path:
    return run_steps_dir() / f"{run_id}.dbt.json"


def record_dbt(run_id: str, dbt: dict) -> None:
    """What the dbt step did: `dbt_layers(...)`, or {"skipped": reason}."""
    write_json_atomic(_dbt_path(run_id), dbt)


def build_table(run_id: str, *, cli_started: float, steps: list[StepTime], run_started: float | None,
                run_ended: float | None, cli_ended: float, succeeded: bool, dbt: dict | None) -> dict:
    """A run's table: the whole run, before / in / after the Dagster run, each step, dbt."""
    return {
        "run_id": run_id,
        "succeeded": succeeded,
        "started_at": cli_started,
        "wall_s": cli_ended - cli_started,
        "before_run_s": (run_started - cli_started) if run_started else None,
        "run_s": (run_ended - run_started) if run_started and run_ended else None,
        "after_run_s": (cli_ended - run_ended) if run_ended else None,
        "steps": [{"step": s.step, "part": part_of(s.step), "seconds": s.seconds, "status": s.status}
                  for s in steps],
        "dbt": dbt,
    }


def table_from_events(run_id: str, events: list, *, cli_started: float, cli_ended: float, succeeded: bool,
                      dbt: dict | None) -> dict:
    """`build_table` from the run's Dagster event log entries."""
    run_started = min((e.timestamp for e in events if _kind(e) in _RUN_STARTS), default=None)
    run_ended = max((e.timestamp for e in events if _kind(e) in _RUN_ENDS), default=None)
    return build_table(run_id, cli_started=cli_started, steps=steps_from_events(events), run_started=run_started,
                       run_ended=run_ended, cli_ended=cli_ended, succeeded=succeeded, dbt=dbt)


def record_from_events(run_id: str, events: list, *, cli_started: float, succeeded: bool) -> dict:
    """Keep the table of a run that ends now (with what its dbt step recorded); returns it."""
    try:
        dbt = json.loads(_dbt_path(run_id).read_text())
    except (OSError, ValueError):
        dbt = None
    table = table_from_events(run_id, events, cli_started=cli_started, cli_ended=time.time(),
                              succeeded=succeeded, dbt=dbt)
    write_json_atomic(run_table_path(run_id), table)
    _dbt_path(run_id).unlink(missing_ok=True)
    for stale in sorted(run_steps_dir().glob("*.json"), key=lambda p: p.stat().st_mtime)[:-RUNS_KEPT]:
        stale.unlink(missing_ok=True)
    return table


def _kind(event) -> str | None:
    return getattr(event.dagster_event_type, "value", None)


def last_run() -> dict | None:
    """The table of the newest run recorded on this machine, if any."""
    tables = [p for p in run_steps_dir().glob("*.json") if not p.name.endswith(".dbt.json")]
    for path in sorted(tables, key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            continue
    return None


def _seconds(value: float | None) -> str:
    return f"{value:7.1f} s" if value is not None else "      - "


def format_table(table: dict) -> list[str]:
    """The table as printed: whole run, then each part (steps, slowest), then dbt by layer."""
    when = datetime.fromtimestamp(table["started_at"]).strftime("%Y-%m-%d %H:%M:%S")
    lines = [f"Step times of run {table['run_id']} ({when}, {'succeeded' if table['succeeded'] else 'FAILED'}):",
             f"  {'whole run (wall)':<34}{_seconds(table['wall_s'])}",
             f"  {'before the run: start-up':<34}{_seconds(table['before_run_s'])}   "
             "(imports, dbt manifest, definitions)",
             f"  {'the Dagster run':<34}{_seconds(table['run_s'])}"]
    by_part: dict[str, list[dict]] = {}
    for step in table["steps"]:
        by_part.setdefault(step["part"], []).append(step)
    for part in PARTS:
        steps = by_part.get(part)
        if not steps:
            continue
        slowest = max(steps, key=lambda s: s["seconds"])
        detail = f"{len(steps)} steps, slowest {slowest['step']} {slowest['seconds']:.1f} s" if len(steps) > 1 else ""
        failed = sum(1 for s in steps if s["status"] != "STEP_SUCCESS")
        detail += f"{', ' if detail else ''}{failed} not succeeded" if failed else ""
        lines.append(f"    {part:<32}{_seconds(sum(s['seconds'] for s in steps))}   {detail}".rstrip())
    if table["run_s"] is not None:
        between = table["run_s"] - sum(s["seconds"] for s in table["steps"])
        lines.append(f"    {'between steps (Dagster)':<32}{_seconds(between)}")
    lines += _format_dbt(table.get("dbt"))
    lines.append(f"  {'after the run: summary':<34}{_seconds(table['after_run_s'])}")
    return lines


def _format_dbt(dbt: dict | None) -> list[str]:
    if not dbt:
        return []
    if "skipped" in dbt:
        return [f"      dbt build skipped: {dbt['skipped']}"]
    lines = [f"      dbt: start-up {_seconds(dbt['startup_s']).strip()}, nodes {dbt['nodes_wall_s']:.1f} s wall "
             "(node time by layer, summed over dbt's threads):"]
    order = ("seeds", "staging", "intermediate", "marts", "quality", "data tests", "unit tests")
    for layer in sorted(dbt["layers"], key=lambda name: order.index(name) if name in order else len(order)):
        entry = dbt["layers"][layer]
        lines.append(f"        {layer:<28}{_seconds(entry['seconds'])}   {entry['nodes']} nodes")
    return lines
