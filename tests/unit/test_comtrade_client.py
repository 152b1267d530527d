"""ComtradeClient and fetch_to_landing against a local HTTP server speaking the real format."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import requests
from werkzeug import Request, Response

from ingest.landing import MANIFEST_NAME, read_manifest
from ingest.sources.comtrade import (
    COMTRADE_SCHEMA,
    DATASET,
    KEY_HEADER,
    SOURCE_API,
    ComtradeClient,
    ComtradeError,
    fetch_to_landing,
    parse_comtrade_json,
    plan_chunks,
)
from ingest.staging import stage_landed_files
from tests.builders import (
    API_KEY,
    DATA_PATH,
    EMPTY_ANSWER,
    PREVIEW_PATH,
    FakeTime,
    api_answer,
    json_response,
    make_client,
    record,
)

EMPTY_BODY = EMPTY_ANSWER.read_bytes()


def served_args(httpserver) -> list[dict]:
    return [dict(request.args) for request, _ in httpserver.log]


def test_429_retry_after_seconds_then_success(httpserver, tmp_path):
    answers = [
        json_response(b'{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 7 '
                      b'seconds." }', 429, {"Retry-After": "7"}),
        json_response(api_answer([record(kg=4321.0)])),
    ]
    httpserver.expect_request(PREVIEW_PATH).respond_with_handler(lambda _: answers.pop(0))
    fake = FakeTime()
    report = fetch_to_landing(make_client(httpserver, fake), reporters=[156], partners=None,
                              cmd_codes=["280530"], periods=[2010],
                              landing_dir=tmp_path / "landing")
    assert 7.0 in fake.sleeps
    assert report.chunks_fetched == 1 and report.records_landed == 1
    (entry,) = read_manifest(tmp_path / "landing", SOURCE_API)
    assert parse_comtrade_json(entry).rows["net_wgt_kg"].tolist() == [4321.0]


def test_429_retry_after_http_date_and_body_hint(httpserver):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    answers = [
        json_response(b"{}", 429, {"Retry-After": when}),
        json_response(b'{"statusCode": 429, "message": "Try again in 3 seconds."}', 429),
        json_response(api_answer([record()])),
    ]
    httpserver.expect_request(PREVIEW_PATH).respond_with_handler(lambda _: answers.pop(0))
    fake = FakeTime()
    response = make_client(httpserver, fake, min_interval_s=0).get(
        "C", "A", "HS", {"reporterCode": "156"})
    assert response.record_count == 1
    assert 25 <= fake.sleeps[0] <= 30
    assert fake.sleeps[1] == 3.0


def test_5xx_exhausting_retries_raises_naming_the_request_and_keeps_what_landed(
    httpserver, tmp_path
):
    def handler(request: Request) -> Response:
        if request.args["reporterCode"] == "156":
            return json_response(api_answer([record(reporter=156)]))
        return Response("upstream timeout", status=503)

    httpserver.expect_request(PREVIEW_PATH).respond_with_handler(handler)
    fake = FakeTime()
    client = make_client(httpserver, fake, max_retries=2, backoff_s=1.0, min_interval_s=0)
    with pytest.raises(ComtradeError) as raised:
        fetch_to_landing(client, reporters=[156, 842], partners=None, cmd_codes=["280530"],
                         periods=[2010], landing_dir=tmp_path / "landing")
    message = str(raised.value)
    assert "reporterCode=842" in message and "gave up after 3 attempts" in message
    assert "HTTP 503" in message
    assert fake.sleeps == [1.0, 2.0]  # exponential backoff, no real waiting
    assert raised.value.report.chunks_fetched == 1
    landed = read_manifest(tmp_path / "landing", SOURCE_API)
    assert [entry.request["query"]["reporterCode"] for entry in landed] == ["156"]


def test_connection_errors_are_retried_then_reported(tmp_path):
    fake = FakeTime()
    client = ComtradeClient("http://127.0.0.1:1", "", max_retries=1, backoff_s=0.5,
                            min_interval_s=0, timeout_s=2, sleep=fake.sleep, clock=fake.clock)
    with pytest.raises(ComtradeError, match="ConnectionError"):
        client.get("C", "A", "HS", {"reporterCode": "156"})
    assert fake.sleeps == [0.5]


def test_truncated_body_is_fetched_again_not_landed(httpserver, tmp_path):
    full = api_answer([record(kg=77.0)])
    answers = [json_response(full[: len(full) // 2]), json_response(full)]
    httpserver.expect_request(PREVIEW_PATH).respond_with_handler(lambda _: answers.pop(0))
    report = fetch_to_landing(make_client(httpserver, FakeTime()), reporters=[156],
                              partners=None, cmd_codes=["280530"], periods=[2010],
                              landing_dir=tmp_path / "landing")
    assert len(httpserver.log) == 2 and report.chunks_fetched == 1
    (entry,) = read_manifest(tmp_path / "landing", SOURCE_API)
    assert Path(entry.path).read_bytes() == full


def test_always_truncated_body_fails_and_lands_nothing(httpserver, tmp_path):
    cut = api_answer([record()])[:100]
    httpserver.expect_request(PREVIEW_PATH).respond_with_data(cut, content_type="application/json")
    client = make_client(httpserver, FakeTime(), max_retries=1)
    with pytest.raises(ComtradeError, match="truncated or invalid JSON"):
        fetch_to_landing(client, reporters=[156], partners=None, cmd_codes=["280530"],
                         periods=[2010], landing_dir=tmp_path / "landing")
    assert read_manifest(tmp_path / "landing", SOURCE_API) == []


def test_empty_result_is_landed_as_a_complete_answer(httpserver, tmp_path):
    httpserver.expect_request(PREVIEW_PATH).respond_with_data(
        EMPTY_BODY, content_type="application/json")
    report = fetch_to_landing(make_client(httpserver, FakeTime()), reporters=[842],
                              partners=[156], cmd_codes=["280530"], periods=[2009],
                              landing_dir=tmp_path / "landing")
    assert (report.chunks_fetched, report.records_landed) == (1, 0)
    (entry,) = read_manifest(tmp_path / "landing", SOURCE_API)
    assert entry.row_count == 0
    assert parse_comtrade_json(entry).rows.empty


def test_api_error_field_is_a_clear_error(httpserver):
    httpserver.expect_request(PREVIEW_PATH).respond_with_data(
        api_answer([], error="Invalid cmdCode"), content_type="application/json")
    with pytest.raises(ComtradeError, match="Invalid cmdCode"):
        make_client(httpserver, FakeTime()).get("C", "A", "HS", {"cmdCode": "ABC"})
    assert len(httpserver.log) == 1  # not retried


def test_an_answer_without_a_data_list_is_tried_again_then_a_clear_error(httpserver):
    httpserver.expect_request(PREVIEW_PATH).respond_with_data(
        b'{"elapsedTime": "0.1 secs", "count": 0, "error": ""}', content_type="application/json")
    with pytest.raises(ComtradeError, match=r"gave up after 2 attempts; last: .*no data list"):
        make_client(httpserver, FakeTime(), max_retries=1).get("C", "A", "HS", {"cmdCode": "280530"})
    assert len(httpserver.log) == 2


def test_answer_at_the_record_cap_is_split_by_partner_and_not_landed(httpserver, tmp_path):
    at_cap = api_answer([record(partner=32, kg=float(i)) for i in range(500)])  # preview cap

    def handler(request: Request) -> Response:
        partners = request.args["partnerCode"]
        if partners == "32,276":
            return json_response(at_cap)
        count = {"32": 3, "276": 2}[partners]
        return json_response(api_answer([record(partner=int(partners)) for _ in range(count)]))

    httpserver.expect_request(PREVIEW_PATH).respond_with_handler(handler)
    report = fetch_to_landing(make_client(httpserver, FakeTime()), reporters=[156],
                              partners=[32, 276], cmd_codes=["280530", "284690"],
                              periods=[2010], landing_dir=tmp_path / "landing")
    assert [args["partnerCode"] for args in served_args(httpserver)] == ["32,276", "32", "276"]
    assert (report.chunks_planned, report.chunks_split, report.chunks_fetched) == (1, 1, 2)
    assert report.records_landed == 5 and report.incomplete == []
    landed = read_manifest(tmp_path / "landing", SOURCE_API)
    assert sorted(entry.request["query"]["partnerCode"] for entry in landed) == ["276", "32"]
    assert all(entry.row_count < 500 for entry in landed)


def test_without_partner_list_the_split_is_per_cmd_code(httpserver, tmp_path):
    def handler(request: Request) -> Response:
        codes = request.args["cmdCode"]
        if "," in codes:
            return json_response(api_answer([record() for _ in range(500)]))
        return json_response(api_answer([record(cmd=codes)]))

    httpserver.expect_request(PREVIEW_PATH).respond_with_handler(handler)
    report = fetch_to_landing(make_client(httpserver, FakeTime()), reporters=[156],
                              partners=None, cmd_codes=["280530", "284690"], periods=[2010],
                              landing_dir=tmp_path / "landing")
    assert [args["cmdCode"] for args in served_args(httpserver)] == [
        "280530,284690", "280530", "284690"]
    assert (report.chunks_split, report.chunks_fetched, report.records_landed) == (1, 2, 2)


def test_monthly_split_per_month_then_flow_and_what_stays_at_the_cap_is_reported(
    httpserver, tmp_path
):
    at_cap = api_answer([record(period="201002") for _ in range(500)])

    def handler(request: Request) -> Response:
        period, flows = request.args["period"], request.args["flowCode"]
        if "," in period or (period == "201002" and flows != "M"):
            return json_response(at_cap)
        return json_response(api_answer([record(period=period, flow=flows)]))

    httpserver.expect_request("/public/v1/preview/C/M/HS").respond_with_handler(handler)
    report = fetch_to_landing(make_client(httpserver, FakeTime()), reporters=[156],
                              partners=None, cmd_codes=["280530"], periods=["2010"],
                              frequency="M", landing_dir=tmp_path / "landing")
    # the year -> 12 months; 201002 (M,X) -> M and X; 201002 X alone is still at the cap.
    assert report.chunks_split == 2
    assert report.chunks_fetched == 12  # 11 months with both flows + 201002 imports
    assert len(report.incomplete) == 1
    assert "period 201002" in report.incomplete[0] and "flows X" in report.incomplete[0]
    landed = read_manifest(tmp_path / "landing", SOURCE_API)
    assert all(entry.row_count == 1 for entry in landed)


def test_chunk_split_order_partner_then_cmd_then_month_then_flow():
    (chunk,) = plan_chunks(reporters=[156], partners=[32, 276, 842], cmd_codes=["280530",
                           "284690"], periods=["2010"], frequency="M")
    assert chunk.params()["period"] == ",".join(f"2010{m:02d}" for m in range(1, 13))
    halves = chunk.split()
    assert [part.partners for part in halves] == [("32",), ("276", "842")]
    per_code = halves[0].split()
    assert [part.cmd_codes for part in per_code] == [("280530",), ("284690",)]
    per_month = per_code[0].split()
    assert len(per_month) == 12 and per_month[0].periods == ("201001",)
    assert [part.flows for part in per_month[0].split()] == [("M",), ("X",)]
    assert per_month[0].split()[0].split() == []


def test_resume_after_interruption_fetches_only_what_is_missing(httpserver, tmp_path):
    def handler(request: Request) -> Response:
        reporter = int(request.args["reporterCode"])
        return json_response(api_answer([record(reporter=reporter, kg=float(reporter))]))

    httpserver.expect_request(DATA_PATH).respond_with_handler(handler)
    landing = tmp_path / "landing"
    arguments = {"reporters": [156, 842, 392], "partners": [0], "cmd_codes": ["280530"],
                 "periods": [2022], "landing_dir": landing}

    def interrupt_after_first_landing(message: str) -> None:
        if message.startswith("landed"):
            raise KeyboardInterrupt  # the operator's Ctrl-C, or a killed worker

    with pytest.raises(KeyboardInterrupt):
        fetch_to_landing(make_client(httpserver, FakeTime(), key=API_KEY),
                         progress=interrupt_after_first_landing, **arguments)
    assert [args["reporterCode"] for args in served_args(httpserver)] == ["156"]
    httpserver.clear_log()

    messages: list[str] = []
    report = fetch_to_landing(make_client(httpserver, FakeTime(), key=API_KEY),
                              progress=messages.append, **arguments)
    assert [args["reporterCode"] for args in served_args(httpserver)] == ["842", "392"]
    assert (report.chunks_skipped, report.chunks_fetched) == (1, 2)
    assert any(message.startswith("skip") for message in messages)
    landed = read_manifest(landing, SOURCE_API)
    assert sorted(entry.request["query"]["reporterCode"] for entry in landed) == [
        "156", "392", "842"]


def test_new_and_missing_fields_from_the_server_when_staged(httpserver, tmp_path, caplog):
    drifted = record(kg=250.0)
    drifted["recycledShare"] = 0.1
    missing = record()
    del missing["cmdCode"]

    def handler(request: Request) -> Response:
        chosen = drifted if request.args["reporterCode"] == "156" else missing
        return json_response(api_answer([chosen]))

    httpserver.expect_request(PREVIEW_PATH).respond_with_handler(handler)
    landing, staged = tmp_path / "landing", tmp_path / "staged"
    fetch_to_landing(make_client(httpserver, FakeTime()), reporters=[156, 842], partners=None,
                     cmd_codes=["280530"], periods=[2010], landing_dir=landing)
    with caplog.at_level(logging.WARNING):
        report = stage_landed_files(read_manifest(landing, SOURCE_API), dataset=DATASET,
                                    schema=COMTRADE_SCHEMA, parse=parse_comtrade_json,
                                    parser_version=1, staged_dir=staged)
    assert (report.files_parsed, report.rows, report.quarantined) == (2, 1, 1)
    assert any("recycledShare" in message for message in caplog.messages)
    import pyarrow.parquet as pq

    quarantine = pq.read_table(staged / "quarantine").to_pylist()
    (rejected,) = [row for row in quarantine if row["reason"]]
    assert "file rejected" in rejected["reason"] and "cmdCode" in rejected["reason"]
    rows = pq.read_table(staged / DATASET).to_pylist()
    assert [row["net_wgt_kg"] for row in rows] == [250.0]


def test_key_goes_in_the_header_only_never_in_url_manifest_or_logs(
    httpserver, tmp_path, caplog, monkeypatch
):
    answers = [Response("busy", status=502), json_response(api_answer([record()]))]
    httpserver.expect_request(DATA_PATH).respond_with_handler(lambda _: answers.pop(0))
    monkeypatch.setenv("COMTRADE_BASE_URL", httpserver.url_for(""))
    monkeypatch.setenv("COMTRADE_API_KEY", API_KEY)
    fake = FakeTime()
    client = ComtradeClient(sleep=fake.sleep, clock=fake.clock)  # both from the environment
    assert client.record_cap == 250_000 and API_KEY not in repr(client)
    with caplog.at_level(logging.DEBUG):
        fetch_to_landing(client, reporters=[392], partners=[156], cmd_codes=["280530"],
                         periods=[2023], landing_dir=tmp_path / "landing")
    requests_seen = [request for request, _ in httpserver.log]
    assert all(request.headers.get(KEY_HEADER) == API_KEY for request in requests_seen)
    assert all(API_KEY not in request.url for request in requests_seen)
    assert requests_seen[-1].args["maxRecords"] == "250000"
    manifest_text = (tmp_path / "landing" / MANIFEST_NAME).read_text()
    assert API_KEY not in manifest_text and "/data/v1/get/C/A/HS" in manifest_text
    assert any("HTTP 502" in message for message in caplog.messages)  # the retry was logged
    assert API_KEY not in caplog.text


def test_rejected_key_is_not_retried_and_not_echoed(httpserver, caplog):
    httpserver.expect_request(DATA_PATH).respond_with_data(
        json.dumps({"statusCode": 401, "message": f"Access denied: invalid key {API_KEY}"}),
        status=401, content_type="application/json")
    with caplog.at_level(logging.DEBUG), pytest.raises(ComtradeError) as raised:
        make_client(httpserver, FakeTime(), key=API_KEY).get("C", "A", "HS", {"period": "2020"})
    assert "HTTP 401" in str(raised.value) and API_KEY not in str(raised.value)
    assert len(httpserver.log) == 1 and API_KEY not in caplog.text


def test_without_key_the_public_preview_is_used(httpserver, monkeypatch):
    monkeypatch.delenv("COMTRADE_API_KEY", raising=False)
    httpserver.expect_request(PREVIEW_PATH).respond_with_data(
        EMPTY_BODY, content_type="application/json")
    client = ComtradeClient(httpserver.url_for(""), sleep=FakeTime().sleep)
    assert client.uses_preview and client.record_cap == 500
    client.get("C", "A", "HS", {"reporterCode": "156"})
    (request, _) = httpserver.log[0]
    assert KEY_HEADER not in request.headers and request.args["maxRecords"] == "500"


def test_calls_are_spaced_by_the_minimum_interval(httpserver):
    httpserver.expect_request(PREVIEW_PATH).respond_with_data(
        EMPTY_BODY, content_type="application/json")
    fake = FakeTime()
    client = make_client(httpserver, fake, min_interval_s=6.0)
    client.get("C", "A", "HS", {"period": "2020"})
    fake.now += 2.0  # two seconds of other work
    client.get("C", "A", "HS", {"period": "2021"})
    assert fake.sleeps == [pytest.approx(4.0)]


class FlakySession(requests.Session):
    """A real session that times out for the reporters listed in `failing` (a network fault
    without waiting for a real timeout)."""

    def __init__(self, failing: set[str]) -> None:
        super().__init__()
        self.failing = failing
        self.timeouts = 0

    def get(self, url, params=None, **kwargs):
        if params and params.get("reporterCode") in self.failing:
            self.timeouts += 1
            raise requests.Timeout(f"read timed out ({url})")
        return super().get(url, params=params, **kwargs)


@pytest.mark.parametrize("fault", ["429", "timeout"])
def test_exhausted_retries_fail_clearly_keep_what_landed_and_the_next_run_resumes(
    httpserver, tmp_path, fault
):
    down = {"842"}

    def handler(request: Request) -> Response:
        reporter = request.args["reporterCode"]
        if fault == "429" and reporter in down:
            return json_response(b'{"statusCode": 429, "message": "Rate limit is exceeded."}',
                                 429, {"Retry-After": "2"})
        return json_response(api_answer([record(reporter=int(reporter))]))

    httpserver.expect_request(PREVIEW_PATH).respond_with_handler(handler)
    session = FlakySession(down if fault == "timeout" else set())
    fake = FakeTime()
    client = ComtradeClient(httpserver.url_for(""), "", session=session, max_retries=3,
                            backoff_s=1.0, min_interval_s=0, sleep=fake.sleep, clock=fake.clock)
    arguments = {"reporters": [156, 842, 392], "partners": None, "cmd_codes": ["280530"],
                 "periods": [2010], "landing_dir": tmp_path / "landing"}
    with pytest.raises(ComtradeError) as raised:
        fetch_to_landing(client, **arguments)
    message = str(raised.value)
    assert "reporterCode=842" in message and "gave up after 4 attempts" in message
    assert ("HTTP 429 rate limit" if fault == "429" else "Timeout") in message
    assert len(fake.sleeps) == 3  # three retries, waited on the fake clock only
    assert raised.value.report.chunks_fetched == 1  # 156 landed before 842 failed
    kept = read_manifest(tmp_path / "landing", SOURCE_API)
    assert [entry.request["query"]["reporterCode"] for entry in kept] == ["156"]

    down.clear()  # the service recovers; the next run fetches only what is missing
    httpserver.clear_log()
    report = fetch_to_landing(client, **arguments)
    assert (report.chunks_skipped, report.chunks_fetched) == (1, 2)
    assert [args["reporterCode"] for args in served_args(httpserver)] == ["842", "392"]
    landed = read_manifest(tmp_path / "landing", SOURCE_API)
    assert sorted(entry.request["query"]["reporterCode"] for entry in landed) == ["156", "392", "842"]


def test_the_key_is_in_no_log_record_error_or_manifest_row_even_when_calls_fail(
    httpserver, tmp_path, caplog, monkeypatch
):
    def handler(request: Request) -> Response:
        if request.args["reporterCode"] == "842":
            return Response(f"gateway error for key {API_KEY}", status=502)
        return json_response(api_answer([record(reporter=int(request.args["reporterCode"]))]))

    httpserver.expect_request(DATA_PATH).respond_with_handler(handler)
    monkeypatch.setenv("COMTRADE_API_KEY", API_KEY)  # the only place a key may come from
    fake = FakeTime()
    client = ComtradeClient(httpserver.url_for(""), max_retries=2, min_interval_s=0,
                            sleep=fake.sleep, clock=fake.clock)
    assert not client.uses_preview
    with caplog.at_level(logging.DEBUG), pytest.raises(ComtradeError) as raised:
        fetch_to_landing(client, reporters=[156, 842], partners=[0], cmd_codes=["280530"],
                         periods=[2022], landing_dir=tmp_path / "landing")
    assert all(request.headers.get(KEY_HEADER) == API_KEY for request, _ in httpserver.log)
    assert API_KEY not in str(raised.value) and API_KEY not in repr(client)
    assert caplog.records, "the retries should have been logged"
    for log_record in caplog.records:
        assert API_KEY not in log_record.getMessage()
        assert API_KEY not in repr(log_record.args) and API_KEY not in str(log_record.exc_info)
    manifest = (tmp_path / "landing" / MANIFEST_NAME).read_text()
    assert manifest.count("\n") == 1 and API_KEY not in manifest
    for entry in read_manifest(tmp_path / "landing"):
        assert API_KEY not in json.dumps(entry.request) and API_KEY not in (entry.vintage or "")
