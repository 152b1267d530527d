"""The sensors that follow runs, on real runs of the fetch job (against a local Comtrade server):
answers landed and not staged start the main job; a failed run is recorded and announced."""

from __future__ import annotations

import json
import logging

import dagster as dg
import duckdb
import pytest

from ingest import settings
from ingest.catalog import SOURCE_KINDS, stage
from ingest.sources.comtrade import SOURCE_API
from orchestration import failed_runs, publishing
from orchestration.definitions import defs
from orchestration.defs.ingest.comtrade import ComtradeFetchConfig, comtrade_api_answers
from orchestration.defs.resources import ComtradeApi
from orchestration.defs.schedules import comtrade_fetch_job
from orchestration.defs.sensors.failed_runs import record_failed_runs
from orchestration.defs.sensors.fetched_trade import build_after_comtrade_fetch
from orchestration.interrupted_runs import MAIN_JOB
from tests.builders import API_KEY, DATA_PATH, api_answer, json_response, record

REFUSED = '{"statusCode": 401, "message": "Access denied due to invalid subscription key."}'


@pytest.fixture
def api(reeflow_env, httpserver, monkeypatch):
    monkeypatch.setenv("COMTRADE_BASE_URL", httpserver.url_for("/"))
    monkeypatch.setenv("COMTRADE_API_KEY", API_KEY)
    monkeypatch.delenv(failed_runs.WEBHOOK_ENV, raising=False)
    return httpserver


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def run_fetch(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """The fetch job as the definitions declare it, for 2023 and one reporter."""
    job = defs.resolve_job_def(comtrade_fetch_job.name)
    config = dg.RunConfig(ops={comtrade_api_answers.op.name: ComtradeFetchConfig(reporters=["JPN"])})
    return job.execute_in_process(partition_key="2023", instance=instance, run_config=config,
                                  raise_on_error=False)


def status_context(instance, result: dg.ExecuteInProcessResult, event: dg.DagsterEvent, name: str):
    return dg.build_run_status_sensor_context(
        sensor_name=name, dagster_instance=instance, dagster_run=result.dagster_run, dagster_event=event)


def answer_records():
    return json_response(api_answer([record(reporter=392, period="2023")]))


def after_fetch(instance):
    return build_after_comtrade_fetch(dg.build_sensor_context(instance=instance))


def test_answers_a_fetch_landed_start_the_main_job_once_until_staged(api, instance):
    api.expect_request(DATA_PATH).respond_with_handler(lambda _: answer_records())
    assert isinstance(after_fetch(instance), dg.SkipReason)  # nothing landed yet
    assert run_fetch(instance).success
    request = after_fetch(instance)
    assert isinstance(request, dg.RunRequest) and request.run_key.startswith("after-fetch:")
    assert after_fetch(instance).run_key == request.run_key  # the same answers: the same run

    stage(SOURCE_KINDS[SOURCE_API])  # what the main run's ingest step does
    skipped = after_fetch(instance)
    assert isinstance(skipped, dg.SkipReason) and "staged" in skipped.skip_message
    assert run_fetch(instance).success  # everything landed already: nothing new to build
    assert isinstance(after_fetch(instance), dg.SkipReason)


def test_answers_landed_by_a_backfill_outside_the_fetch_job_are_built_too(api, instance):
    api.expect_request(DATA_PATH).respond_with_handler(lambda _: answer_records())
    # An asset backfill from the UI, or `dagster asset materialize`, runs the asset alone.
    config = dg.RunConfig(ops={comtrade_api_answers.op.name: ComtradeFetchConfig(reporters=["JPN"])})
    dg.materialize([comtrade_api_answers], partition_key="2023", instance=instance, run_config=config,
                   resources={"comtrade_api": ComtradeApi(min_interval_s=0)})
    assert isinstance(after_fetch(instance), dg.RunRequest)


def test_a_main_run_waiting_to_start_will_stage_the_new_answers(api, instance):
    api.expect_request(DATA_PATH).respond_with_handler(lambda _: answer_records())
    # Queued by the daemon, or created and not yet launched.
    waiting = instance.create_run_for_job(defs.resolve_job_def(MAIN_JOB), status=dg.DagsterRunStatus.NOT_STARTED)
    run_fetch(instance)
    skipped = after_fetch(instance)
    assert isinstance(skipped, dg.SkipReason) and waiting.run_id in skipped.skip_message


def _failure_sensor_on_refused_fetch(api, instance) -> dg.ExecuteInProcessResult:
    api.expect_request(DATA_PATH).respond_with_data(REFUSED, status=401)
    result = run_fetch(instance)
    assert not result.success
    context = status_context(instance, result, result.get_run_failure_event(), "record_failed_runs")
    record_failed_runs(context.for_run_failure())
    return result


def test_a_failed_run_is_recorded_with_its_step_and_error_and_posted(api, instance, monkeypatch):
    api.expect_request("/alert", method="POST").respond_with_data("ok")
    monkeypatch.setenv(failed_runs.WEBHOOK_ENV, api.url_for("/alert"))
    result = _failure_sensor_on_refused_fetch(api, instance)

    (row,) = duckdb.sql("select * from read_parquet(?)", params=[failed_runs.failed_runs_glob()]).fetchall()
    recorded = dict(zip(failed_runs.FAILED_RUNS_SCHEMA.names, row, strict=True))
    assert recorded["run_id"] == result.run_id and recorded["job_name"] == "comtrade_fetch"
    assert recorded["partition_key"] == "2023"
    assert recorded["failed_step"] == comtrade_api_answers.op.name
    assert recorded["error_class"] == "ComtradeError"
    assert "HTTP 401" in recorded["error_message"] and API_KEY not in recorded["error_message"]

    (alert,) = [request for request, _ in api.log if request.path == "/alert"]
    body = alert.get_data(as_text=True)
    assert API_KEY not in body
    posted = json.loads(body)
    assert posted["run_id"] == result.run_id and posted["error_class"] == "ComtradeError"
    assert posted["text"].startswith(
        f"reeflow: comtrade_fetch [2023] failed in step {comtrade_api_answers.op.name}: ComtradeError: GET")
    assert "401" in posted["text"] and len(posted["text"]) <= failed_runs.ALERT_MESSAGE_CHARS


def test_a_webhook_that_fails_is_logged_not_raised_and_the_failure_stays_recorded(api, instance, monkeypatch,
                                                                                  caplog):
    api.expect_request("/alert", method="POST").respond_with_data("down", status=503)
    monkeypatch.setenv(failed_runs.WEBHOOK_ENV, api.url_for("/alert") + "?token=hook-secret")
    with caplog.at_level(logging.WARNING, logger=failed_runs.__name__):
        _failure_sensor_on_refused_fetch(api, instance)
    assert "answered HTTP 503" in caplog.text and "hook-secret" not in caplog.text
    assert len(list(failed_runs.failed_runs_dir().glob("*.parquet"))) == 1


def test_an_unreachable_webhook_times_out_quietly(reeflow_env, caplog):
    failure = failed_runs.FailedRun.of(run_id="r1", job_name="reeflow_main", error_class="X",
                                       error_message="boom")
    with caplog.at_level(logging.WARNING, logger=failed_runs.__name__):
        assert failed_runs.alert(failure, webhook="http://127.0.0.1:9/alert") is False
    assert "not reached" in caplog.text


def test_the_published_warehouse_holds_every_recorded_failure_and_the_table_when_none(reeflow_env):
    work = settings.work_database_path()
    work.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(work)) as con:
        con.execute("create table mart_x as select 1 as x")
    published = publishing.publish(run_id="good-1").path
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from quality.failed_runs").fetchone() == (0,)
        columns = [c for (c,) in con.execute("select column_name from duckdb_columns() "
                                             "where table_name = 'failed_runs' order by column_index").fetchall()]
    assert columns == failed_runs.FAILED_RUNS_SCHEMA.names
    for run_id, step in (("bad-1", "reeflow_dbt_models"), ("bad-2", None)):
        failed_runs.record(failed_runs.FailedRun.of(run_id=run_id, job_name="reeflow_main", failed_step=step,
                                                    error_class="DagsterDbtCliRuntimeError", error_message="x"))
    published = publishing.publish(run_id="good-2").path
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute("select run_id, failed_step from quality.failed_runs order by run_id").fetchall()
    assert rows == [("bad-1", "reeflow_dbt_models"), ("bad-2", None)]


def test_an_error_quoting_the_key_is_recorded_without_it(reeflow_env, monkeypatch):
    monkeypatch.setenv("COMTRADE_API_KEY", API_KEY)
    failure = failed_runs.FailedRun.of(run_id="r2", job_name="comtrade_fetch", error_class="ComtradeError",
                                       error_message=f"request with key {API_KEY} refused")
    assert API_KEY not in failure.error_message and API_KEY not in failure.summary()
