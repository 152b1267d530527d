"""UN Comtrade records -> staged rows: the schema, the rules, and the API JSON parser.

API responses are read into plain record dicts and normalised here; bulk text files are far
larger and go through DuckDB (bulk.py), which applies these same rules and reasons in SQL
built from the tables below. Field names are matched case-insensitively because Comtrade itself
is inconsistent: its dictionary spells `cifValue` / `isnetWgtEstimated`, its records `cifvalue` /
`isNetWgtEstimated`.

Rules (a bad row is quarantined with file, record number and reason; the rest load):
- a file lacking a required field altogether is rejected (FileRejected names the field);
- a field we do not know is ignored and logged once per file (schema drift, see
  `detect_schema_drift`), so a new Comtrade column never stops a run silently or loudly;
- cmdCode must be a numeric HS code, flowCode a Comtrade flow code, weights and quantities
  non-negative, the reporter present.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

from ingest.contract import FileRejected, ParseResult, QuarantinedRow
from ingest.landing import LandedFile

logger = logging.getLogger(__name__)

SOURCE_API = "comtrade_api"
SOURCE_BULK = "comtrade_bulk"
DATASET = "comtrade_records"
PARSER_VERSION = 1
# Generated demo data is landed with this vintage (and request {"sample": true}); every row
# parsed from it says is_sample = true so it can never pass for reported trade.
SAMPLE_VINTAGE = "sample"

COMTRADE_SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("record_number", pa.int64()),
        ("source_format", pa.string()),
        ("type_code", pa.string()),
        ("freq_code", pa.string()),
        ("period", pa.string()),
        ("ref_year", pa.int32()),
        ("ref_month", pa.int32()),
        ("reporter_code", pa.int32()),
        ("reporter_iso", pa.string()),
        ("partner_code", pa.int32()),
        ("partner_iso", pa.string()),
        ("partner2_code", pa.int32()),
        ("flow_code", pa.string()),
        ("classification_code", pa.string()),
        ("cmd_code", pa.string()),
        ("customs_code", pa.string()),
        ("mot_code", pa.int32()),
        ("qty_unit_code", pa.int32()),
        ("qty", pa.float64()),
        ("net_wgt_kg", pa.float64()),
        ("gross_wgt_kg", pa.float64()),
        ("cif_value_usd", pa.float64()),
        ("fob_value_usd", pa.float64()),
        ("primary_value_usd", pa.float64()),
        ("is_net_wgt_estimated", pa.bool_()),
        ("is_qty_estimated", pa.bool_()),
        ("is_reported", pa.bool_()),
        ("is_aggregate", pa.bool_()),
        ("is_sample", pa.bool_()),
    ]
)

# Without these a record cannot be placed (who, whom, what, when, which way, how much).
REQUIRED_FIELDS = (
    "typeCode",
    "freqCode",
    "period",
    "reporterCode",
    "partnerCode",
    "flowCode",
    "classificationCode",
    "cmdCode",
    "primaryValue",
)

# Every data item of the API records and of the final bulk files (TradeDataItems reference
# list, plus the spellings the records use). Anything else is schema drift.
KNOWN_FIELDS = frozenset(
    name.lower()
    for name in (
        "datasetCode", "typeCode", "freqCode", "refPeriodId", "refYear", "refMonth", "period",
        "reporterCode", "reporterISO", "reporterDesc", "flowCategory", "flowCode", "flowDesc",
        "partnerCode", "partnerISO", "partnerDesc", "partner2Code", "partner2ISO",
        "partner2Desc", "classificationCode", "classificationSearchCode",
        "isOriginalClassification", "cmdCode", "cmdDesc", "aggrLevel", "isLeaf",
        "customsCode", "customsDesc", "mosCode", "mosDesc", "motCode", "motDesc",
        "qtyUnitCode", "qtyUnitAbbr", "qty", "isQtyEstimated", "altQtyUnitCode",
        "altQtyUnitAbbr", "altQty", "isAltQtyEstimated", "netWgt", "isNetWgtEstimated",
        "grossWgt", "isGrossWgtEstimated", "cifValue", "fobValue", "primaryValue",
        "legacyEstimationFlag", "isReported", "isAggregate",
    )
)

# Comtrade trade-flow codes (its flow reference list).
FLOW_CODES = frozenset(
    {"M", "X", "RM", "RX", "DX", "FM", "MIP", "XIP", "MOP", "XOP", "MIF", "XIF"}
)

_HS_CODE = re.compile(r"^\d{2}(\d{2}(\d{2})?)?$")  # chapter, heading or subheading
_PERIOD = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})?$")
ANNUAL_REF_MONTH = 52  # what Comtrade puts in refMonth for annual records
TRUE_VALUES = {"true", "1", "t", "yes", "y"}
FALSE_VALUES = {"false", "0", "f", "no", "n"}

STRING_FIELDS = {
    "type_code": "typeCode",
    "freq_code": "freqCode",
    "reporter_iso": "reporterISO",
    "partner_iso": "partnerISO",
    "classification_code": "classificationCode",
    "customs_code": "customsCode",
}
INT_FIELDS = {
    "partner_code": "partnerCode",
    "partner2_code": "partner2Code",
    "mot_code": "motCode",
    "qty_unit_code": "qtyUnitCode",
}
MEASURES = {  # column -> (field, may it be negative?)
    "qty": ("qty", False),
    "net_wgt_kg": ("netWgt", False),
    "gross_wgt_kg": ("grossWgt", False),
    "cif_value_usd": ("cifvalue", True),
    "fob_value_usd": ("fobvalue", True),
    "primary_value_usd": ("primaryValue", True),
}
FLAGS = {
    "is_net_wgt_estimated": "isNetWgtEstimated",
    "is_qty_estimated": "isQtyEstimated",
    "is_reported": "isReported",
    "is_aggregate": "isAggregate",
}


class _BadRow(ValueError):
    """A record that breaks a rule; its message is the quarantine reason."""


def detect_schema_drift(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """Field names (as spelled in the file) that Comtrade's data-item list does not have."""
    seen: dict[str, None] = {}
    for record in records:
        for name in record:
            if name.lower() not in KNOWN_FIELDS:
                seen.setdefault(name, None)
    return list(seen)


def missing_required_fields(field_names: Iterable[str]) -> list[str]:
    present = {name.lower() for name in field_names}
    return [name for name in REQUIRED_FIELDS if name.lower() not in present]


def check_field_names(landed: LandedFile, field_names: Iterable[str]) -> None:
    """Reject a file lacking a required field; log once the fields Comtrade does not list."""
    names = [name for name in field_names if name]
    missing = missing_required_fields(names)
    if missing:
        raise FileRejected(
            f"{landed.original_name} lacks required Comtrade field(s): {', '.join(missing)}"
        )
    drift = detect_schema_drift([dict.fromkeys(names)])
    if drift:
        logger.warning(
            "%s: new Comtrade field(s) ignored: %s", landed.original_name, ", ".join(drift)
        )


def is_sample_file(landed: LandedFile) -> bool:
    return landed.vintage == SAMPLE_VINTAGE or bool((landed.request or {}).get("sample"))


def parse_comtrade_json(landed: LandedFile) -> ParseResult:
    """A landed API response (`{"elapsedTime", "count", "data": [...], "error"}`)."""
    content = _read(landed)
    try:
        payload = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileRejected(
            f"truncated or invalid JSON in {landed.original_name} ({len(content)} bytes): {exc}"
        ) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise FileRejected(f"{landed.original_name} is not a Comtrade API response: no data list")
    error = payload.get("error")
    if error:
        raise FileRejected(f"Comtrade API answered with an error: {error}")
    records = payload["data"]
    if not all(isinstance(record, dict) for record in records):
        raise FileRejected(f"{landed.original_name}: data holds something other than records")
    return _parse_records(landed, records, "api_json")


def _read(landed: LandedFile) -> bytes:
    with open(landed.path, "rb") as handle:
        return handle.read()


def _parse_records(
    landed: LandedFile, records: list[dict[str, Any]], source_format: str
) -> ParseResult:
    field_names = list(dict.fromkeys(name for record in records for name in record))
    if field_names:  # an empty response has no fields to check
        check_field_names(landed, field_names)
    sample = is_sample_file(landed)
    rows: list[dict[str, Any]] = []
    quarantined: list[QuarantinedRow] = []
    for record_number, record in enumerate(records, start=1):
        lookup = {name.lower(): value for name, value in record.items()}
        try:
            row = _normalise(lookup)
        except _BadRow as exc:
            quarantined.append(
                QuarantinedRow.of(landed, record_number, str(exc),
                                  json.dumps(record, default=str, ensure_ascii=False))
            )
            continue
        row.update(
            file_id=landed.file_id,
            record_number=record_number,
            source_format=source_format,
            is_sample=sample,
        )
        rows.append(row)
    return ParseResult(rows=_frame(rows), quarantined=quarantined)


def _normalise(record: dict[str, Any]) -> dict[str, Any]:
    """One record (keys lower-cased) -> one staged row; raises _BadRow with the reason."""
    row: dict[str, Any] = {
        column: _text(record.get(field.lower())) for column, field in STRING_FIELDS.items()
    }
    reporter = _integer(record.get("reportercode"), "reporterCode")
    if reporter is None:
        raise _BadRow("missing reporterCode")
    row["reporter_code"] = reporter
    for column, field in INT_FIELDS.items():
        row[column] = _integer(record.get(field.lower()), field)
    if row["partner_code"] is None:
        raise _BadRow("missing partnerCode")

    flow = _text(record.get("flowcode"))
    if flow is None or flow.upper() not in FLOW_CODES:
        raise _BadRow(f"unknown flowCode {flow!r}")
    row["flow_code"] = flow.upper()

    cmd = _text(record.get("cmdcode"))
    if cmd is None or not _HS_CODE.match(cmd):
        raise _BadRow(f"cmdCode {cmd!r} is not a numeric HS code (2, 4 or 6 digits)")
    row["cmd_code"] = cmd

    row.update(_period(record))
    for column, (field, may_be_negative) in MEASURES.items():
        value = _number(record.get(field.lower()), field)
        if value is not None and value < 0 and not may_be_negative:
            raise _BadRow(f"negative {field} {value:g}")
        row[column] = value
    for column, field in FLAGS.items():
        row[column] = _flag(record.get(field.lower()), field)
    return row


def _period(record: dict[str, Any]) -> dict[str, Any]:
    period = _text(record.get("period"))
    match = _PERIOD.match(period or "")
    if not match:
        raise _BadRow(f"period {period!r} is not YYYY or YYYYMM")
    ref_year = _integer(record.get("refyear"), "refYear") or int(match["year"])
    ref_month = _integer(record.get("refmonth"), "refMonth")
    if ref_month is None:
        ref_month = int(match["month"]) if match["month"] else ANNUAL_REF_MONTH
    return {"period": period, "ref_year": ref_year, "ref_month": ref_month}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any, field: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _BadRow(f"{field} is a flag, not a number: {value!r}")
    try:
        return float(str(value).replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError) as exc:
        raise _BadRow(f"{field} {value!r} is not a number") from exc


def _integer(value: Any, field: str) -> int | None:
    number = _number(value, field)
    if number is None:
        return None
    if not number.is_integer():
        raise _BadRow(f"{field} {value!r} is not a whole number")
    return int(number)


def _flag(value: Any, field: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    if not text:
        return None
    raise _BadRow(f"{field} {value!r} is not true/false")


_PANDAS_DTYPES = {
    pa.string(): "string",
    pa.int64(): "Int64",
    pa.int32(): "Int32",
    pa.float64(): "float64",
    pa.bool_(): "boolean",
}


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows -> DataFrame with nullable dtypes that convert losslessly to COMTRADE_SCHEMA."""
    return _with_dtypes(pd.DataFrame(rows, columns=COMTRADE_SCHEMA.names))


def frame_from_table(table: pa.Table) -> pd.DataFrame:
    """Staged rows read back from Arrow, with the same dtypes as the record parser's frame."""
    return _with_dtypes(table.select(COMTRADE_SCHEMA.names).to_pandas())


def _with_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({field.name: _PANDAS_DTYPES[field.type] for field in COMTRADE_SCHEMA})
