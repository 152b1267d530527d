"""The disclosure register (source `disclosure_register`): figures typed from company reports,
one CSV per company (`ingest/embedded/disclosures/<company>/figures.csv`), each citing its
document, page and vintage. Every line is checked (figures.py) and either staged or quarantined
with its line number and reason; conflicting and repeated figures are quarantined too
(conflicts.py).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from ingest.contract import FileRejected, ParseResult, QuarantinedRow
from ingest.embedded_landings import embedded_request
from ingest.landing import LandedFile, land_bytes
from ingest.parsing.textfiles import check_unique_header, over_long_cell, read_text
from ingest.sources.disclosures.companies import DISCLOSURES_DIR, Company, embedded_companies
from ingest.sources.disclosures.conflicts import exact_repeats, find_conflicts
from ingest.sources.disclosures.figures import (
    DATASET,
    OPTIONAL_REGISTER_COLUMNS,
    REGISTER_COLUMNS,
    FigureError,
    rows_frame,
    validate_figure,
)

SOURCE = "disclosure_register"
# The kind's entry points for the catalog; its staged dataset is the one the PDFs share.
__all__ = ["DATASET", "PARSER_VERSION", "SOURCE", "land_embedded_register", "parse", "parse_register"]
# 2: rows carry the company's legal name from companies.yml (company_name).
# 3: value_qualifier (issue 12: "up to 65 %" is an upper bound, not a firm offtake).
# 4: thousands commas only; a column named twice rejects the file.
# 5: a record with a cell over textfiles.MAX_CELL_CHARS quarantined (the file was rejected).
PARSER_VERSION = 5


def _read_register(landed: LandedFile) -> list[tuple[int, dict[str, str], str]]:
    """(first line, cells by column, the line(s) as typed) of every non-blank record."""
    text = read_text(landed)
    lines = text.splitlines(keepends=True)
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    check_unique_header(header, landed.original_name)
    missing = [name for name in REGISTER_COLUMNS if name not in header and name not in OPTIONAL_REGISTER_COLUMNS]
    unexpected = [name for name in header if name not in REGISTER_COLUMNS]
    if missing or unexpected:
        raise FileRejected(
            f"{landed.original_name} line 1: register header lacks {missing} "
            f"/ has unexpected {unexpected}"
        )
    records = []
    start_line = 2
    for record in reader:
        end_line = reader.line_num  # a quoted field may span lines; keep where the record began
        raw_text = "".join(lines[start_line - 1 : end_line]).rstrip("\r\n")
        if any((value or "").strip() for value in record.values()):
            if None in record:  # more cells than header columns
                record = {**record, "__extra__": record.pop(None)}
            records.append((start_line, record, raw_text))
        start_line = end_line + 1
    return records


def parse_register(
    landed: LandedFile, companies: dict[str, Company], *, today: date | None = None
) -> ParseResult:
    """Validate every figure of a register CSV; quarantine each bad one with line and reason."""
    today = today or date.today()
    quarantined: list[QuarantinedRow] = []
    good: list[dict] = []
    raw_by_line: dict[int, str] = {}

    def reject(line: int, reason: str, raw: str) -> None:
        quarantined.append(QuarantinedRow.of(landed, line, reason, raw))

    for line, record, raw in _read_register(landed):
        raw_by_line[line] = raw
        if too_long := over_long_cell(record.values()):
            reject(line, too_long, raw)
            continue
        if "__extra__" in record:
            reject(
                line, f"line {line} has more cells than the header ({len(REGISTER_COLUMNS)})", raw
            )
            continue
        try:
            row = validate_figure(record, companies, today=today)
        except FigureError as exc:
            company = (record.get("company") or "").strip()
            reject(line, f"{company + ': ' if company else ''}{exc}", raw)
            continue
        good.append({"file_id": landed.file_id, "row_number": line, **row})

    conflicts = find_conflicts(good)
    repeats = exact_repeats(good)
    kept = []
    for row in good:
        line = row["row_number"]
        reason = conflicts.get(line) or repeats.get(line)
        if reason:
            reject(line, reason, raw_by_line[line])
        else:
            kept.append(row)
    quarantined.sort(key=lambda item: item.row_number or 0)
    return ParseResult(rows=rows_frame(kept), quarantined=quarantined)


def parse(landed: LandedFile) -> ParseResult:
    """Parse a landed register file against the embedded company register (catalog entry point)."""
    return parse_register(landed, embedded_companies())


def embedded_register_files() -> list[Path]:
    return sorted(DISCLOSURES_DIR.glob("*/figures.csv"))


def land_embedded_register(landing_dir: Path | None = None) -> list[tuple[LandedFile, bool]]:
    """Land each company's figures.csv under a name that says whose it is (lynas_figures.csv)."""
    landed = []
    for path in embedded_register_files():
        # Not land_file: it would name every company's file "figures.csv" in messages.
        landed.append(
            land_bytes(
                path.read_bytes(),
                source=SOURCE,
                name=f"{path.parent.name}_figures.csv",
                request=embedded_request(path),
                landing_dir=landing_dir,
            )
        )
    return landed
