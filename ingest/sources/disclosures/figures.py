"""One company figure: its columns as typed, the checks it must pass, and its staged row.

A figure arrives as text columns (REGISTER_COLUMNS), typed into the register or found in a PDF
(pdf.py), and is checked against the company register (companies.py) by `validate_figure`.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pyarrow as pa

from ingest.parsing.periods import Period, PeriodError, parse_period
from ingest.parsing.units import Unit, UnitError, parse_printed_number, parse_unit
from ingest.reference import seeds
from ingest.sources.disclosures.companies import Company, is_country_iso3

DATASET = "company_disclosures"  # one staged dataset for the register and the PDFs

METRICS = ("production", "capacity", "sales", "offtake")
METHODS = ("register", "pdf_extracted")
CONFIDENCE = ("high", "medium", "low")
# Which stage of the chain each product basis belongs to; a mismatch is a typing error.
PRODUCT_STAGES = {
    "concentrate_reo": {"mining"},
    "total_reo": {"mining", "separation"},
    "ndpr_oxide": {"separation"},
    "separated_oxide": {"separation"},
    "metal": {"refining"},
    "magnet": {"magnets"},
}
# Oxide products are stated in tonnes of oxide, i.e. on an REO basis, whatever the unit says.
REO_BASES = {"concentrate_reo", "total_reo", "ndpr_oxide", "separated_oxide"}
_ELEMENT_ALIASES = {"NdPr": ("Nd", "Pr"), "PrNd": ("Pr", "Nd")}
_BOOL = {"": False, "false": False, "no": False, "0": False, "true": True, "yes": True, "1": True}

REGISTER_COLUMNS = (
    "company",
    "facility",
    "country_iso3",
    "stage",
    "product_basis",
    "elements",
    "period",
    "metric",
    "value",
    "unit",
    "destination_iso3",
    "document_title",
    "publisher",
    "document_date",
    "url",
    "page",
    "printed_page",
    "vintage",
    "method",
    "is_estimate",
    "confidence",
    "notes",
)
DISCLOSURE_SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("row_number", pa.int64()),  # CSV line (header = line 1), or figure number in a PDF
        ("company_id", pa.string()),
        ("company_name", pa.string()),  # legal name from companies.yml
        ("facility_id", pa.string()),
        ("country_iso3", pa.string()),
        ("stage", pa.string()),
        ("product_basis", pa.string()),
        ("elements", pa.string()),  # "Nd;Pr", "Dy;Tb"; null = all rare earths in the product
        ("period_label", pa.string()),  # as the company prints it: FY2024, Q3 FY25, 2024
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("period_kind", pa.string()),  # fiscal_year | quarter | half | calendar_year
        ("metric", pa.string()),
        ("value_as_printed", pa.float64()),
        ("unit_as_printed", pa.string()),
        ("quantity_t", pa.float64()),  # metric tonnes; null for shares
        ("quantity_is_annual_rate", pa.bool_()),  # capacity printed as t per year
        ("share_pct", pa.float64()),  # offtake shares; null for masses
        ("basis_is_reo", pa.bool_()),
        ("destination_iso3", pa.string()),  # offtake only
        ("document_title", pa.string()),
        ("publisher", pa.string()),
        ("document_date", pa.date32()),  # null when the release date is not known
        ("url", pa.string()),
        ("page", pa.int64()),  # 1-based PDF page
        ("printed_page", pa.string()),  # the page number printed on the page, if different
        ("vintage", pa.date32()),  # report date (or its period end when that is unknown)
        ("method", pa.string()),  # register | pdf_extracted
        ("is_estimate", pa.bool_()),
        ("confidence", pa.string()),
        ("matched_text", pa.string()),  # the text a PDF rule matched
        ("notes", pa.string()),
    ]
)


class FigureError(ValueError):
    """One figure breaks a rule; the message says which and why."""


def _date(text: str, column: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FigureError(f"{column} {text!r} is not a date YYYY-MM-DD") from None


def _elements(text: str, product_basis: str) -> str | None:
    symbols: list[str] = []
    for token in re.split(r"[;,/\s]+", text.strip()):
        if not token:
            continue
        for symbol in _ELEMENT_ALIASES.get(token, (token,)):
            if symbol not in seeds.element_symbols():
                raise FigureError(
                    f"element {symbol!r} is not a rare earth ({', '.join(seeds.element_symbols())})"
                )
            if symbol not in symbols:
                symbols.append(symbol)
    if product_basis == "ndpr_oxide":
        if symbols and set(symbols) != {"Nd", "Pr"}:
            raise FigureError(f"product_basis ndpr_oxide holds Nd and Pr, not {';'.join(symbols)}")
        symbols = symbols or ["Nd", "Pr"]
    return ";".join(symbols) or None


def _check_period(period: Period, metric: str, vintage: date, today: date) -> None:
    if metric in ("production", "sales"):
        # Output is reported after the fact: a period still running cannot have a total.
        if period.end > today:
            raise FigureError(
                f"period {period.label} ends {period.end.isoformat()}, in the future "
                f"(today {today.isoformat()})"
            )
        if period.end > vintage:
            raise FigureError(
                f"period {period.label} ends {period.end.isoformat()}, after the report's vintage "
                f"{vintage.isoformat()}: a report cannot state {metric} for a period not yet over"
            )
    elif period.start > today:
        # Capacity and offtake shares may run ahead of the report, but not start after today.
        raise FigureError(f"period {period.label} starts {period.start.isoformat()}, in the future")


def _quantities(value: float, unit: Unit, metric: str) -> tuple[float | None, float | None]:
    if unit.is_share:
        if metric != "offtake":
            raise FigureError(
                f"unit {unit.printed!r} is a share: only offtake figures may be shares"
            )
        if value > 100:
            raise FigureError(f"share {value} % is above 100 %")
        return None, value
    if unit.per_year and metric != "capacity":
        raise FigureError(f"unit {unit.printed!r} is a yearly rate: only capacity may be a rate")
    return value * unit.tonnes_per_unit, None


def validate_figure(raw: dict[str, str], companies: dict[str, Company], *, today: date) -> dict:
    """Check one figure given as text columns (REGISTER_COLUMNS); return its staged fields."""
    row = {name: str(raw.get(name) or "").strip() for name in REGISTER_COLUMNS}
    company = companies.get(row["company"])
    if company is None:
        raise FigureError(
            f"unknown company {row['company']!r} (known: {', '.join(sorted(companies))})"
        )
    facility = company.facilities.get(row["facility"])
    if facility is None:
        raise FigureError(
            f"unknown facility {row['facility']!r} for company {company.id} "
            f"(known: {', '.join(sorted(company.facilities))})"
        )
    stage = row["stage"]
    if stage not in seeds.stages():
        raise FigureError(f"unknown stage {stage!r} (known: {', '.join(seeds.stages())})")
    if stage not in facility.stages:
        raise FigureError(
            f"facility {facility.id} has stages {', '.join(facility.stages)}, not {stage!r}"
        )
    country = row["country_iso3"] or facility.country_iso3
    if country != facility.country_iso3:
        raise FigureError(
            f"country_iso3 {country!r} but facility {facility.id} is in {facility.country_iso3}"
        )
    basis = row["product_basis"]
    if basis not in PRODUCT_STAGES:
        raise FigureError(f"unknown product_basis {basis!r} (known: {', '.join(PRODUCT_STAGES)})")
    if stage not in PRODUCT_STAGES[basis]:
        raise FigureError(
            f"product_basis {basis} belongs to stage "
            f"{'/'.join(sorted(PRODUCT_STAGES[basis]))}, not {stage}"
        )
    metric = row["metric"]
    if metric not in METRICS:
        raise FigureError(f"unknown metric {metric!r} (known: {', '.join(METRICS)})")
    destination = row["destination_iso3"] or None
    if metric == "offtake" and not destination:
        raise FigureError("an offtake figure needs destination_iso3")
    if metric != "offtake" and destination:
        raise FigureError(f"destination_iso3 applies to offtake only, not {metric}")
    if destination and not is_country_iso3(destination):
        raise FigureError(f"destination_iso3 {destination!r} is not an ISO 3166 alpha-3 code")

    try:
        value = parse_printed_number(row["value"])
        unit = parse_unit(row["unit"])
    except UnitError as exc:
        raise FigureError(str(exc)) from None
    quantity_t, share_pct = _quantities(value, unit, metric)

    document_date = _date(row["document_date"], "document_date")
    vintage = _date(row["vintage"], "vintage") or document_date
    if vintage is None:
        raise FigureError("vintage is empty and there is no document_date to take it from")
    for column, day in (("document_date", document_date), ("vintage", vintage)):
        if day is not None and day > today:
            raise FigureError(f"{column} {day.isoformat()} is in the future")
    try:
        period = parse_period(row["period"], company.fiscal)
    except PeriodError as exc:
        raise FigureError(str(exc)) from None
    _check_period(period, metric, vintage, today)

    if not row["document_title"] or not row["publisher"]:
        raise FigureError("every figure needs its document_title and publisher")
    page = None
    if row["page"]:
        if not row["page"].isdigit() or int(row["page"]) < 1:
            raise FigureError(f"page {row['page']!r} is not a page number")
        page = int(row["page"])
    if row["url"] and not re.match(r"https?://", row["url"]):
        raise FigureError(f"url {row['url']!r} is not an http(s) address")
    method = row["method"] or "register"
    if method not in METHODS:
        raise FigureError(f"unknown method {method!r} (known: {', '.join(METHODS)})")
    if row["is_estimate"].lower() not in _BOOL:
        raise FigureError(f"is_estimate {row['is_estimate']!r} is not true/false")
    if row["confidence"] not in CONFIDENCE:
        raise FigureError(f"confidence {row['confidence']!r} is not one of {', '.join(CONFIDENCE)}")

    return {
        "company_id": company.id,
        "company_name": company.legal_name,
        "facility_id": facility.id,
        "country_iso3": country,
        "stage": stage,
        "product_basis": basis,
        "elements": _elements(row["elements"], basis),
        "period_label": period.label,
        "period_start": period.start,
        "period_end": period.end,
        "period_kind": period.kind,
        "metric": metric,
        "value_as_printed": value,
        "unit_as_printed": unit.printed,
        "quantity_t": quantity_t,
        "quantity_is_annual_rate": unit.per_year,
        "share_pct": share_pct,
        "basis_is_reo": unit.is_reo or basis in REO_BASES,
        "destination_iso3": destination,
        "document_title": row["document_title"],
        "publisher": row["publisher"],
        "document_date": document_date,
        "url": row["url"] or None,
        "page": page,
        "printed_page": row["printed_page"] or None,
        "vintage": vintage,
        "method": method,
        "is_estimate": _BOOL[row["is_estimate"].lower()],
        "confidence": row["confidence"],
        "matched_text": None,
        "notes": row["notes"] or None,
    }


def rows_frame(rows: list[dict]) -> pd.DataFrame:
    """Staged rows as a DataFrame in DISCLOSURE_SCHEMA column order (empty keeps the columns)."""
    table = pa.Table.from_pylist(rows, schema=DISCLOSURE_SCHEMA)
    # Nullable integers (page) stay integers instead of turning into floats with NaN.
    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
