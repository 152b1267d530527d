"""Company disclosures: producers' own reported production, sales, capacity and offtake.

Two inputs share one staged dataset (`company_disclosures`):
- the register (source `disclosure_register`): `ingest/embedded/disclosures/<company>/figures.csv`,
  one figure a row typed from a company report, each citing its document, page and vintage;
- figures found in report PDFs by declared rules (source `disclosure_pdf`, see disclosures_pdf).

Every row is checked against the company register (`companies.yml`: fiscal calendar, facilities
and their stages) and is either staged or quarantined with the reason, file and line. The same
figure may appear in several vintages (a restatement history); two different values for the same
figure in the same vintage are both quarantined, because nothing here can tell which one is right.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pycountry
import yaml

from ingest import seeds, settings
from ingest.landing import LandedFile, land_bytes
from ingest.periods import FiscalCalendar, Period, PeriodError, parse_period
from ingest.quarantine import QuarantinedRow
from ingest.staged import FileRejected, ParseResult
from ingest.units import Unit, UnitError, parse_printed_number, parse_unit

SOURCE = "disclosure_register"
DATASET = "company_disclosures"
# 2: rows carry the company's legal name from companies.yml (company_name).
PARSER_VERSION = 2
DISCLOSURES_DIR = settings.EMBEDDED_DIR / "disclosures"
COMPANIES_FILE = DISCLOSURES_DIR / "companies.yml"

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
_BOOL = {"": False, "false": False, "no": False, "0": False, "true": True, "yes": True, "1": True}

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


@dataclass(frozen=True)
class Facility:
    id: str
    name: str
    country_iso3: str
    stages: tuple[str, ...]
    element_distribution: dict | None = None  # published shares of TREO, with their source


@dataclass(frozen=True)
class Company:
    id: str
    legal_name: str
    fiscal: FiscalCalendar
    facilities: dict[str, Facility] = field(default_factory=dict)


# --- the company register ---------------------------------------------------------------------


@lru_cache(maxsize=512)
def is_country_iso3(code: str) -> bool:
    return pycountry.countries.get(alpha_3=code) is not None


def load_companies(path: Path | None = None) -> dict[str, Company]:
    """Read companies.yml; raise ValueError naming the entry that is wrong."""
    path = Path(path) if path is not None else COMPANIES_FILE
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    companies: dict[str, Company] = {}
    for entry in document.get("companies") or []:
        company = _company(entry, path)
        if company.id in companies:
            raise ValueError(f"{path.name}: company {company.id!r} is listed twice")
        companies[company.id] = company
    if not companies:
        raise ValueError(f"{path.name}: no companies")
    return companies


def _company(entry: dict, path: Path) -> Company:
    company_id = str(entry.get("id") or "")
    where = f"{path.name}: company {company_id or '?'}"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", company_id):
        raise ValueError(f"{where}: id must be lowercase letters, digits, _")
    try:
        fiscal = FiscalCalendar.parse(
            str(entry.get("fiscal_year_end", "")), entry.get("fiscal_year_named_by", "end")
        )
    except PeriodError as exc:
        raise ValueError(f"{where}: {exc}") from None
    facilities: dict[str, Facility] = {}
    for item in entry.get("facilities") or []:
        facility = _facility(item, where)
        if facility.id in facilities:
            raise ValueError(f"{where}: facility {facility.id!r} is listed twice")
        facilities[facility.id] = facility
    if not facilities:
        raise ValueError(f"{where}: no facilities")
    return Company(company_id, str(entry.get("legal_name") or company_id), fiscal, facilities)


def _facility(item: dict, where: str) -> Facility:
    facility_id = str(item.get("id") or "")
    where = f"{where}, facility {facility_id or '?'}"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", facility_id):
        raise ValueError(f"{where}: id must be lowercase letters, digits, _")
    country = str(item.get("country_iso3") or "")
    if not is_country_iso3(country):
        raise ValueError(f"{where}: country_iso3 {country!r} is not an ISO 3166 alpha-3 code")
    stages = item.get("stages") or ([item["stage"]] if item.get("stage") else [])
    unknown = [stage for stage in stages if stage not in seeds.stages()]
    if not stages or unknown:
        raise ValueError(f"{where}: stages {stages} must be among {list(seeds.stages())}")
    distribution = item.get("element_distribution")
    if distribution is not None:
        shares = distribution.get("shares_pct") or {}
        total = sum(float(value) for value in shares.values())
        # Published distributions are rounded to 0.1 %; more than half a point off is a typo.
        if abs(total - 100.0) > 0.5:
            raise ValueError(f"{where}: element distribution adds up to {total:.1f} %, not 100 %")
        if not distribution.get("source"):
            raise ValueError(f"{where}: element distribution has no source")
    return Facility(
        facility_id, str(item.get("name") or facility_id), country, tuple(stages), distribution
    )


@lru_cache(maxsize=1)
def embedded_companies() -> dict[str, Company]:
    return load_companies(COMPANIES_FILE)


# --- one figure --------------------------------------------------------------------------------


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


# --- figures against each other --------------------------------------------------------------


def figure_key(row: dict) -> tuple:
    """What makes two rows the same figure: who, what, when, and which vintage says so."""
    elements = ";".join(sorted((row["elements"] or "").split(";")))
    return (
        row["company_id"],
        row["facility_id"],
        row["stage"],
        row["product_basis"],
        elements,
        row["period_start"],
        row["period_end"],
        row["metric"],
        row["destination_iso3"],
        row["vintage"],
    )


def _comparable(row: dict) -> float:
    for column in ("quantity_t", "share_pct", "value_as_printed"):
        if row[column] is not None:
            return row[column]
    return math.nan


def _describe(row: dict) -> str:
    return (
        f"{row['company_id']} {row['facility_id']} {row['period_label']} {row['product_basis']} "
        f"{row['metric']}"
    )


def _line(row: dict) -> str:
    return f"line {row['row_number']}"


def find_conflicts(rows: list[dict], where: Callable[[dict], str] = _line) -> dict[int, str]:
    """Rows (by row_number) whose figure has a different value elsewhere in the same vintage.

    `where` names the other rows in the message: a register line, or a PDF page.
    """
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[figure_key(row)].append(row)
    reasons: dict[int, str] = {}
    for group in groups.values():
        values = {round(_comparable(row), 9) for row in group}
        if len(values) < 2:
            continue
        for row in group:
            others = ", ".join(
                f"{where(other)} ({other['value_as_printed']:g} {other['unit_as_printed']})"
                for other in group
                if other is not row
            )
            reasons[row["row_number"]] = (
                f"duplicate figure with a different value in the same vintage "
                f"{row['vintage'].isoformat()}: {_describe(row)} is {row['value_as_printed']:g} "
                f"{row['unit_as_printed']} here but {others}"
            )
    return reasons


def rows_frame(rows: list[dict]) -> pd.DataFrame:
    """Staged rows as a DataFrame in DISCLOSURE_SCHEMA column order (empty keeps the columns)."""
    table = pa.Table.from_pylist(rows, schema=DISCLOSURE_SCHEMA)
    # Nullable integers (page) stay integers instead of turning into floats with NaN.
    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


# --- the register file ---------------------------------------------------------------------------


def _read_register(landed: LandedFile) -> list[tuple[int, dict[str, str], str]]:
    content = Path(landed.path).read_bytes()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRejected(f"{landed.original_name} is not UTF-8 text: {exc}") from None
    if not text.strip():
        raise FileRejected(f"{landed.original_name} is empty")
    lines = text.splitlines(keepends=True)
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [name for name in REGISTER_COLUMNS if name not in header]
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
        quarantined.append(
            QuarantinedRow(
                source=landed.source,
                file_id=landed.file_id,
                file_name=landed.original_name,
                row_number=line,
                reason=reason,
                raw=raw,
            )
        )

    for line, record, raw in _read_register(landed):
        raw_by_line[line] = raw
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
    repeats = _exact_repeats(good)
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


def _exact_repeats(rows: list[dict]) -> dict[int, str]:
    """The same figure typed twice from the same page of the same document."""
    seen: dict[tuple, int] = {}
    repeats: dict[int, str] = {}
    for row in rows:
        key = (*figure_key(row), row["document_title"], row["page"], round(_comparable(row), 9))
        if key in seen:
            repeats[row["row_number"]] = (
                f"repeats line {seen[key]}: the same figure from the same document and page"
            )
        else:
            seen[key] = row["row_number"]
    return repeats


def parse(landed: LandedFile) -> ParseResult:
    """Parse a landed register file against the embedded company register (catalog entry point)."""
    return parse_register(landed, embedded_companies())


def embedded_register_files() -> list[Path]:
    return sorted(DISCLOSURES_DIR.glob("*/figures.csv"))


def land_embedded_register(landing_dir: Path | None = None) -> list[tuple[LandedFile, bool]]:
    """Land each company's figures.csv under a name that says whose it is (lynas_figures.csv)."""
    landed = []
    for path in embedded_register_files():
        relative = path.relative_to(settings.EMBEDDED_DIR).as_posix()
        # Not land_file: it would name every company's file "figures.csv" in messages.
        landed.append(
            land_bytes(
                path.read_bytes(),
                source=SOURCE,
                name=f"{path.parent.name}_figures.csv",
                request={"embedded": relative},
                landing_dir=landing_dir,
            )
        )
    return landed
