"""One rule set for Comtrade records: an API answer and a bulk file holding the same records
give the same staged rows and the same quarantine reasons (rules.py runs for both)."""

from __future__ import annotations

import pandas as pd

from ingest.sources.comtrade import COMTRADE_SCHEMA, parse_comtrade_bulk, parse_comtrade_json
from tests.builders import as_json, bulk_text, rare_earth_response

# One defect a record, as a reporter's system could send it (numbers as JSON numbers or text).
DEFECTS = [
    {"netWgt": -5},
    {"reporterCode": None},
    {"partnerCode": "12.5"},
    {"period": "2010-01"},
    {"primaryValue": "lots"},
    {"isReported": "maybe"},
    {"motCode": 99_999_999_999},
    {"cmdCode": "28O530"},
    {"flowCode": "Q"},
    {"refMonth": 2.5},
    {"qty": "1,250.5"},  # a thousands separator is read, not refused
]


def test_api_and_bulk_paths_give_the_same_rows_and_reasons(land):
    good = rare_earth_response()["data"]
    records = [{**good[0], **defect} for defect in DEFECTS] + good
    api = parse_comtrade_json(land(as_json({"data": records, "error": ""}), name="response.json",
                                   source="comtrade_api"))
    bulk = parse_comtrade_bulk(land(bulk_text(records, delimiter="\t"), name="same.tsv",
                                    source="comtrade_bulk"))
    reasons = [(row.row_number, row.reason) for row in api.quarantined]
    assert reasons == [(row.row_number, row.reason) for row in bulk.quarantined]
    assert len(reasons) == len(DEFECTS) - 1 and reasons[0] == (1, "negative netWgt -5")
    assert (7, "motCode '99999999999' is out of range") in reasons
    same = [c for c in COMTRADE_SCHEMA.names
            if c not in {"file_id", "source_format", "reporter_iso", "partner_iso"}]
    pd.testing.assert_frame_equal(api.rows[same], bulk.rows[same])
    assert api.rows["record_number"].tolist() == [11, 12, 13, 14, 15]
    assert api.rows["qty"].tolist()[0] == 1250.5


def test_an_empty_api_record_is_quarantined_not_skipped(land):
    good = rare_earth_response()["data"]
    records = [good[0], {name: None for name in good[0]}, good[1]]
    result = parse_comtrade_json(land(as_json({"data": records, "error": ""}), name="response.json",
                                      source="comtrade_api"))
    assert [(row.row_number, row.reason) for row in result.quarantined] == [
        (2, "cmdCode None is not a numeric HS code (2, 4 or 6 digits)")
    ]
    assert result.rows["record_number"].tolist() == [1, 3]  # each record keeps its place
