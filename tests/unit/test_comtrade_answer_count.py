"""An API answer whose `count` is not the number of records in its `data` is a partial answer.

In every real answer recorded (tests/fixtures/comtrade-api: 4 records and count 4, 0 and 0, 1 and
1) `count` is the number of records of that answer's `data`. An answer saying 250 and holding 2
was cut short somewhere: neither the file path nor the fetch may take it for the whole answer. An
answer with two `data` lists is not one answer either.
"""

from __future__ import annotations

import functools
import json

import pytest

from ingest.contract import FileRejected
from ingest.landing import read_manifest
from ingest.sources import comtrade
from ingest.sources.comtrade import (
    COMTRADE_SCHEMA,
    DATASET,
    SOURCE_API,
    ComtradeClient,
    ComtradeError,
    fetch_to_landing,
    parse_comtrade_json,
    stage_comtrade_json,
)
from ingest.staging import stage_landed_files
from orchestration import cli
from tests.builders import (
    API_KEY,
    DATA_PATH,
    NET_WEIGHTS_KG,
    PREVIEW_PATH,
    REAL_ANSWER,
    FakeTime,
    api_answer,
    as_json,
    json_response,
    make_client,
    rare_earth_response,
    real_answer,
    record,
)


@pytest.fixture
def land_as() -> dict:
    return {"source": "comtrade_api", "name": "answer.json"}


def answer(records: list[dict], count: int | str | None) -> bytes:
    """The API's envelope around `records`, saying `count` (None: no count at all)."""
    body = {"elapsedTime": "0.1 secs", "count": count, "data": records, "error": ""}
    if count is None:
        del body["count"]
    return as_json(body)


# What the tester's fake server answered: count 250, two records.
PARTIAL = answer([record(reporter=392, period="2023"),
                  record(reporter=392, partner=842, period="2023")], 250)


def fetch(client: ComtradeClient, tmp_path):
    return fetch_to_landing(client, reporters=[392], partners=None, cmd_codes=["280530"],
                            periods=[2023], landing_dir=tmp_path / "landing")


# --- a saved answer (`reeflow ingest file --format comtrade_api`) ------------------------------

def test_a_saved_answer_saying_more_records_than_it_holds_is_rejected(land, tmp_path):
    landed = land(PARTIAL)
    message = ("answer.json: the answer says count 250 but holds 2 records: "
               "a partial answer, not staged")
    with pytest.raises(FileRejected) as parsed:
        parse_comtrade_json(landed)
    assert str(parsed.value) == message
    with pytest.raises(FileRejected) as staged:
        stage_comtrade_json(landed, tmp_path / "answer.parquet")
    assert str(staged.value) == message
    assert not (tmp_path / "answer.parquet").exists()


@pytest.mark.parametrize("content, said, held", [
    (answer([record(), record(partner=276)], 1), 1, 2),  # more records than it says
    (answer([], 3), 3, 0),
    # `count` after `data`: known only once the records are read, checked all the same.
    (b'{"data": [' + json.dumps(record()).encode() + b'], "count": 5, "error": ""}', 5, 1),
], ids=["more records than said", "none of three", "count after data"])
def test_any_count_other_than_the_records_held_is_rejected(land, content, said, held):
    with pytest.raises(FileRejected, match=f"says count {said} but holds {held} records: "
                                           "a partial answer, not staged"):
        parse_comtrade_json(land(content))


def test_a_count_that_is_not_a_number_is_rejected(land):
    with pytest.raises(FileRejected, match="count '2' is not a number of records"):
        parse_comtrade_json(land(answer([record(), record(partner=276)], "2")))


def test_staging_quarantines_the_partial_answer_as_a_whole_file(land, tmp_path):
    land(PARTIAL)
    staged = tmp_path / "staged"
    report = stage_landed_files(read_manifest(tmp_path / "landing", SOURCE_API), dataset=DATASET,
                                schema=COMTRADE_SCHEMA, parse=parse_comtrade_json,
                                parser_version=1, staged_dir=staged)
    assert (report.rows, report.quarantined) == (0, 1)
    import pyarrow.parquet as pq

    (row,) = pq.read_table(staged / "quarantine").to_pylist()
    assert row["reason"] == ("file rejected: answer.json: the answer says count 250 but holds "
                             "2 records: a partial answer, not staged")


def test_real_answers_parse_exactly_as_before_and_the_same_answer_cut_short_does_not(land):
    # The recorded answer, byte for byte: its 4 TOTAL records are quarantined, as before.
    result = parse_comtrade_json(land(REAL_ANSWER.read_bytes(), name=REAL_ANSWER.name))
    assert result.rows.empty
    assert [(row.row_number, row.reason) for row in result.quarantined] == [
        (n, "cmdCode 'TOTAL' is not a numeric HS code (2, 4 or 6 digits)") for n in (1, 2, 3, 4)]
    assert [json.loads(row.raw) for row in result.quarantined] == real_answer()["data"]
    # Its records as HS 280530 (tests/builders): 4 rows, no quarantine, the same values.
    rows = parse_comtrade_json(land(as_json(rare_earth_response()))).rows
    assert rows["net_wgt_kg"].tolist() == NET_WEIGHTS_KG
    assert rows["partner_code"].tolist() == [32, 276, 32, 276]
    assert rows["flow_code"].tolist() == ["M", "M", "X", "X"]
    assert rows["primary_value_usd"].tolist() == [
        6804128143.0, 74251272075.0, 6115764185.0, 68047133397.0]
    # The same real answer with its last record gone (count still 4) is not a whole answer.
    cut = real_answer()
    cut["data"].pop()
    with pytest.raises(FileRejected, match="says count 4 but holds 3 records"):
        parse_comtrade_json(land(as_json(cut), name="cut.json"))


def test_an_answer_without_a_count_is_read_as_before(land):
    result = parse_comtrade_json(land(answer([record(kg=5.0)], None)))
    assert result.rows["net_wgt_kg"].tolist() == [5.0]
    # ... while the same answer saying a count it does not hold is not.
    with pytest.raises(FileRejected, match="says count 2 but holds 1 records"):
        parse_comtrade_json(land(answer([record(kg=5.0)], 2)))


# --- two `data` lists ------------------------------------------------------------------------

def two_lists(first: list[dict], second: list[dict]) -> bytes:
    return (b'{"elapsedTime": "0.1 secs", "count": ' + str(len(first) + len(second)).encode()
            + b', "data": ' + json.dumps(first).encode() + b', "data": '
            + json.dumps(second).encode() + b', "error": ""}')


def test_an_answer_with_two_data_lists_is_rejected(land):
    content = two_lists([record(kg=1.0)], [record(partner=276, kg=2.0)])
    with pytest.raises(FileRejected, match=r"^answer\.json: the answer holds two `data` lists "
                                           r"\(the second at character \d+\): not staged$"):
        parse_comtrade_json(land(content))


def test_an_answer_with_two_error_fields_is_rejected(land):
    # json.loads keeps the last: the API's error would be read as "" and the answer as good.
    content = b'{"count": 0, "data": [], "error": "quota exceeded", "error": ""}'
    with pytest.raises(FileRejected, match="two `error` fields"):
        parse_comtrade_json(land(content))


# --- the fetch (`reeflow ingest comtrade`) ---------------------------------------------------

def test_a_partial_answer_is_never_landed(httpserver, tmp_path):
    httpserver.expect_request(PREVIEW_PATH).respond_with_data(
        PARTIAL, content_type="application/json")
    client = make_client(httpserver, FakeTime(), max_retries=2)
    with pytest.raises(ComtradeError, match="says count 250 but holds 2 records") as failed:
        fetch(client, tmp_path)
    assert failed.value.transient  # like a body cut off: asking again later may do
    assert len(httpserver.log) == 3  # asked again, as for a truncated body, then gave up
    assert read_manifest(tmp_path / "landing", SOURCE_API) == []
    assert failed.value.report.records_landed == 0


def test_a_partial_answer_is_asked_again_and_the_whole_answer_landed(httpserver, tmp_path):
    whole = api_answer([record(reporter=392, period="2023", kg=float(n)) for n in range(3)])
    answers = [json_response(PARTIAL), json_response(whole)]
    httpserver.expect_request(PREVIEW_PATH).respond_with_handler(lambda _: answers.pop(0))
    report = fetch(make_client(httpserver, FakeTime()), tmp_path)
    assert len(httpserver.log) == 2 and report.records_landed == 3
    (entry,) = read_manifest(tmp_path / "landing", SOURCE_API)
    assert entry.row_count == 3
    assert parse_comtrade_json(entry).rows["net_wgt_kg"].tolist() == [0.0, 1.0, 2.0]


def test_an_answer_with_two_data_lists_is_never_landed(httpserver, tmp_path):
    httpserver.expect_request(PREVIEW_PATH).respond_with_data(
        two_lists([record()], [record(partner=276)]), content_type="application/json")
    with pytest.raises(ComtradeError, match="two `data` lists"):
        fetch(make_client(httpserver, FakeTime(), max_retries=1), tmp_path)
    assert read_manifest(tmp_path / "landing", SOURCE_API) == []


def test_an_answer_at_the_cap_saying_more_is_still_split_not_failed(httpserver, tmp_path):
    # Guard for the cap rule (fetch.py): an answer holding exactly the record cap is cut by the
    # API. Should the API's count there say how many records matched (more than the cap), the
    # chunk is split as before, not failed as a partial answer.
    at_cap = answer([record(partner=32, kg=float(i)) for i in range(500)], 1200)

    def handler(request):
        partners = request.args["partnerCode"]
        return json_response(at_cap if partners == "32,276" else api_answer(
            [record(partner=int(partners), kg=1.0)]))

    httpserver.expect_request(PREVIEW_PATH).respond_with_handler(handler)
    report = fetch_to_landing(make_client(httpserver, FakeTime()), reporters=[156],
                              partners=[32, 276], cmd_codes=["280530"], periods=[2010],
                              landing_dir=tmp_path / "landing")
    assert (report.chunks_split, report.chunks_fetched, report.records_landed) == (1, 2, 2)


def test_the_cli_fetch_of_a_partial_answer_fails_and_lands_nothing(
        reeflow_env, httpserver, monkeypatch, capsys):
    monkeypatch.setenv("COMTRADE_BASE_URL", httpserver.url_for("/"))
    monkeypatch.setenv("COMTRADE_API_KEY", API_KEY)
    fake = FakeTime()
    monkeypatch.setattr(comtrade, "ComtradeClient", functools.partial(
        ComtradeClient, sleep=fake.sleep, clock=fake.clock, max_retries=1))
    httpserver.expect_request(DATA_PATH).respond_with_data(PARTIAL, content_type="application/json")
    code = cli.main(["ingest", "comtrade", "--period", "2023", "--reporter", "JPN",
                     "--cmd", "280530"])
    err = capsys.readouterr().err
    assert code == cli.EXIT_FAILED
    assert "says count 250 but holds 2 records" in err and "landed 2 records" not in err
    assert read_manifest(source=SOURCE_API) == []
