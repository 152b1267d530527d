"""The Comtrade fetch asset, partitioned by year, against a local server speaking the real API
format (records built from a real answer, tests/builders.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import dagster as dg
import pytest
from werkzeug import Request

from ingest.catalog import SOURCE_KINDS, stage
from ingest.landing import read_manifest
from ingest.reference.hs_codes import codes_in_scope
from ingest.sources.comtrade import KEY_HEADER, PREVIEW_RECORD_CAP, SOURCE_API
from ingest.sources.comtrade.scope import DEFAULT_REPORTERS, FetchScope
from orchestration.defs.ingest.comtrade import (
    FETCH_RETRY,
    ComtradeFetchConfig,
    comtrade_api_answers,
    comtrade_years,
)
from orchestration.defs.resources import ComtradeApi
from tests.builders import API_KEY, DATA_PATH, PREVIEW_PATH, api_answer, json_response, record

PARTNERS = (32, 276)  # Argentina, Germany: partners of the real answer


def answer_for(request: Request, kg: float = 1000.0, per_code: int = 1) -> bytes:
    """An answer to the request as the API gives it: a record per asked code, partner and flow."""
    args = request.args
    records = [
        record(reporter=int(args["reporterCode"]), partner=partner, flow=flow, cmd=code,
               kg=kg + index, period=args["period"])
        for code in args["cmdCode"].split(",")
        for partner in PARTNERS[:per_code]
        for index, flow in enumerate(args["flowCode"].split(","))
    ]
    return api_answer(records)


@pytest.fixture
def api(reeflow_env, httpserver, monkeypatch):
    monkeypatch.setenv("COMTRADE_API_KEY", API_KEY)
    return httpserver


def resource(httpserver) -> ComtradeApi:
    return ComtradeApi(base_url=httpserver.url_for(""), min_interval_s=0, max_retries=0, backoff_s=0)


def fetch(httpserver, partition: str | None = None, *, years: tuple[str, str] | None = None,
          raise_on_error: bool = True, **config) -> dg.ExecuteInProcessResult:
    """Materialize one year partition (or a range, as a single-run backfill does)."""
    tags = {} if years is None else {"dagster/asset_partition_range_start": years[0],
                                     "dagster/asset_partition_range_end": years[1]}
    return dg.materialize(
        [comtrade_api_answers], partition_key=partition, tags=tags,
        resources={"comtrade_api": resource(httpserver)},
        run_config=dg.RunConfig(ops={comtrade_api_answers.op.name: ComtradeFetchConfig(**config)}),
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=raise_on_error,
    )


def served(httpserver) -> list[dict]:
    return [dict(request.args) for request, _ in httpserver.log]


def landed_by_year() -> dict[str, set[str]]:
    years: dict[str, set[str]] = {}
    for entry in read_manifest(source=SOURCE_API):
        years.setdefault(entry.request["query"]["period"], set()).add(entry.file_id)
    return years


def metadata(result: dg.ExecuteInProcessResult) -> dict:
    (event,) = result.get_asset_materialization_events()[:1]
    return {key: value.value for key, value in event.materialization.metadata.items()}


def test_partitions_are_years_from_2007_to_the_last_complete_one():
    keys = comtrade_years.get_partition_keys(current_time=datetime(2026, 3, 1, tzinfo=UTC))
    assert keys[0] == "2007" and keys[-1] == "2025" and len(keys) == 19


def test_the_default_scope_is_the_chains_traders_all_partners_and_the_seed_codes():
    scope = ComtradeFetchConfig().scope()
    assert scope == FetchScope()
    assert {"JPN", "USA", "CHN", "DEU", "KOR", "MYS", "VNM", "EST", "FRA", "AUS"} <= set(scope.reporters)
    assert scope.partner_codes() is None
    assert set(scope.codes()) == codes_in_scope() and "2846" in scope.codes()
    assert scope.reporter_codes()[:3] == ["156", "392", "842"]  # Comtrade's own code for the USA


def test_one_year_lands_with_the_key_in_the_header_only_and_a_rerun_asks_nothing(api):
    api.expect_request(DATA_PATH, headers={KEY_HEADER: API_KEY}).respond_with_handler(
        lambda request: json_response(answer_for(request)))
    result = fetch(api, "2023", reporters=["JPN", "USA"])
    asked = served(api)
    assert [(args["reporterCode"], args["period"]) for args in asked] == [("392", "2023"), ("842", "2023")]
    assert {args["cmdCode"] for args in asked} == {",".join(sorted(codes_in_scope()))}
    assert all("partnerCode" not in args for args in asked)  # every partner
    assert metadata(result)["files_new"] == 2
    assert all(API_KEY not in json.dumps(entry.request) for entry in read_manifest(source=SOURCE_API))

    again = fetch(api, "2023", reporters=["JPN", "USA"])
    assert len(api.log) == 2  # both answers are in the manifest: no call
    assert metadata(again)["chunks_skipped"] == 2 and metadata(again)["files_new"] == 0


def test_a_backfill_of_three_years_is_one_run_asking_each_year_once(api):
    api.expect_request(DATA_PATH).respond_with_handler(lambda request: json_response(answer_for(request)))
    result = fetch(api, years=("2021", "2023"), reporters=["AUS"])
    assert sorted(args["period"] for args in served(api)) == ["2021", "2022", "2023"]
    assert {event.partition for event in result.get_asset_materialization_events()} == {"2021", "2022", "2023"}


def test_refreshing_one_year_changes_only_that_year_and_restages_only_its_new_answers(api):
    revised = {"on": False}

    def handler(request: Request):
        changed = revised["on"] and request.args["period"] == "2023"
        return json_response(answer_for(request, kg=2000.0 if changed else 1000.0))

    api.expect_request(DATA_PATH).respond_with_handler(handler)
    fetch(api, "2022", reporters=["JPN", "USA"])
    fetch(api, "2023", reporters=["JPN", "USA"])
    kind = SOURCE_KINDS[SOURCE_API]
    assert stage(kind).files_parsed == 4
    before = landed_by_year()

    # Next month: the reporters revised 2023. The refresh asks again for what landed earlier.
    revised["on"] = True
    cutoff = datetime.now(UTC).isoformat()
    refreshed = fetch(api, "2023", reporters=["JPN", "USA"], refetch_landed_before=cutoff)
    assert metadata(refreshed)["files_new"] == 2
    after = landed_by_year()
    assert after["2022"] == before["2022"]  # the other partition is untouched
    assert before["2023"] < after["2023"] and len(after["2023"]) == 4  # revisions land beside
    report = stage(kind)
    assert (report.files_parsed, report.files_skipped) == (2, 4)  # only the new answers

    # The same refresh again (a resumed run) finds the answers unchanged: nothing lands.
    again = fetch(api, "2023", reporters=["JPN", "USA"], refetch_landed_before=cutoff)
    assert metadata(again)["files_new"] == 0 and landed_by_year() == after


def test_the_public_preview_splits_an_answer_at_its_cap_instead_of_landing_it(reeflow_env, httpserver):
    def handler(request: Request):
        codes = request.args["cmdCode"].split(",")
        if len(codes) > 1:  # every code at once: exactly the preview's cap, so cut off
            rows = [record(reporter=392, partner=n, period="2023") for n in range(PREVIEW_RECORD_CAP)]
            return json_response(api_answer(rows))
        return json_response(answer_for(request, per_code=2))

    httpserver.expect_request(PREVIEW_PATH).respond_with_handler(handler)
    result = fetch(httpserver, "2023", reporters=["JPN"])
    assert metadata(result)["chunks_split"] == 1
    landed = read_manifest(source=SOURCE_API)
    assert sorted(entry.request["query"]["cmdCode"] for entry in landed) == sorted(codes_in_scope())
    assert all(entry.row_count == 4 for entry in landed)  # 2 partners x 2 flows, none cut off


def test_a_refused_key_fails_at_once_and_is_not_retried(api):
    api.expect_request(DATA_PATH).respond_with_data(
        '{"statusCode": 401, "message": "Access denied due to invalid subscription key."}', status=401)
    context = dg.build_asset_context(partition_key="2023")
    with pytest.raises(dg.Failure) as failure:
        comtrade_api_answers(context, ComtradeFetchConfig(reporters=["JPN"]), resource(api))
    assert not failure.value.allow_retries
    assert "401" in failure.value.description and API_KEY not in failure.value.description


def test_a_server_that_keeps_failing_is_left_to_the_retry_policy(api):
    api.expect_request(DATA_PATH).respond_with_data("busy", status=503)
    context = dg.build_asset_context(partition_key="2023")
    with pytest.raises(Exception) as raised:
        comtrade_api_answers(context, ComtradeFetchConfig(reporters=["JPN"]), resource(api))
    assert getattr(raised.value, "transient", False)  # the ComtradeError itself: the policy applies
    assert comtrade_api_answers.op.retry_policy == FETCH_RETRY
    assert FETCH_RETRY.max_retries >= 1 and FETCH_RETRY.delay >= 60


def test_a_bad_country_in_the_config_fails_without_a_call(api):
    result = fetch(api, "2023", reporters=["XXX"], raise_on_error=False)
    assert not result.success and len(api.log) == 0
    (failure,) = result.get_step_failure_events()
    assert "unknown country 'XXX'" in failure.step_failure_data.error.message


def test_the_cli_asks_for_the_same_calls_as_the_asset(api, capsys):
    from orchestration import cli

    api.expect_request(DATA_PATH).respond_with_handler(lambda request: json_response(answer_for(request)))
    fetch(api, "2023")
    by_asset = served(api)
    api.clear_log()
    assert cli.main(["ingest", "comtrade", "--period", "2023"]) == 0
    assert len(api.log) == 0  # same chunks: all landed already by the asset
    assert f"{len(DEFAULT_REPORTERS)} skipped" in capsys.readouterr().err
    assert [args["reporterCode"] for args in by_asset] == FetchScope().reporter_codes()
    assert len(by_asset) == len(DEFAULT_REPORTERS)
