"""National customs tariff-line files -> staged rows, driven by one YAML mapping per layout.

A mapping (mappings/<name>.yml beside this module, see mapping.py) declares the file's encoding, number format,
column names, how periods are laid out (`wide_monthly`: one column group per month, or `long`:
one row per period), the quantity units and their kg factors, the value's currency and
multiplier, the national-code -> (HS6, element) table and the partner-country table. Adding a
country means adding a YAML file; this module does not change.

Policies: lines whose national code matches no entry of the code table are outside the scope
(a customs download covers whole chapters) and are skipped, with a count in the log; a line
whose flow, partner or numbers cannot be read is quarantined whole, since its cells share
the defect. Months whose quantities and value are all zero are no trade and give no row.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from ingest.contract import FileRejected, Parser, ParseResult, QuarantinedRow
from ingest.landing import LandedFile
from ingest.parsing.numbers import MAX_AMOUNT, grouped_thousands, plausible
from ingest.parsing.textfiles import check_unique_header, over_long_cell, read_text
from ingest.sources.customs.mapping import CustomsMapping

logger = logging.getLogger(__name__)

DATASET = "customs_records"

CUSTOMS_SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("record_number", pa.int64()),  # line number in the landed file (header = line 1)
        ("mapping_name", pa.string()),
        ("reporter_iso3", pa.string()),
        ("partner_iso3", pa.string()),
        ("partner_code_national", pa.string()),
        ("flow_code", pa.string()),
        ("period", pa.string()),  # YYYYMM, or YYYY for an annual file
        ("national_code", pa.string()),
        ("hs6", pa.string()),
        ("element_symbol", pa.string()),  # null when the national line does not split by element
        ("quantity_kg", pa.float64()),
        ("value_national", pa.float64()),
        ("currency", pa.string()),
        ("value_usd", pa.float64()),  # null unless the file gives it
    ]
)


class _BadLine(ValueError):
    """A line that cannot be read; the message is the quarantine reason."""


def parse_customs_csv(landed: LandedFile, mapping: CustomsMapping) -> ParseResult:
    text = read_text(landed, encodings=mapping.encodings, delimiter=mapping.delimiter)
    lines = list(csv.reader(io.StringIO(text), delimiter=mapping.delimiter))
    if len(lines) < mapping.header_row:
        raise FileRejected(f"{landed.original_name} has no header row")
    check_unique_header(lines[mapping.header_row - 1], landed.original_name)
    header = {name.strip().lower(): index
              for index, name in enumerate(lines[mapping.header_row - 1])}
    slots = _period_slots(mapping, header, landed)
    rows: list[dict[str, Any]] = []
    quarantined: list[QuarantinedRow] = []
    skipped = 0
    for line_number, cells in enumerate(lines[mapping.header_row:], mapping.header_row + 1):
        if not any(cell.strip() for cell in cells):
            continue
        try:
            if too_long := over_long_cell(cells):
                raise _BadLine(too_long)
            parsed = _parse_line(cells, header, slots, mapping)
        except _BadLine as exc:
            quarantined.append(QuarantinedRow.of(landed, line_number, str(exc),
                                                 mapping.delimiter.join(cells)))
            continue
        if parsed is None:
            skipped += 1
            continue
        for row in parsed:
            row.update(file_id=landed.file_id, record_number=line_number,
                       mapping_name=mapping.name)
        rows.extend(parsed)
    if skipped:
        logger.info("%s: %d lines outside the %s national codes skipped",
                    landed.original_name, skipped, mapping.name)
    frame = pd.DataFrame(rows, columns=CUSTOMS_SCHEMA.names).astype(
        {"record_number": "Int64", "quantity_kg": "float64", "value_national": "float64",
         "value_usd": "float64"})
    return ParseResult(rows=frame, quarantined=quarantined)


def parser_for(mapping: CustomsMapping) -> Parser:
    """The catalog's `parse(landed)` for every file of one mapping's layout."""
    return lambda landed: parse_customs_csv(landed, mapping)


@dataclass(frozen=True)
class _Slot:
    period_suffix: str  # "01".."12" for a month, "" when the line carries its own period
    quantities: tuple[tuple[int, int | None, str | None], ...]  # value, unit column, fixed unit
    value: int
    value_usd: int | None


def _period_slots(mapping: CustomsMapping, header: dict[str, int],
                  landed: LandedFile) -> list[_Slot]:
    """Column positions for each period group of a line; rejects the file if one is missing."""
    missing: list[str] = []

    def find(name: str | None) -> int | None:
        if name is None:
            return None
        index = header.get(name.strip().lower())
        if index is None:
            missing.append(name)
        return index

    for key in ("flow", "national_code", "partner"):
        find(mapping.columns[key])
    for key in ("year", "month", "period"):
        if key in mapping.columns:
            find(mapping.columns[key])
    if mapping.layout == "long":
        month_labels = {"": ("",)}
    else:
        month_labels = {f"{month:02d}": labels for month, labels in mapping.months.items()}
    slots = []
    for suffix, labels in month_labels.items():
        label = next((text for text in labels
                      if mapping.value_column.format(month=text).lower() in header), labels[0])
        slots.append(_Slot(
            period_suffix=suffix,
            quantities=tuple((find(q.column.format(month=label)), find(q.unit_column), q.unit)
                             for q in mapping.quantities),
            value=find(mapping.value_column.format(month=label)),
            value_usd=find(mapping.value_usd_column and
                           mapping.value_usd_column.format(month=label)),
        ))
    if missing:
        raise FileRejected(f"{landed.original_name} lacks column(s) {', '.join(missing)} "
                           f"required by customs mapping {mapping.name}")
    return slots


def _parse_line(cells: list[str], header: dict[str, int], slots: list[_Slot],
                mapping: CustomsMapping) -> list[dict[str, Any]] | None:
    def cell(index: int | None) -> str:
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip(mapping.strip_characters)

    def column(key: str) -> str:
        return cell(header[mapping.columns[key].strip().lower()]) if key in mapping.columns else ""

    national_code = column("national_code")
    line = mapping.line_for(national_code)
    if line is None:
        return None
    digits = mapping.national_code_digits
    if not national_code.isdigit() or (digits and len(national_code) != digits):
        raise _BadLine(f"national code {national_code!r} is not {digits or 'all'} digits")
    flow = mapping.flow_codes.get(column("flow"))
    if flow is None:
        raise _BadLine(f"flow {column('flow')!r} is not in the {mapping.name} flow codes")
    partner = column("partner")
    partner_iso3 = mapping.countries.get(partner)
    if partner_iso3 is None:
        raise _BadLine(f"partner code {partner!r} is not in the {mapping.name} country table")
    period = _line_period(column("period"), column("year"), column("month"))
    rows = []
    for slot in slots:
        numbers = [(_number(cell(value), mapping), cell(unit_column).upper() or (unit or ""))
                   for value, unit_column, unit in slot.quantities]
        value = _number(cell(slot.value), mapping)
        value_usd = None if slot.value_usd is None else _number(cell(slot.value_usd), mapping)
        if mapping.skip_all_zero and not value and not any(qty for qty, _ in numbers):
            continue
        kilograms = next((qty * mapping.units_to_kg[unit] for qty, unit in numbers
                          if unit in mapping.units_to_kg and qty is not None), None)
        unknown = [unit for qty, unit in numbers if qty and unit and unit not in mapping.units_to_kg]
        if kilograms is None and unknown:
            # A weight in a unit the table does not convert ('KT', 'LB'): not a missing weight.
            raise _BadLine(f"quantity unit {unknown[0]!r} is not one the {mapping.name} table converts "
                           f"to kg ({', '.join(mapping.units_to_kg)})")
        rows.append({
            "reporter_iso3": mapping.reporter_iso3,
            "partner_iso3": partner_iso3,
            "partner_code_national": partner,
            "flow_code": flow,
            "period": (period + slot.period_suffix) if slot.period_suffix else period,
            "national_code": national_code,
            "hs6": line[0],
            "element_symbol": line[1],
            "quantity_kg": kilograms,
            "value_national": None if value is None else value * mapping.value_multiplier,
            "currency": mapping.currency,
            "value_usd": value_usd,
        })
    return rows


def _line_period(period: str, year: str, month: str) -> str:
    text = re.sub(r"\D", "", period) if period else year + (month.zfill(2) if month else "")
    if not re.fullmatch(r"\d{4}(\d{2})?", text):
        raise _BadLine(f"period {period or year!r} is not a year or a year and month")
    return text


def _number(text: str, mapping: CustomsMapping) -> float | None:
    separator, decimal, stripped = mapping.thousands_separator, mapping.decimal_separator, text.strip()
    if separator and separator in stripped and not re.fullmatch(grouped_thousands(separator, decimal), stripped):
        # '12,5' in a file whose thousands separator is ',' is a decimal comma, not 125
        raise _BadLine(f"{text!r} has a {separator!r} that is not a thousands separator")
    cleaned = stripped.replace(separator, "").replace(decimal, ".")
    if not cleaned:
        return 0.0 if mapping.blank_means_zero else None
    try:
        number = float(cleaned)
    except ValueError as exc:
        raise _BadLine(f"{text!r} is not a number") from exc
    try:
        plausible(number, f"quantity or value {text!r} ->", MAX_AMOUNT)
    except ValueError as exc:
        raise _BadLine(str(exc)) from None
    if number < 0:
        raise _BadLine(f"negative quantity or value {text!r}")
    return number
