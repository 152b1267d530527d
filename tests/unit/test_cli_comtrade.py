"""`reeflow ingest comtrade` against a local server speaking the real API format."""

from __future__ import annotations

import json

import pytest

from ingest.landing import read_manifest
from ingest.sources.comtrade import KEY_HEADER, SOURCE_API
from ingest.sources.comtrade.codes import comtrade_code
from orchestration import cli
from tests.builders import API_KEY, DATA_PATH, api_answer, record

ARGS = ["ingest", "comtrade", "--reporter", "JPN,USA", "--partner", "all",
        "--cmd", "280530,2846,850511", "--period", "2023"]


@pytest.fixture
def api(reeflow_env, httpserver, monkeypatch):
    monkeypatch.setenv("COMTRADE_BASE_URL", httpserver.url_for("/"))
    monkeypatch.setenv("COMTRADE_API_KEY", API_KEY)
    return httpserver


def test_iso3_codes_become_comtrade_codes():
    assert [comtrade_code(code) for code in ("JPN", "usa", "FRA", "CHN", "392")] == ["392", "842", "251", "156", "392"]
    with pytest.raises(ValueError, match="unknown country 'XXX'"):
        comtrade_code("XXX")


def test_lands_stages_and_resumes_without_asking_again(api, capsys):
    for reporter in ("392", "842"):
        api.expect_ordered_request(
            DATA_PATH, headers={KEY_HEADER: API_KEY},
            query_string={"reporterCode": reporter, "period": "2023", "cmdCode": "280530,2846,850511",
                          "flowCode": "M,X", "partner2Code": "0", "customsCode": "C00", "motCode": "0",
                          "includeDesc": "TRUE", "maxRecords": "250000"},
        ).respond_with_data(api_answer([record(reporter=int(reporter), period="2023")]),
                            content_type="application/json")
    assert cli.main(ARGS) == 0
    api.check_assertions()
    landed = read_manifest(source=SOURCE_API)
    assert [entry.request["query"]["reporterCode"] for entry in landed] == ["392", "842"]
    assert all(API_KEY not in json.dumps(entry.request) for entry in landed)
    err = capsys.readouterr().err
    assert "staged 2 rows" in err and API_KEY not in err
    # Run again: both chunks are in the manifest, so no request reaches the server.
    assert cli.main(ARGS) == 0
    assert len(api.log) == 2
    assert "skip (already landed)" in capsys.readouterr().err


def test_a_refused_key_fails_clearly_and_keeps_what_landed(api, capsys):
    api.expect_ordered_request(DATA_PATH).respond_with_data(
        api_answer([record(reporter=392, period="2023")]), content_type="application/json")
    api.expect_ordered_request(DATA_PATH).respond_with_data(
        '{"statusCode": 401, "message": "Access denied due to invalid subscription key."}', status=401)
    assert cli.main(ARGS) == cli.EXIT_FAILED
    err = capsys.readouterr().err
    assert "401" in err and "resume" in err and API_KEY not in err
    assert len(read_manifest(source=SOURCE_API)) == 1


def test_an_unknown_country_is_a_usage_error(reeflow_env, capsys):
    assert cli.main(["ingest", "comtrade", "--reporter", "XXX", "--cmd", "2846", "--period", "2023"]) == cli.EXIT_USAGE
    assert "unknown country 'XXX'" in capsys.readouterr().err


def test_the_help_names_the_default_reporters_the_fetch_uses(capsys):
    from ingest.sources.comtrade.scope import DEFAULT_REPORTERS

    with pytest.raises(SystemExit):
        cli.main(["ingest", "comtrade", "--help"])
    assert ",".join(DEFAULT_REPORTERS) in " ".join(capsys.readouterr().out.split())
