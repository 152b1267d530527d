"""Published aggregates: single figures quoted from a named publication (source kind
`published_aggregate`).

Quotas, stage shares, a country's import shares by partner, stockpile days, cited loss
estimates: figures that exist only as printed numbers, not as records. Each row of the register
names the publication that prints the number and where (`table_or_page`: page, table or
paragraph), and says how the number is printed (`value_qualifier`: exact, approximately, a
bound, a range, a target ...). The parser checks every row and quarantines the ones it cannot
trust, with the figure and the reason: a figure without a locator, a qualified number not marked
an estimate, an estimate that does not say how it was made.
"""

from __future__ import annotations

import re
from functools import cache

import pyarrow as pa

from ingest.contract import ParseResult
from ingest.landing import LandedFile
from ingest.parsing import registers
from ingest.parsing.numbers import MAX_AMOUNT, MAX_TONNES, plausible
from ingest.parsing.registers import choice, country_code, flag, number, required
from ingest.reference import seeds

SOURCE = "published_aggregate"
DATASET = "published_figures"
# 2: the issue-12 columns (qualifier, range, basis, method, dates, provenance); a locator is required.
# 3: an element that is not a seed element quarantined; thousands commas only.
# 4: registers.py: a row with an over-long cell quarantined (the file was rejected).
# 5: an element may be a scope wider than the rare earths (WIDER_SCOPES), never labelled REO.
PARSER_VERSION = 5

REQUIRED = (
    "figure_id", "topic", "metric", "subject_iso3", "partner_iso3", "year", "period_label",
    "element", "stage", "value", "unit", "definition", "publication", "table_or_page",
    "edition", "is_estimate", "is_illustrative", "confidence", "notes",
    "value_qualifier", "value_high", "basis", "method", "publication_date", "url",
    "attributed_to", "verified_in",
)
# Scopes a figure may be about that are not rare earths, for the `element` column: a figure about
# them is kept (context, or where sources disagree) but is not a rare-earth figure. rare_metals:
# Japan's 'rare metals' (METI's 34 designated minor metals, the rare earths counted as one of
# them): the 2018 import shares a vendor blog quotes from METI, and the stockpiling system whose
# held stocks are seven metals, none a rare earth (Argus 2020).
WIDER_SCOPES = ("rare_metals",)
# The register's and the company registers' confidence levels (disclosures, producers' prices).
CONFIDENCE = ("high", "medium", "low")
# How a number is printed (the register README). Only `exact` and `approximately` are point
# values; the rest are bounds, a range (value = low end), or statements about the future.
QUALIFIERS = {
    "exact", "approximately", "more_than", "at_least", "less_than", "up_to", "range",
    "target", "forecast", "potential",
}
# A target, forecast or potential may be about a year still to come.
FORWARD_QUALIFIERS = {"target", "forecast", "potential"}
FORWARD_LATEST_YEAR = 2100
# A percentage whose whole the source does not say (by weight or by value): not a share of output.
PCT_BASIS_NOT_STATED = "pct_basis_not_stated"
# What each unit may measure (`basis`): a percentage names its whole, a mass its content.
_PCT_BASES = {
    "pct_of_world_output", "pct_of_world_capacity", "pct_of_metal_equivalent_volume",
    "pct_of_apparent_consumption", "pct_of_output", "pct_of_demand", "pct_of_value",
    PCT_BASIS_NOT_STATED,
}
BASES_BY_UNIT = {
    "t": {"t_basis_not_stated"},
    "t_REO": {"t_REO"},
    "t_metal_equivalent": {"t_metal_equivalent"},
    "t_product": {"t_product"},
    "percent": _PCT_BASES,
    "days": {"days_of_consumption"},
    "JPY": {"JPY_nominal"},
    "USD": {"USD_nominal", "USD_converted_by_publication"},
    "AUD": {"AUD_nominal"},
    "EUR": {"EUR_nominal"},
    "m": {"m_below_sea_level"},
    "t_per_day": {"t_mud_per_day", "t_per_day_basis_not_stated"},
}
UNITS = set(BASES_BY_UNIT)
# The largest value a unit can plausibly take (ingest/parsing/numbers.py); a share is at most 100.
UNIT_LIMITS = {
    **dict.fromkeys(("t", "t_REO", "t_metal_equivalent", "t_product"), MAX_TONNES),
    "percent": 100.0,
    "days": 36_525.0,  # a century of cover: no stockpile is larger
    **dict.fromkeys(("JPY", "USD", "AUD", "EUR"), MAX_AMOUNT),
    "m": 20_000.0,  # deeper than the deepest ocean trench
    "t_per_day": MAX_TONNES,
}

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
        ("value_qualifier", pa.string()),
        ("value_high", pa.float64()),
        ("basis", pa.string()),
        ("method", pa.string()),
        ("publication_date", pa.string()),
        ("url", pa.string()),
        ("attributed_to", pa.string()),
        ("verified_in", pa.string()),
    ]
)


@cache  # built from the seeds; the parser would otherwise rebuild it for every row
def element_regex() -> str:
    """A rare-earth code of the seeds (element list or aggregate) or a wider scope."""
    return f"{seeds.element_code_regex()}|^(?:{'|'.join(WIDER_SCOPES)})$"


def _check_range(value: float, unit: str, column: str) -> None:
    if value < 0 or (unit == "percent" and value > 100):
        raise ValueError(f"{column} {value} is out of range for unit {unit}")
    plausible(value, f"{column} in {unit}", UNIT_LIMITS[unit])


def _qualified_value(row: dict[str, str]) -> tuple[str, float, float | None]:
    """(qualifier, value, value_high): a range has both ends, nothing else has a high end."""
    qualifier = choice(row, "value_qualifier", QUALIFIERS)
    value = number(row, "value")
    high = number(row, "value_high", optional=True)
    _check_range(value, row["unit"], "value")
    if qualifier == "range":
        if high is None:
            raise ValueError("value_qualifier 'range' needs value_high (the high end)")
        if high < value:
            raise ValueError(f"value_high {high} is below value {value}: a range runs low to high")
        _check_range(high, row["unit"], "value_high")
    elif high is not None:
        raise ValueError(f"value_high is only for ranges, not for value_qualifier {qualifier!r}")
    return qualifier, value, high


def _validate(row: dict[str, str]) -> dict:
    required(row, "figure_id")
    choice(row, "stage", (*seeds.stages(), "all"))
    if not re.fullmatch(element_regex(), row["element"]):
        raise ValueError(f"element {row['element']!r} is not a rare earth of the seed, a list of them "
                         f"(Nd;Pr), an aggregate (REO, NdPr) or a wider scope {WIDER_SCOPES}")
    choice(row, "unit", UNITS)
    choice(row, "confidence", CONFIDENCE)
    required(row, "publication", "every figure must cite its source")
    required(row, "table_or_page",
             "no locator: cite the page, table or paragraph of the publication that prints it")
    qualifier, value, high = _qualified_value(row)
    if row["basis"] not in BASES_BY_UNIT[row["unit"]]:
        raise ValueError(
            f"basis {row['basis']!r} is not a basis for unit {row['unit']} "
            f"({sorted(BASES_BY_UNIT[row['unit']])})"
        )
    is_estimate, is_illustrative = flag(row, "is_estimate"), flag(row, "is_illustrative")
    if qualifier != "exact" and not is_estimate:
        raise ValueError(f"value_qualifier {qualifier!r} with is_estimate false: only an exact "
                         "figure is not an estimate")
    if is_estimate and not row["method"]:
        raise ValueError("is_estimate true but method is empty: say what makes the value inexact")
    latest = FORWARD_LATEST_YEAR if qualifier in FORWARD_QUALIFIERS else registers.latest_data_year()
    return {
        **row,
        "subject_iso3": country_code(row["subject_iso3"], "subject_iso3"),
        "partner_iso3": country_code(row["partner_iso3"], "partner_iso3"),
        "year": registers.year(row, "year", latest=latest, optional=True),
        "value": value,
        "value_qualifier": qualifier,
        "value_high": high,
        "is_estimate": is_estimate,
        "is_illustrative": is_illustrative,
        "publication_date": registers.partial_date(row, "publication_date"),
        "url": registers.url(row, "url"),
        **{name: row[name] or None for name in
           ("notes", "method", "attributed_to", "verified_in")},
    }


def parse(landed: LandedFile) -> ParseResult:
    return registers.parse_register(
        landed, REQUIRED, _validate, key=("figure_id",), schema_names=SCHEMA.names
    )
