"""Diversification projects (source kind `diversification_projects`): projects that add
rare-earth supply outside China, or cut demand for it, as the sources in hand print them.

One row per project AND source (`ingest/embedded/diversification/projects.csv`): two sources
that print different numbers for the same project are two rows, each cited. A number is kept in
its own unit and currency with how it is printed (`capacity_qualifier`, `investment_qualifier`:
the published-figures register's vocabulary); an empty cell means no source in hand prints it,
and stays empty. The parser checks every row and quarantines the ones it cannot trust.
"""

from __future__ import annotations

import re

import pyarrow as pa

from ingest.contract import ParseResult
from ingest.landing import LandedFile
from ingest.parsing import registers
from ingest.parsing.registers import choice, country_code, flag, number, required
from ingest.sources.published_figures import FORWARD_LATEST_YEAR, QUALIFIERS

SOURCE = "diversification_projects"
DATASET = "diversification_projects"
# 2: registers.py: thousands commas only, a column named twice rejected.
# 3: registers.py: a row with an over-long cell quarantined (the file was rejected).
# 4: is_operating (a project counted as started only where its source says it operates).
PARSER_VERSION = 4

REQUIRED = (
    "project_id", "project", "company", "country_iso3", "site", "stage", "stage_as_printed",
    "elements", "capacity_value", "capacity_unit", "capacity_basis", "capacity_qualifier",
    "investment_value", "investment_currency", "investment_by", "investment_qualifier",
    "start_year", "start_qualifier", "status", "status_as_of", "is_operating", "source_publication",
    "source_locator", "source_date", "source_url", "is_estimate", "related_figure_ids", "notes",
)
# reeflow's chain stages, and recycling (supply from scrap, outside the mine-to-magnet chain).
STAGES = {"mining", "separation", "refining", "magnets", "recycling"}
CURRENCIES = {"USD", "AUD", "EUR", "JPY"}
_PROJECT_ID = re.compile(r"^[a-z0-9_]+$")

SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("row_number", pa.int32()),
        *[(name, pa.string()) for name in REQUIRED[:8]],
        ("capacity_value", pa.float64()),
        ("capacity_unit", pa.string()),
        ("capacity_basis", pa.string()),
        ("capacity_qualifier", pa.string()),
        ("investment_value", pa.float64()),
        ("investment_currency", pa.string()),
        ("investment_by", pa.string()),
        ("investment_qualifier", pa.string()),
        ("start_year", pa.int32()),
        ("start_qualifier", pa.string()),
        ("status", pa.string()),
        ("status_as_of", pa.string()),
        ("is_operating", pa.bool_()),
        ("source_publication", pa.string()),
        ("source_locator", pa.string()),
        ("source_date", pa.string()),
        ("source_url", pa.string()),
        ("is_estimate", pa.bool_()),
        ("related_figure_ids", pa.string()),
        ("notes", pa.string()),
    ]
)


def _countries(text: str) -> str:
    codes = [country_code(code, "country_iso3") for code in text.split(";")]
    if not all(codes):
        raise ValueError(f"country_iso3 {text!r} is not a list of ISO3 codes (AUS;MYS)")
    return ";".join(codes)


def _stages(text: str) -> str | None:
    stages = [stage.strip() for stage in text.split(";") if stage.strip()]
    unknown = [stage for stage in stages if stage not in STAGES]
    if unknown:
        raise ValueError(f"stage {unknown} not in {sorted(STAGES)}")
    return ";".join(stages) or None  # empty: the source does not say which stage


def _amount(row: dict[str, str], value: str, qualifier: str, *companions: str) -> tuple[float | None, str | None]:
    """A printed number with how it is printed; its unit columns only with a number."""
    amount = number(row, value, optional=True)
    if amount is None:
        filled = [name for name in (qualifier, *companions) if row[name]]
        if filled:
            raise ValueError(f"{filled} filled but {value} is empty")
        return None, None
    if amount < 0:
        raise ValueError(f"{value} {amount} is below zero")
    for name in companions:
        required(row, name, f"say what {value} is")
    return amount, choice(row, qualifier, QUALIFIERS)


def _validate(row: dict[str, str]) -> dict:
    if not _PROJECT_ID.match(row["project_id"]):
        raise ValueError(f"project_id {row['project_id']!r} is not a lower-case id")
    required(row, "project")
    required(row, "source_publication", "every project row must cite its source")
    required(row, "source_locator", "no locator: cite the page or paragraph that prints it")
    capacity, capacity_qualifier = _amount(row, "capacity_value", "capacity_qualifier",
                                           "capacity_unit", "capacity_basis")
    investment, investment_qualifier = _amount(row, "investment_value", "investment_qualifier",
                                               "investment_currency")
    if investment is not None:
        choice(row, "investment_currency", CURRENCIES)
    is_estimate = flag(row, "is_estimate")
    inexact = {capacity_qualifier, investment_qualifier} - {None, "exact"}
    if inexact and not is_estimate:
        raise ValueError(f"a number printed as {sorted(inexact)} with is_estimate false")
    return {
        **{name: row[name] or None for name in REQUIRED},
        "project_id": row["project_id"],
        "country_iso3": _countries(row["country_iso3"]),
        "stage": _stages(row["stage"]),
        "capacity_value": capacity,
        "capacity_qualifier": capacity_qualifier,
        "investment_value": investment,
        "investment_qualifier": investment_qualifier,
        "start_year": registers.year(row, "start_year", latest=FORWARD_LATEST_YEAR, optional=True),
        "source_date": registers.partial_date(row, "source_date"),
        "source_url": registers.url(row, "source_url"),
        # Empty (or no such column, in a register typed before it): not said, so not counted as
        # started.
        "is_operating": flag(row, "is_operating") if row["is_operating"] else None,
        "is_estimate": is_estimate,
    }


def parse(landed: LandedFile) -> ParseResult:
    return registers.parse_register(
        landed, REQUIRED, _validate, key=("project_id", "source_publication"),
        schema_names=SCHEMA.names, optional=("is_operating",),
    )
