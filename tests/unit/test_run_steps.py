"""Step times: from the Dagster event log and dbt's run results to the table `reeflow` prints."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from orchestration import run_steps


class Kind(Enum):  # stands in for DagsterEventType: only `.value` is read
    RUN_START = "PIPELINE_START"
    RUN_SUCCESS = "PIPELINE_SUCCESS"
    STEP_START = "STEP_START"
    STEP_SUCCESS = "STEP_SUCCESS"
    STEP_FAILURE = "STEP_FAILURE"
    STEP_OUTPUT = "STEP_OUTPUT"


@dataclass
class Event:
    timestamp: float
    step_key: str | None
    dagster_event_type: Kind


EVENTS = [
    Event(100.0, None, Kind.RUN_START),
    Event(100.1, "ingest__usgs_mine_production", Kind.STEP_START),
    Event(100.4, "ingest__usgs_mine_production", Kind.STEP_SUCCESS),
    Event(100.5, "ingest__usgs_mine_production_gx_usgs_mine_production", Kind.STEP_START),
    Event(101.0, "ingest__usgs_mine_production_gx_usgs_mine_production", Kind.STEP_SUCCESS),
    Event(101.1, "reeflow_dbt_models", Kind.STEP_START),
    Event(110.0, "reeflow_dbt_models", Kind.STEP_OUTPUT),
    Event(111.1, "reeflow_dbt_models", Kind.STEP_SUCCESS),
    Event(111.2, "fct_mine_production_gx_fct_mine_production", Kind.STEP_START),
    Event(111.5, "fct_mine_production_gx_fct_mine_production", Kind.STEP_FAILURE),
    Event(111.6, "killed_mid_step", Kind.STEP_START),
    Event(111.9, "killed_mid_step", Kind.STEP_OUTPUT),
    Event(112.0, None, Kind.RUN_SUCCESS),
]

RUN_RESULTS = {
    "metadata": {"invocation_started_at": "2026-01-01T00:00:00Z"},
    "elapsed_time": 9.5,
    "results": [
        {"unique_id": "seed.reeflow.elements", "execution_time": 0.2, "relation_name": '"r"."reference"."elements"',
         "timing": [{"started_at": "2026-01-01T00:00:02Z", "completed_at": "2026-01-01T00:00:03Z"}]},
        {"unique_id": "model.reeflow.stg_usgs__production", "execution_time": 0.5,
         "relation_name": '"r"."staging"."stg_usgs__production"',
         "timing": [{"started_at": "2026-01-01T00:00:03Z", "completed_at": "2026-01-01T00:00:04Z"}]},
        {"unique_id": "model.reeflow.fct_mine_production", "execution_time": 1.5,
         "relation_name": '"r"."main"."fct_mine_production"',
         "timing": [{"started_at": "2026-01-01T00:00:04Z", "completed_at": "2026-01-01T00:00:08Z"}]},
        {"unique_id": "test.reeflow.not_null_fct_mine_production_year", "execution_time": 0.25,
         "relation_name": None, "timing": []},
        {"unique_id": "test.reeflow.unique_fct_mine_production_id", "execution_time": 0.25,
         "relation_name": None, "timing": []},
        {"unique_id": "operation.reeflow.reeflow-on-run-end-0", "execution_time": 0.3,
         "relation_name": None, "timing": []},
    ],
}


def test_each_step_lasts_from_its_start_to_its_end_event():
    steps = {s.step: s for s in run_steps.steps_from_events(EVENTS)}
    assert round(steps["reeflow_dbt_models"].seconds, 6) == 10.0
    assert steps["fct_mine_production_gx_fct_mine_production"].status == "STEP_FAILURE"
    killed = steps["killed_mid_step"]  # no end event: it ends at its last one
    assert killed.status == "UNFINISHED" and round(killed.seconds, 6) == 0.3


def test_steps_are_grouped_into_the_parts_of_a_run():
    assert [run_steps.part_of(step) for step in (
        "ingest__countries", "ingest__countries_gx_countries", "source_freshness", "reeflow_dbt_models",
        "mart_sankey_flows_gx_mart_sankey_flows", "published_warehouse", "something_new",
    )] == ["ingest", "staged checks", "freshness", "dbt", "mart checks", "publish", "other"]


def test_dbt_time_by_layer_from_its_run_results():
    dbt = run_steps.dbt_layers(RUN_RESULTS)
    assert dbt["startup_s"] == 2.0 and dbt["nodes_wall_s"] == 6.0 and dbt["elapsed_s"] == 9.5
    assert dbt["layers"] == {
        "seeds": {"nodes": 1, "seconds": 0.2},
        "staging": {"nodes": 1, "seconds": 0.5},
        "marts": {"nodes": 1, "seconds": 1.5},
        "data tests": {"nodes": 2, "seconds": 0.5},
        "run hooks": {"nodes": 1, "seconds": 0.3},
    }


def _log_line(name: str, ts: str, **data) -> dict:
    return {"info": {"name": name, "ts": ts, "level": "info"}, "data": data}


def _node(unique_id: str, resource_type: str, schema: str, started: str, finished: str) -> dict:
    # As dbt 1.11 writes node_info: naive UTC times, the relation's schema.
    return {"unique_id": unique_id, "resource_type": resource_type, "node_started_at": started,
            "node_finished_at": finished, "node_relation": {"schema": schema, "alias": unique_id.split(".")[-1]}}


# The shape of dbt's JSON log lines (dbt-core 1.11.16, `--log-format json`), trimmed.
DBT_LOG = [
    _log_line("MainReportVersion", "2026-01-01T00:00:00.000000Z", version="=1.11.16"),
    _log_line("LogStartLine", "2026-01-01T00:00:02.000000Z",
              node_info=_node("seed.reeflow.elements", "seed", "reference", "2026-01-01T00:00:02", "")),
    _log_line("LogSeedResult", "2026-01-01T00:00:03.000000Z", execution_time=0.2,
              node_info=_node("seed.reeflow.elements", "seed", "reference",
                              "2026-01-01T00:00:02", "2026-01-01T00:00:03")),
    _log_line("LogModelResult", "2026-01-01T00:00:04.000000Z", execution_time=0.5,
              node_info=_node("model.reeflow.stg_usgs__production", "model", "staging",
                              "2026-01-01T00:00:03", "2026-01-01T00:00:04")),
    _log_line("LogModelResult", "2026-01-01T00:00:08.000000Z", execution_time=1.5,
              node_info=_node("model.reeflow.fct_mine_production", "model", "main",
                              "2026-01-01T00:00:04", "2026-01-01T00:00:08")),
    *(_log_line("LogTestResult", "2026-01-01T00:00:08.000000Z", execution_time=0.25,
                node_info=_node(f"test.reeflow.{name}", "test", "dbt_test__audit",
                                "2026-01-01T00:00:07", "2026-01-01T00:00:07.500000"))
      for name in ("not_null_fct_mine_production_year", "unique_fct_mine_production_id")),
    _log_line("LogHookEndLine", "2026-01-01T00:00:08.500000Z", execution_time=0.3,
              node_info=_node("operation.reeflow.reeflow-on-run-end-0", "operation", "main",
                              "2026-01-01T00:00:07.700000", "2026-01-01T00:00:08")),
    _log_line("StatsLine", "2026-01-01T00:00:09.500000Z", stats={"pass": 6}),
]


def test_dbt_time_by_layer_from_its_log_lines():
    log = run_steps.DbtLog()
    unreadable = [{}, {"info": "not an object"},
                  _log_line("LogModelResult", "yesterday", execution_time="fast", node_info={"unique_id": "x"})]
    for line in [*DBT_LOG[:3], *unreadable, *DBT_LOG[3:]]:  # the unreadable ones are passed over
        log.see(line)
    assert log.layers() == run_steps.dbt_layers(RUN_RESULTS)


def test_a_run_is_recorded_with_its_dbt_step_and_printed_in_parts(reeflow_env):
    run_steps.record_dbt("run-1", run_steps.dbt_layers(RUN_RESULTS))
    table = run_steps.record_from_events("run-1", EVENTS, cli_started=95.0, succeeded=False)
    assert table["before_run_s"] == 5.0 and table["run_s"] == 12.0
    assert run_steps.last_run() == table
    printed = "\n".join(run_steps.format_table(table))
    for expected in ("run-1", "FAILED", "before the run: start-up", "ingest", "staged checks",
                     "mart checks", "1 not succeeded", "dbt: start-up 2.0 s", "data tests", "2 nodes"):
        assert expected in printed
    assert "unit tests" not in printed


def test_a_reused_dbt_build_is_printed_as_skipped(reeflow_env):
    run_steps.record_dbt("run-2", {"skipped": "nothing dbt reads changed since run-1"})
    table = run_steps.record_from_events("run-2", EVENTS, cli_started=99.0, succeeded=True)
    assert "dbt build skipped: nothing dbt reads changed since run-1" in "\n".join(run_steps.format_table(table))


def test_only_the_newest_runs_are_kept(reeflow_env, monkeypatch):
    monkeypatch.setattr(run_steps, "RUNS_KEPT", 2)
    for number in range(4):
        run_steps.record_from_events(f"run-{number}", EVENTS, cli_started=99.0, succeeded=True)
    assert sorted(p.name for p in run_steps.run_steps_dir().iterdir()) == ["run-2.json", "run-3.json"]
    assert run_steps.last_run()["run_id"] == "run-3"
