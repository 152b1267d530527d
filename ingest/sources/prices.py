"""Rare-earth prices USGS Mineral Commodity Summaries print (source kind `usgs_mcs_prices`).

One row per MCS edition, year and product (`ingest/embedded/prices/`): average prices of oxides
and mischmetal, US dollars per kilogram, as the "Salient Statistics--United States" table prints
them, every edition kept (an edition revises the years before it; the last year of each edition
is an estimate, marked `e`). The parser checks every row and quarantines the ones it cannot trust.
"""

from __future__ import annotations

import re

import pyarrow as pa

from ingest.contract import ParseResult
from ingest.landing import LandedFile
from ingest.parsing import registers
from ingest.parsing.registers import choice, flag, number, required

SOURCE = "usgs_mcs_prices"
DATASET = "usgs_prices"
# 2: registers.py: thousands commas only, a column named twice rejected.
# 3: registers.py: a row with an over-long cell quarantined (the file was rejected).
PARSER_VERSION = 3

REQUIRED = (
    "edition", "year", "product", "product_as_printed", "elements", "value", "unit",
    "printed_text", "is_estimate", "price_source", "publication", "table_or_page",
    "pdf_page_of_chapter", "printed_page", "verified_in", "notes",
)
UNITS = {"USD_per_kg"}
# An oxide of one element or of a named mix (ndpr_oxide), or mischmetal (an alloy of light
# rare-earth metals): the products MCS prices.
_PRODUCT = re.compile(r"^(?:[a-z]{2,4}_oxide|mischmetal)$")
_EDITION = re.compile(r"^MCS(\d{4})$")
_ELEMENTS = re.compile(r"^[A-Z][a-z]?(?:;[A-Z][a-z]?)*$")

SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("row_number", pa.int32()),
        ("edition", pa.string()),
        ("edition_year", pa.int32()),
        ("year", pa.int32()),
        ("product", pa.string()),
        ("product_as_printed", pa.string()),
        ("elements", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("printed_text", pa.string()),
        ("is_estimate", pa.bool_()),
        ("price_source", pa.string()),
        ("publication", pa.string()),
        ("table_or_page", pa.string()),
        ("printed_page", pa.string()),
        ("verified_in", pa.string()),
        ("notes", pa.string()),
    ]
)


def _validate(row: dict[str, str]) -> dict:
    edition = _EDITION.match(row["edition"])
    if not edition:
        raise ValueError(f"edition {row['edition']!r} is not MCSyyyy")
    edition_year = int(edition.group(1))
    # An edition prints prices for the years before it (the last one an estimate).
    year = registers.year(row, "year", latest=edition_year - 1)
    if not _PRODUCT.match(row["product"]):
        raise ValueError(f"product {row['product']!r} is not an oxide (xx_oxide) or mischmetal")
    if row["elements"] and not _ELEMENTS.match(row["elements"]):
        raise ValueError(f"elements {row['elements']!r} is not a list of element symbols (Nd;Pr)")
    choice(row, "unit", UNITS)
    value = number(row, "value")
    if value <= 0:
        raise ValueError(f"value {value} is not a price above zero")
    required(row, "publication", "every price must cite its source")
    required(row, "table_or_page", "no locator: cite the page and table that print it")
    return {
        **row,
        "edition_year": edition_year,
        "year": year,
        "value": value,
        "is_estimate": flag(row, "is_estimate"),
        **{name: row[name] or None for name in
           ("product_as_printed", "elements", "price_source", "printed_page", "verified_in", "notes")},
    }


def parse(landed: LandedFile) -> ParseResult:
    return registers.parse_register(
        landed, REQUIRED, _validate, key=("edition", "year", "product"), schema_names=SCHEMA.names
    )
