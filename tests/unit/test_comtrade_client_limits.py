"""The Comtrade client's bounds against a local server (issue 14, part 4 and the key of part 5):
a connection closed mid-body, an answer nested too deeply, a server sending too slowly, an
answer too large, a key that could forge a header, a wait the client will not make, a redirect
that would carry the key elsewhere. Each ends in a retry or in a one-line error that names the
request and never the key; what landed before stays and a rerun resumes."""

from __future__ import annotations

import threading
import time

import pytest
from werkzeug import Request, Response

from ingest.landing import read_manifest
from ingest.sources.comtrade import (
    KEY_HEADER,
    SOURCE_API,
    ComtradeClient,
    ComtradeError,
    fetch_to_landing,
)
from ingest.sources.comtrade import client as client_module
from orchestration import cli
from tests.builders import (
    API_KEY,
    DATA_PATH,
    PREVIEW_PATH,
    FakeTime,
    api_answer,
    json_response,
    make_client,
    record,
)

FETCH = {"reporters": [156], "partners": None, "cmd_codes": ["280530"], "periods": [2010]}


def cut_off(full: bytes, keep: int) -> Response:
    """An answer that announces all of `full` and closes the connection after `keep` bytes."""
    return Response(iter([full[:keep]]), headers={"Content-Length": str(len(full))},
                    content_type="application/json", direct_passthrough=True)


class Drip:
    """An answer sent one byte at a time, `interval_s` apart, for up to `seconds`; `done`
    tells whether the server got to send all of it."""

    def __init__(self, interval_s: float = 0.1, seconds: float = 30.0) -> None:
        self.interval_s, self.seconds = interval_s, seconds
        self.done = threading.Event()

    def response(self) -> Response:
        return Response(self._bytes(), content_type="application/json")

    def _bytes(self):
        yield b'{"data": ['
        for _ in range(int(self.seconds / self.interval_s)):
            time.sleep(self.interval_s)
            yield b" "
        self.done.set()
        yield b'], "error": ""}'


def test_a_connection_closed_mid_body_is_retried_and_the_full_answer_landed(httpserver, tmp_path):
    full = api_answer([record(kg=77.0)])
    answers = [cut_off(full, len(full) // 3), json_response(full)]
    httpserver.expect_request(PREVIEW_PATH).respond_with_handler(lambda _: answers.pop(0))
    fake = FakeTime()
    report = fetch_to_landing(make_client(httpserver, fake, min_interval_s=0),
                              landing_dir=tmp_path / "landing", **FETCH)
    assert len(httpserver.log) == 2 and report.chunks_fetched == 1
    assert fake.sleeps == [1.0]  # the backoff before the second attempt
    (entry,) = read_manifest(tmp_path / "landing", SOURCE_API)
    assert entry.row_count == 1 and entry.size_bytes == len(full)


def test_a_connection_always_closed_mid_body_ends_in_one_line_and_lands_nothing(
    httpserver, tmp_path
):
    full = api_answer([record()])
    httpserver.expect_request(PREVIEW_PATH).respond_with_handler(lambda _: cut_off(full, 40))
    client = make_client(httpserver, FakeTime(), max_retries=2, min_interval_s=0)
    with pytest.raises(ComtradeError) as raised:
        fetch_to_landing(client, landing_dir=tmp_path / "landing", **FETCH)
    message = str(raised.value)
    assert "gave up after 3 attempts" in message and "answer cut off after 40 bytes" in message
    assert "\n" not in message and len(httpserver.log) == 3
    assert read_manifest(tmp_path / "landing", SOURCE_API) == []


def test_json_nested_too_deeply_is_a_bad_answer_not_a_crash(httpserver):
    depth = 200_000
    nested = b'{"data": ' + b"[" * depth + b"]" * depth + b"}"
    httpserver.expect_request(PREVIEW_PATH).respond_with_data(
        nested, content_type="application/json")
    client = make_client(httpserver, FakeTime(), max_retries=1, min_interval_s=0)
    with pytest.raises(ComtradeError) as raised:  # not RecursionError
        client.get("C", "A", "HS", {"reporterCode": "156"})
    assert "JSON nested too deeply" in str(raised.value) and "\n" not in str(raised.value)
    assert len(httpserver.log) == 2  # retried once, as a cut-off answer would be


def test_a_server_sending_too_slowly_is_cut_off_at_the_deadline(httpserver):
    drip = Drip()
    httpserver.expect_request(PREVIEW_PATH).respond_with_handler(lambda _: drip.response())
    # The real clock (the deadline is about time passing); waits are still only recorded.
    client = ComtradeClient(httpserver.url_for(""), "", min_interval_s=0, deadline_s=1,
                            sleep=FakeTime().sleep)
    with pytest.raises(ComtradeError) as raised:
        client.get("C", "A", "HS", {"reporterCode": "156"})
    message = str(raised.value)
    assert "no complete answer within 1 s" in message and "reporterCode=156" in message
    assert not drip.done.is_set()  # the client stopped waiting; the server had more to send
    assert len(httpserver.log) <= 1  # not retried: a retry would wait as long again


def test_ingest_comtrade_stops_at_the_deadline_keeps_what_landed_and_resumes(
    reeflow_env, httpserver, monkeypatch, capsys
):
    monkeypatch.setenv("COMTRADE_BASE_URL", httpserver.url_for("/"))
    monkeypatch.setenv("COMTRADE_API_KEY", API_KEY)
    monkeypatch.setattr(client_module, "DEADLINE_S", 1.0)
    slow = {"842"}

    def handler(request: Request) -> Response:
        reporter = request.args["reporterCode"]
        if reporter in slow:
            return Drip().response()
        return json_response(api_answer([record(reporter=int(reporter), period="2023")]))

    httpserver.expect_request(DATA_PATH).respond_with_handler(handler)
    args = ["ingest", "comtrade", "--reporter", "JPN,USA", "--cmd", "280530", "--period", "2023"]
    assert cli.main(args) == cli.EXIT_FAILED
    err = capsys.readouterr().err
    assert "no complete answer within 1 s" in err and "resume" in err and API_KEY not in err
    assert [e.request["query"]["reporterCode"] for e in read_manifest(source=SOURCE_API)] == ["392"]

    slow.clear()  # the server is fast again: the rerun asks only for what is missing
    httpserver.clear_log()
    assert cli.main(args) == 0
    assert [request.args["reporterCode"] for request, _ in httpserver.log] == ["842"]
    assert len(read_manifest(source=SOURCE_API)) == 2


@pytest.mark.parametrize("length", ["announced", "chunked"])
def test_an_answer_over_the_size_limit_is_refused(httpserver, length):
    answer = api_answer([record(partner=partner) for partner in range(20)])
    response = (json_response(answer) if length == "announced"
                else Response(iter([answer[:500], answer[500:]]), content_type="application/json"))
    httpserver.expect_request(PREVIEW_PATH).respond_with_response(response)
    client = make_client(httpserver, FakeTime(), max_body_bytes=1000, min_interval_s=0)
    with pytest.raises(ComtradeError, match="over the 1000 byte limit; ask for less"):
        client.get("C", "A", "HS", {"reporterCode": "156"})
    assert len(httpserver.log) == 1  # a larger answer is not what a retry would change


@pytest.mark.parametrize("key", ["abc\nX-Injected: 1", "abc def", "abc\x00", "k" * 300])
def test_a_key_that_could_forge_a_header_is_refused_without_printing_it(key):
    with pytest.raises(ComtradeError, match="not a subscription key") as raised:
        ComtradeClient("http://127.0.0.1:1", key)
    assert "abc" not in str(raised.value) and "X-Injected" not in str(raised.value)
    assert "kkk" not in str(raised.value)


def test_ingest_comtrade_refuses_a_bad_key_before_any_request(
    reeflow_env, httpserver, monkeypatch, capsys
):
    monkeypatch.setenv("COMTRADE_BASE_URL", httpserver.url_for("/"))
    monkeypatch.setenv("COMTRADE_API_KEY", "s3cret\nX-Injected: 1")
    args = ["ingest", "comtrade", "--reporter", "JPN", "--cmd", "280530", "--period", "2023"]
    assert cli.main(args) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "COMTRADE_API_KEY is not a subscription key" in err
    assert "s3cret" not in err and "X-Injected" not in err
    assert httpserver.log == []


def test_a_key_read_from_a_file_loses_its_line_break(httpserver):
    httpserver.expect_request(DATA_PATH).respond_with_response(json_response(api_answer([])))
    make_client(httpserver, FakeTime(), key=API_KEY + "\n").get("C", "A", "HS", {"period": "2020"})
    ((request, _),) = httpserver.log
    assert request.headers[KEY_HEADER] == API_KEY


def test_a_wait_beyond_the_maximum_is_refused_without_waiting(httpserver):
    httpserver.expect_request(PREVIEW_PATH).respond_with_response(
        json_response(b'{"statusCode": 429}', 429, {"Retry-After": "3600"}))
    fake = FakeTime()
    with pytest.raises(ComtradeError, match="HTTP 429 rate limit; server asks to wait 3600 s"):
        make_client(httpserver, fake).get("C", "A", "HS", {"reporterCode": "156"})
    assert fake.sleeps == [] and len(httpserver.log) == 1


def test_a_redirect_is_not_followed_with_the_key(httpserver):
    httpserver.expect_request(DATA_PATH).respond_with_response(
        Response("", status=302, headers={"Location": httpserver.url_for("/elsewhere")}))
    with pytest.raises(ComtradeError, match="HTTP 302") as raised:
        make_client(httpserver, FakeTime(), key=API_KEY).get("C", "A", "HS", {"period": "2020"})
    assert len(httpserver.log) == 1 and API_KEY not in str(raised.value)
