"""USGS Mineral Commodity Summaries data release: the rare-earths world table.

Reads the agency's own CSV layout (mcsYYYY-raree_world.csv): a UTF-8 byte-order mark, padded
empty trailing columns, blank trailing lines, one column per production year named
`Prod_t_YYYY` or `Prod_t_est_YYYY` (the `est` marks an estimate). Our embedded editions are typed
in the same layout with one extra column, `Citation`, giving the publication page; where an
edition marks only some figures of a year as estimates (MCS 2023's 2021), the column is
`Prod_t_YYYY` and each such figure is typed with the edition's mark before it, `e24000`.
Next year's release dropped into the landing folder is read unchanged as a new edition.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pyarrow as pa

from ingest.contract import FileRejected, ParseResult, QuarantinedRow
from ingest.landing import LandedFile
from ingest.parsing.numbers import MAX_TONNES, plausible, without_thousands_commas
from ingest.parsing.textfiles import check_unique_header, over_long_cell, read_text
from ingest.reference.countries import resolve_country

SOURCE = "usgs_mcs"
DATASET = "usgs_mine_production"
# 2: a comma only as a thousands separator; a Type in another unit than metric tons quarantined;
# a column named twice rejects the file.
# 3: a row with a cell over textfiles.MAX_CELL_CHARS quarantined (the file was rejected).
# 4: a figure typed with the edition's estimate mark ("e24000") is an estimate (was quarantined).
PARSER_VERSION = 4

_PRODUCTION_COLUMN = re.compile(r"^Prod_t_(?P<est>est_)?(?P<year>\d{4})$", re.IGNORECASE)
_EDITION = re.compile(r"^MCS\s?(?P<year>\d{4})$", re.IGNORECASE)
_REQUIRED = ("Source", "Country")
TABLE_UNIT = "metric tons"  # the last words of every release's Type ("..., metric tons")
# USGS prints an em dash for zero and NA / W for not available / withheld.
_ZERO_MARKS = {"—", "–", "-", "--"}
_NOT_AVAILABLE = {"", "NA", "W", "XX"}
# The edition's mark of a single estimated figure (a superscript e before it), as typed.
_ESTIMATE_MARK = re.compile(r"^e(?=\d)")

SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("row_number", pa.int32()),
        ("edition", pa.string()),
        ("edition_year", pa.int32()),
        ("country_name", pa.string()),
        ("country_iso3", pa.string()),
        ("is_world_total", pa.bool_()),
        ("year", pa.int32()),
        ("production_t_reo", pa.float64()),
        ("is_estimate", pa.bool_()),
        ("reserves_t_reo", pa.float64()),
        ("production_notes", pa.string()),
        ("citation", pa.string()),
    ]
)


def parse_production(text: str) -> tuple[float | None, bool]:
    """A production cell -> (tonnes, whether the edition marks this figure an estimate)."""
    text = text.strip()
    marked = _ESTIMATE_MARK.match(text) is not None
    return parse_number(text[1:] if marked else text), marked


def parse_number(text: str) -> float | None:
    """USGS cell -> tonnes; None when not available. Raises ValueError on anything else."""
    cleaned = without_thousands_commas(text.strip().replace("\u00a0", ""), "value")
    if cleaned in _ZERO_MARKS:
        return 0.0
    if cleaned.upper() in _NOT_AVAILABLE:
        return None
    value = plausible(float(cleaned), "tonnage", MAX_TONNES)
    if value < 0:
        raise ValueError(f"negative tonnage {text!r}")
    return value


def _header(reader_rows: list[list[str]], landed: LandedFile) -> tuple[list[str], list[tuple[int, str, bool]]]:
    if not reader_rows:
        raise FileRejected(f"{landed.original_name} is empty")
    header = [cell.strip() for cell in reader_rows[0]]
    check_unique_header(header, landed.original_name)
    missing = [name for name in _REQUIRED if name not in header]
    years = [
        (index, match["year"], bool(match["est"]))
        for index, name in enumerate(header)
        if (match := _PRODUCTION_COLUMN.match(name))
    ]
    if missing or not years:
        raise FileRejected(
            f"{landed.original_name} is not an MCS world-table CSV: header lacks "
            f"{missing or 'Prod_t_YYYY columns'}"
        )
    return header, years


def parse(landed: LandedFile) -> ParseResult:
    """Parse one landed MCS world-table CSV into one row per country x year."""
    rows = list(csv.reader(io.StringIO(read_text(landed))))
    header, year_columns = _header(rows, landed)
    column = {name: index for index, name in enumerate(header) if name}

    def cell(values: list[str], name: str) -> str:
        index = column.get(name)
        return values[index].strip() if index is not None and index < len(values) else ""

    parsed: list[dict] = []
    quarantined: list[QuarantinedRow] = []

    def reject(row_number: int, values: list[str], reason: str) -> None:
        quarantined.append(
            QuarantinedRow.of(landed, row_number, reason, ",".join(v for v in values if v))
        )

    for row_number, values in enumerate(rows[1:], start=2):
        if not any(value.strip() for value in values):
            continue  # Excel pads the release with empty lines
        if too_long := over_long_cell(values):
            reject(row_number, values, too_long)
            continue
        edition = cell(values, "Source")
        edition_match = _EDITION.match(edition)
        if not edition_match:
            reject(row_number, values, f"edition {edition!r} is not of the form MCSYYYY")
            continue
        unit = cell(values, "Type").rsplit(",", 1)[-1].strip()
        if unit and unit.lower() != TABLE_UNIT:
            # The Prod_t_/Reserves_t columns are read as metric tons: a row in another unit
            # ('thousand metric tons') would be staged a thousand times too small.
            reject(row_number, values, f"Type gives the unit {unit!r}, not {TABLE_UNIT!r}: its "
                   "figures cannot be read as tonnes")
            continue
        country_name = cell(values, "Country")
        iso3 = resolve_country(country_name)
        if iso3 is None:
            reject(row_number, values, f"unknown country {country_name!r}")
            continue
        try:
            reserves = parse_number(cell(values, "Reserves_t"))
            productions = [
                (int(year), is_est, *parse_production(values[index] if index < len(values) else ""))
                for index, year, is_est in year_columns
            ]
        except ValueError as exc:
            reject(row_number, values, f"not a tonnage: {exc}")
            continue
        for year, is_estimate_column, tonnes, is_marked in productions:
            parsed.append(
                {
                    "file_id": landed.file_id,
                    "row_number": row_number,
                    "edition": f"MCS{edition_match['year']}",
                    "edition_year": int(edition_match["year"]),
                    "country_name": country_name,
                    "country_iso3": iso3,
                    "is_world_total": iso3 == "WLD",
                    "year": year,
                    "production_t_reo": tonnes,
                    "is_estimate": is_estimate_column or is_marked,
                    "reserves_t_reo": reserves,
                    "production_notes": cell(values, "Prod_notes") or None,
                    "citation": cell(values, "Citation") or None,
                }
            )
    frame = pd.DataFrame(parsed, columns=SCHEMA.names)
    if not frame["is_world_total"].any():
        # Every release ends with the world total: without it the table was cut short (or is
        # not the world table), and its countries could not be checked against their sum.
        raise FileRejected(
            f"{landed.original_name} has no usable World total row: a cut-off file, or not "
            "the whole world table"
        )
    frame, fused = _reject_above_world_total(frame)
    for row_number, bad in fused.groupby("row_number"):
        figures = ", ".join(f"{r.year}: {r.production_t_reo:,.0f} t" for r in bad.itertuples())
        reject(int(row_number), rows[int(row_number) - 1],
               f"{bad.country_name.iloc[0]} production ({figures}) exceeds the world total of "
               f"the same edition: a footnote marker fused into the number?")
    return ParseResult(rows=frame, quarantined=quarantined)


def _reject_above_world_total(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A country above the world total is impossible; PDF transcriptions produce it ("1216,000")."""
    if frame.empty:
        return frame, frame
    world = (
        frame[frame["is_world_total"]]
        .set_index(["edition", "year"])["production_t_reo"]
        .rename("world_t")
    )
    joined = frame.join(world, on=["edition", "year"])
    bad = (~joined["is_world_total"]) & (joined["production_t_reo"] > joined["world_t"])
    bad_rows = frame.loc[bad, ["row_number", "country_name", "year", "production_t_reo"]]
    # Drop the whole source row (every year of it): its other numbers share the same defect.
    bad_row_numbers = set(bad_rows["row_number"])
    return frame[~frame["row_number"].isin(bad_row_numbers)].reset_index(drop=True), bad_rows
