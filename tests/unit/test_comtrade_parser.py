"""Comtrade parsers on the real API payloads (tests/fixtures/comtrade-api), altered in code."""

from __future__ import annotations

import copy
import gzip
import json
import logging

import pandas as pd
import pytest

from ingest.contract import FileRejected
from ingest.sources.comtrade import (
    COMTRADE_SCHEMA,
    SAMPLE_VINTAGE,
    detect_schema_drift,
    land_sample_response,
    parse_comtrade_bulk,
    parse_comtrade_json,
)
from ingest.staging import frame_to_table
from tests.builders import (
    BULK_HEADER,
    EMPTY_ANSWER,
    NET_WEIGHTS_KG,
    REAL_ANSWER,
    as_json,
    bulk_text,
    rare_earth_response,
    real_answer,
)
from tests.conftest import fixture_file

LISTING_FILE = fixture_file("comtrade-api", "bulk_v1_get_C_A_HS__listing_sample.json")
DICTIONARY = fixture_file("comtrade-api", "reference_TradeDataItems.json")

@pytest.fixture
def land_as() -> dict:
    return {"source": "comtrade_api", "name": "response.json"}


def test_real_total_records_are_quarantined_as_non_numeric_cmd_code(land):
    landed = land(REAL_ANSWER.read_bytes(), name=REAL_ANSWER.name)
    result = parse_comtrade_json(landed)
    assert result.rows.empty
    assert [row.row_number for row in result.quarantined] == [1, 2, 3, 4]
    assert {row.file_name for row in result.quarantined} == {REAL_ANSWER.name}
    assert "cmdCode 'TOTAL' is not a numeric HS code" in result.quarantined[0].reason
    assert json.loads(result.quarantined[0].raw)["partnerISO"] == "ARG"


def test_rare_earth_records_parse_with_real_field_values(land):
    result = parse_comtrade_json(land(as_json(rare_earth_response())))
    rows = result.rows
    assert result.quarantined == []
    assert len(rows) == 4
    assert rows["net_wgt_kg"].tolist() == NET_WEIGHTS_KG
    assert rows["record_number"].tolist() == [1, 2, 3, 4]
    assert rows["partner_iso"].tolist() == ["ARG", "DEU", "ARG", "DEU"]
    assert rows["flow_code"].tolist() == ["M", "M", "X", "X"]
    first = rows.iloc[0]
    assert first["reporter_code"] == 156 and first["reporter_iso"] == "CHN"
    assert first["period"] == "2010" and first["ref_year"] == 2010
    assert first["ref_month"] == 52  # annual, as the API sends it
    assert first["classification_code"] == "H3" and first["cmd_code"] == "280530"
    assert first["cif_value_usd"] == 6804128143.0
    assert pd.isna(first["fob_value_usd"])  # JSON null stays null
    assert rows.iloc[2]["fob_value_usd"] == 6115764185.0
    assert first["customs_code"] == "C00" and first["mot_code"] == 0
    assert first["partner2_code"] == 0 and first["qty_unit_code"] == 8
    assert bool(first["is_reported"]) and not bool(first["is_aggregate"])
    assert not rows["is_sample"].any()
    assert set(rows["source_format"]) == {"api_json"}
    table = frame_to_table(rows, COMTRADE_SCHEMA)
    assert table.schema == COMTRADE_SCHEMA


def test_bad_rows_go_to_quarantine_with_reasons_and_the_rest_load(land):
    response = rare_earth_response()
    good = copy.deepcopy(response["data"][0])
    response["data"][0]["cmdCode"] = "28O530"  # letter O typed for zero
    response["data"][1]["flowCode"] = "Q"
    response["data"][2]["netWgt"] = -5.0
    response["data"][3]["reporterCode"] = None
    response["data"].append(good)
    response["count"] = len(response["data"])  # as the API says it: the records it holds
    result = parse_comtrade_json(land(as_json(response), "bad.json"))
    reasons = {row.row_number: row.reason for row in result.quarantined}
    assert reasons == {
        1: "cmdCode '28O530' is not a numeric HS code (2, 4 or 6 digits)",
        2: "unknown flowCode 'Q'",
        3: "negative netWgt -5",
        4: "missing reporterCode",
    }
    assert result.rows["record_number"].tolist() == [5]
    assert result.rows["net_wgt_kg"].tolist() == [NET_WEIGHTS_KG[0]]


def test_new_field_is_ignored_and_reported_once(land, caplog):
    response = rare_earth_response()
    for record in response["data"]:
        record["carbonContentKg"] = 12.5
    assert detect_schema_drift(response["data"]) == ["carbonContentKg"]
    with caplog.at_level(logging.WARNING, logger="ingest.sources.comtrade.rules"):
        result = parse_comtrade_json(land(as_json(response)))
    assert len(result.rows) == 4 and result.quarantined == []
    drift_messages = [r.getMessage() for r in caplog.records if "carbonContentKg" in r.getMessage()]
    assert len(drift_messages) == 1


def test_known_fields_in_either_spelling_are_not_drift():
    assert detect_schema_drift([{"cifValue": 1, "cifvalue": 1, "isnetWgtEstimated": True}]) == []
    assert detect_schema_drift(real_answer()["data"]) == []


def test_every_item_of_the_data_dictionary_is_known():
    items = [item["dataItem"] for item in json.loads(DICTIONARY.read_text())["results"]]
    assert len(items) == 50 and "cifValue" in items
    assert detect_schema_drift([dict.fromkeys(items, 1)]) == []


def test_missing_required_field_rejects_the_file_naming_it(land):
    response = rare_earth_response()
    for record in response["data"]:
        del record["cmdCode"]
    with pytest.raises(FileRejected, match="cmdCode"):
        parse_comtrade_json(land(as_json(response)))


def test_truncated_json_is_rejected(land):
    content = REAL_ANSWER.read_bytes()
    landed = land(content[: len(content) // 2], name="cut.json")
    with pytest.raises(FileRejected, match="truncated or invalid JSON"):
        parse_comtrade_json(landed)


def test_response_with_error_is_rejected_with_that_error(land):
    payload = json.loads(EMPTY_ANSWER.read_text())
    payload["error"] = "Parameter reporterCode is invalid"
    with pytest.raises(FileRejected, match="Parameter reporterCode is invalid"):
        parse_comtrade_json(land(as_json(payload)))


def test_real_empty_response_gives_no_rows_and_no_quarantine(land):
    result = parse_comtrade_json(land(EMPTY_ANSWER.read_bytes(), name=EMPTY_ANSWER.name))
    assert result.rows.empty and result.quarantined == []
    assert frame_to_table(result.rows, COMTRADE_SCHEMA).num_rows == 0


def test_bulk_listing_is_not_a_data_response(land):
    with pytest.raises(FileRejected, match="cmdCode"):
        parse_comtrade_json(land(LISTING_FILE.read_bytes(), name=LISTING_FILE.name))


# A CSV of the API's own field names (`cifvalue`, not the bulk header's `cifValue`).
API_SPELLINGS = tuple(name for name in real_answer()["data"][0]
                      if name.lower() in {field.lower() for field in BULK_HEADER})


def test_gzipped_bulk_file_parses_to_the_same_values_as_the_api(land):
    records = rare_earth_response()["data"]
    from_api = parse_comtrade_json(land(as_json(rare_earth_response()))).rows
    content = gzip.compress(bulk_text(records, delimiter="\t").encode())
    bulk = parse_comtrade_bulk(land(content, name="COMTRADE-FINAL-CA156201H3.txt.gz"))
    assert bulk.quarantined == []
    assert set(bulk.rows["source_format"]) == {"bulk_csv"}
    assert bulk.rows["reporter_iso"].isna().all()  # bulk final files carry codes only
    same = [c for c in COMTRADE_SCHEMA.names
            if c not in {"file_id", "source_format", "reporter_iso", "partner_iso"}]
    pd.testing.assert_frame_equal(bulk.rows[same], from_api[same])


def test_csv_of_api_fields_parses_and_quarantines_shifted_lines(land):
    records = rare_earth_response()["data"]
    text = bulk_text(records, header=API_SPELLINGS)
    lines = text.splitlines()
    lines[2] += ",extra"  # record 2: one cell too many
    result = parse_comtrade_bulk(land(("\n".join(lines) + "\n\n").encode(),
                                      name="api_fields.csv"))
    assert result.rows["record_number"].tolist() == [1, 3, 4]
    assert [q.row_number for q in result.quarantined] == [2]
    assert "cells for" in result.quarantined[0].reason


def test_bulk_file_without_a_required_column_is_rejected(land):
    text = "typeCode\tfreqCode\tperiod\treporterCode\tpartnerCode\tflowCode\tprimaryValue\n"
    with pytest.raises(FileRejected, match="classificationCode, cmdCode"):
        parse_comtrade_bulk(land(text.encode(), name="header_only.txt"))


def test_monthly_period_without_ref_month_gets_the_month(land):
    response = rare_earth_response()
    for record in response["data"]:
        record.update(freqCode="M", period="201003")
        del record["refMonth"], record["refYear"]
    rows = parse_comtrade_json(land(as_json(response))).rows
    assert rows["ref_month"].tolist() == [3, 3, 3, 3]
    assert rows["ref_year"].tolist() == [2010] * 4


def test_sample_files_mark_every_row(tmp_path):
    content = json.dumps(rare_earth_response()).encode()
    landed, _ = land_sample_response(content, name="demo.json", landing_dir=tmp_path / "landing")
    assert landed.vintage == SAMPLE_VINTAGE and landed.request == {"sample": True}
    rows = parse_comtrade_json(landed).rows
    assert len(rows) == 4 and rows["is_sample"].all()
