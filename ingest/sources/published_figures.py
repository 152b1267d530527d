"""Published aggregates: single figures quoted from a named publication (source kind
`published_aggregate`).

Quotas, stage shares, a country's import shares by partner, stockpile days, cited loss
estimates: figures that exist only as printed numbers, not as records. Each row of the register
names its publication, table or page and edition; the parser checks every row and quarantines
the ones it cannot trust, with the reason.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pyarrow as pa

from ingest.contract import FileRejected, ParseResult, QuarantinedRow
from ingest.landing import LandedFile
from ingest.parsing.textfiles import read_text
from ingest.reference.countries import AGGREGATES, resolve_country

SOURCE = "published_aggregate"
DATASET = "published_figures"
PARSER_VERSION = 2  # 2: passes the issue-12 qualifier columns through

REQUIRED = (
    "figure_id", "topic", "metric", "subject_iso3", "partner_iso3", "year", "period_label",
    "element", "stage", "value", "unit", "definition", "publication", "table_or_page",
    "edition", "is_estimate", "is_illustrative", "confidence", "notes",
)
STAGES = {"mining", "separation", "refining", "magnets", "all"}
UNITS = {"t", "t_REO", "t_metal_equivalent", "t_product", "percent", "days", "JPY", "USD"}
CONFIDENCE = {"high", "medium", "low"}
# Issue-12 register columns the flow models read (value_qualifier: a bound is never a point value).
# Passed through as printed; r-figures' register checks validate them (take theirs on a merge).
OPTIONAL = ("value_qualifier", "basis", "method")
_BOOL = {"true": True, "false": False, "1": True, "0": False}

SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("row_number", pa.int32()),
        ("figure_id", pa.string()),
        ("topic", pa.string()),
        ("metric", pa.string()),
        ("subject_iso3", pa.string()),
        ("partner_iso3", pa.string()),
        ("year", pa.int32()),
        ("period_label", pa.string()),
        ("element", pa.string()),
        ("stage", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("definition", pa.string()),
        ("publication", pa.string()),
        ("table_or_page", pa.string()),
        ("edition", pa.string()),
        ("is_estimate", pa.bool_()),
        ("is_illustrative", pa.bool_()),
        ("confidence", pa.string()),
        ("notes", pa.string()),
        *[(name, pa.string()) for name in OPTIONAL],
    ]
)


def _country(code: str, column: str) -> str | None:
    code = code.strip().upper()
    if not code:
        return None
    if code in AGGREGATES or resolve_country(code) == code:
        return code
    raise ValueError(f"{column} {code!r} is not an ISO3 code or a reserved aggregate")


def _validate(raw: dict[str, str]) -> dict:
    row = {name: (raw.get(name) or "").strip() for name in REQUIRED}
    if not row["figure_id"]:
        raise ValueError("figure_id is empty")
    if row["stage"] not in STAGES:
        raise ValueError(f"stage {row['stage']!r} not in {sorted(STAGES)}")
    if row["unit"] not in UNITS:
        raise ValueError(f"unit {row['unit']!r} not in {sorted(UNITS)}")
    if row["confidence"] not in CONFIDENCE:
        raise ValueError(f"confidence {row['confidence']!r} not in {sorted(CONFIDENCE)}")
    if not row["publication"]:
        raise ValueError("publication is empty: every figure must cite its source")
    try:
        value = float(row["value"].replace(",", ""))
    except ValueError:
        raise ValueError(f"value {row['value']!r} is not a number") from None
    if value < 0 or (row["unit"] == "percent" and value > 100):
        raise ValueError(f"value {value} is out of range for unit {row['unit']}")
    year = int(row["year"]) if row["year"] else None
    if year is not None and not 1950 <= year <= date.today().year + 2:
        raise ValueError(f"year {year} is outside 1950..{date.today().year + 2}")
    flags = {}
    for flag in ("is_estimate", "is_illustrative"):
        if row[flag].lower() not in _BOOL:
            raise ValueError(f"{flag} {row[flag]!r} is not true/false")
        flags[flag] = _BOOL[row[flag].lower()]
    return {
        **row,
        **flags,
        "subject_iso3": _country(row["subject_iso3"], "subject_iso3"),
        "partner_iso3": _country(row["partner_iso3"], "partner_iso3"),
        "year": year,
        "value": value,
        "notes": row["notes"] or None,
        **{name: (raw.get(name) or "").strip() or None for name in OPTIONAL},
        "value_qualifier": (raw.get("value_qualifier") or "").strip() or "exact",
        "table_or_page": row["table_or_page"] or None,
    }


def parse(landed: LandedFile) -> ParseResult:
    reader = csv.DictReader(io.StringIO(read_text(landed)))
    missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
    if missing:
        raise FileRejected(f"{landed.original_name} lacks columns {missing}")
    rows, quarantined, seen = [], [], {}
    for raw in reader:
        row_number = reader.line_num
        try:
            row = _validate(raw)
            if row["figure_id"] in seen:
                raise ValueError(
                    f"figure_id {row['figure_id']!r} repeats line {seen[row['figure_id']]}"
                )
        except ValueError as exc:
            quarantined.append(
                QuarantinedRow.of(landed, row_number, str(exc),
                                  ",".join(raw.get(name) or "" for name in REQUIRED))
            )
            continue
        seen[row["figure_id"]] = row_number
        rows.append({**row, "file_id": landed.file_id, "row_number": row_number})
    return ParseResult(rows=pd.DataFrame(rows, columns=SCHEMA.names), quarantined=quarantined)
