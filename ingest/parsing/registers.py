"""Hand-typed registers: CSV tables of cited figures, one row each (published figures, prices,
diversification projects, company metrics).

Each parser names its columns and a `validate(row) -> dict` that raises ValueError with the
reason; `parse_register` reads the landed file once, rejects a file that lacks a column, and
quarantines every bad row with its line, its key and the reason, never dropping one silently. The
small readers below say the same thing the same way in every register ("price 'x' is not a
number").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Sequence
from datetime import date

import pandas as pd

from ingest.contract import FileRejected, ParseResult, QuarantinedRow
from ingest.landing import LandedFile
from ingest.parsing.numbers import MAX_AMOUNT, plausible, without_thousands_commas
from ingest.parsing.textfiles import check_unique_header, over_long_cell, read_text
from ingest.reference.countries import AGGREGATES, resolve_country

_BOOL = {"true": True, "false": False, "1": True, "0": False}
# As far as a publication's date is known: a year, a month or a day.
_PARTIAL_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def parse_register(
    landed: LandedFile,
    columns: Sequence[str],
    validate: Callable[[dict[str, str]], dict],
    *,
    key: Sequence[str],
    schema_names: Sequence[str],
    optional: Collection[str] = (),
) -> ParseResult:
    """Rows of a register file: `validate` each (cells stripped), quarantine the bad ones and any
    repeat of `key`, with the line number and a reason that starts with the row's key. A column
    in `optional` may be missing from the file (a register typed before it was added): its
    cells read as empty."""
    reader = csv.DictReader(io.StringIO(read_text(landed)))
    check_unique_header(reader.fieldnames, landed.original_name)
    missing = [name for name in columns
               if name not in (reader.fieldnames or []) and name not in optional]
    if missing:
        raise FileRejected(f"{landed.original_name} lacks columns {missing}")
    rows, quarantined, seen = [], [], {}
    for raw in reader:
        line = reader.line_num
        typed = ",".join(raw.get(name) or "" for name in columns)
        if too_long := over_long_cell(raw.values()):
            quarantined.append(QuarantinedRow.of(landed, line, too_long, typed))
            continue
        cells = {name: (raw.get(name) or "").strip() for name in columns}
        label = "/".join(cells[name] for name in key if cells[name]) or "(no key)"
        try:
            row = validate(cells)
            row_key = tuple(row[name] for name in key)
            if row_key in seen:
                raise ValueError(f"repeats line {seen[row_key]}")
        except ValueError as exc:
            quarantined.append(QuarantinedRow.of(landed, line, f"{label}: {exc}", typed))
            continue
        seen[row_key] = line
        rows.append({**row, "file_id": landed.file_id, "row_number": line})
    return ParseResult(rows=pd.DataFrame(rows, columns=list(schema_names)), quarantined=quarantined)


def required(row: dict[str, str], column: str, why: str = "") -> str:
    if not row[column]:
        raise ValueError(f"{column} is empty{': ' + why if why else ''}")
    return row[column]


def choice(row: dict[str, str], column: str, allowed: Collection[str], *, optional: bool = False) -> str | None:
    value = row[column]
    if optional and not value:
        return None
    if value not in allowed:
        raise ValueError(f"{column} {value!r} not in {sorted(allowed)}")
    return value


def flag(row: dict[str, str], column: str) -> bool:
    value = row[column].lower()
    if value not in _BOOL:
        raise ValueError(f"{column} {row[column]!r} is not true/false")
    return _BOOL[value]


def number(row: dict[str, str], column: str, *, optional: bool = False) -> float | None:
    """A plain number as typed ('10,908', '0.5'); never NaN, infinity or an absurd magnitude."""
    text = without_thousands_commas(row[column], column)
    if optional and not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{column} {row[column]!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{column} {row[column]!r} is not a finite number")
    return plausible(value, column, MAX_AMOUNT)


def year(row: dict[str, str], column: str, *, latest: int, optional: bool = False) -> int | None:
    text = row[column]
    if optional and not text:
        return None
    if not text.isdigit() or not 1950 <= int(text) <= latest:
        raise ValueError(f"{column} {text!r} is not a year in 1950..{latest}")
    return int(text)


def partial_date(row: dict[str, str], column: str) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD (as far as the date is known), or empty; kept as typed."""
    text = row[column]
    if not text:
        return None
    if _PARTIAL_DATE.match(text):
        parts = [int(part) for part in text.split("-")] + [1, 1]
        try:
            date(*parts[:3])
            return text
        except ValueError:
            pass
    raise ValueError(f"{column} {text!r} is not a date YYYY, YYYY-MM or YYYY-MM-DD")


def url(row: dict[str, str], column: str) -> str | None:
    text = row[column]
    if text and not text.startswith(("https://", "http://")):
        raise ValueError(f"{column} {text!r} is not an http(s) address")
    return text or None


def country_code(code: str, column: str) -> str | None:
    """An ISO3 code or a reserved group (WLD, OTH, XEU) as typed, upper-cased; None when empty."""
    code = code.strip().upper()
    if not code:
        return None
    if code in AGGREGATES or resolve_country(code) == code:
        return code
    raise ValueError(f"{column} {code!r} is not an ISO3 code or a reserved aggregate")


def latest_data_year() -> int:
    """The latest year a figure about the past or present may be for: two years ahead of today
    (a figure for the current year is printed before it ends, a quota for the next)."""
    return date.today().year + 2
