"""One company figure: its columns as typed, the checks it must pass, and its staged row.

A figure arrives as text columns (REGISTER_COLUMNS), typed into the register or found in a PDF
(pdf.py), and is checked by the pydantic model `Figure` against the company register
(companies.py), given with today's date as validation context. Each column is read and checked
on its own first (in column order); the rules that tie columns together (a facility's stages, a
product's stage, offtake and its destination, a period against its report's vintage) run once
every column is readable. Every error becomes a readable quarantine reason ("value '10,9O8' is
not a plain number"), never pydantic's own report.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pandas as pd
import pyarrow as pa
from pydantic import (
    BaseModel,
    ConfigDict,
    InstanceOf,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ingest.parsing.periods import Period, parse_period
from ingest.parsing.units import Unit, parse_printed_number, parse_unit, to_tonnes
from ingest.reference import seeds
from ingest.sources.disclosures.companies import Company, Facility, is_country_iso3
from ingest.sources.published_figures import CONFIDENCE, QUALIFIERS

DATASET = "company_disclosures"  # one staged dataset for the register and the PDFs

METRICS = ("production", "capacity", "sales", "offtake")
METHODS = ("register", "pdf_extracted")
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
    "value_qualifier",
)
# Columns a register file may leave out: blank or absent value_qualifier = printed exactly.
OPTIONAL_REGISTER_COLUMNS = ("value_qualifier",)

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
        # How the value is printed (the published-figures vocabulary): "up to 65 %" is up_to.
        ("value_qualifier", pa.string()),
    ]
)


class FigureError(ValueError):
    """One figure breaks a rule; the message says which and why."""


def _known(name: str, value: str, known) -> str:
    if value not in known:
        raise ValueError(f"unknown {name} {value!r} (known: {', '.join(known)})")
    return value


def _optional_date(text: str, column: str, today: date) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a date YYYY-MM-DD") from None
    if day > today:
        raise ValueError(f"{column} {day.isoformat()} is in the future")
    return day


class Figure(BaseModel):
    """One figure, checked. Validate with context {"companies": {id: Company}, "today": date}.

    Fields are declared in the order they are checked: a column whose meaning depends on an
    earlier one (the facility on the company) reads that one, and stays None when it failed (its
    own error already says why).
    """

    model_config = ConfigDict(frozen=True)

    company: InstanceOf[Company]
    facility: InstanceOf[Facility] | None
    stage: str
    country_iso3: str
    product_basis: str
    metric: str
    destination_iso3: str | None
    value: float
    unit: InstanceOf[Unit]
    document_date: date | None
    vintage: date | None
    period: InstanceOf[Period] | None
    document_title: str
    publisher: str
    page: int | None
    url: str | None
    method: str
    is_estimate: bool
    confidence: str
    elements: str | None
    printed_page: str | None
    notes: str | None
    value_qualifier: str

    @model_validator(mode="before")
    @classmethod
    def _as_text(cls, data: dict[str, Any]) -> dict[str, str]:
        # Every column arrives as text, possibly missing or padded.
        return {name: str(data.get(name) or "").strip() for name in REGISTER_COLUMNS}

    @field_validator("company", mode="before")
    @classmethod
    def _company(cls, company: str, info: ValidationInfo) -> Company:
        companies = info.context["companies"]
        if company not in companies:
            raise ValueError(f"unknown company {company!r} (known: {', '.join(sorted(companies))})")
        return companies[company]

    @field_validator("facility", mode="before")
    @classmethod
    def _facility(cls, facility: str, info: ValidationInfo) -> Facility | None:
        company = info.data.get("company")
        if company is None:
            return None
        if facility not in company.facilities:
            raise ValueError(
                f"unknown facility {facility!r} for company {company.id} "
                f"(known: {', '.join(sorted(company.facilities))})"
            )
        return company.facilities[facility]

    @field_validator("stage")
    @classmethod
    def _stage(cls, stage: str, info: ValidationInfo) -> str:
        _known("stage", stage, seeds.stages())
        facility = info.data.get("facility")
        if facility is not None and stage not in facility.stages:
            raise ValueError(
                f"facility {facility.id} has stages {', '.join(facility.stages)}, not {stage!r}"
            )
        return stage

    @field_validator("country_iso3")
    @classmethod
    def _country(cls, country: str, info: ValidationInfo) -> str:
        facility = info.data.get("facility")
        if facility is None:
            return country
        if country and country != facility.country_iso3:
            raise ValueError(
                f"country_iso3 {country!r} but facility {facility.id} is in {facility.country_iso3}"
            )
        return facility.country_iso3

    @field_validator("product_basis")
    @classmethod
    def _product_basis(cls, basis: str) -> str:
        return _known("product_basis", basis, tuple(PRODUCT_STAGES))

    @field_validator("metric")
    @classmethod
    def _metric(cls, metric: str) -> str:
        return _known("metric", metric, METRICS)

    @field_validator("destination_iso3", mode="before")
    @classmethod
    def _destination(cls, destination: str) -> str | None:
        if destination and not is_country_iso3(destination):
            raise ValueError(f"destination_iso3 {destination!r} is not an ISO 3166 alpha-3 code")
        return destination or None

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, value: str) -> float:
        return parse_printed_number(value)

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, unit: str) -> Unit:
        return parse_unit(unit)

    @field_validator("document_date", "vintage", mode="before")
    @classmethod
    def _date(cls, text: str, info: ValidationInfo) -> date | None:
        return _optional_date(text, info.field_name, info.context["today"])

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, label: str, info: ValidationInfo) -> Period | None:
        company = info.data.get("company")
        return parse_period(label, company.fiscal) if company is not None else None

    @field_validator("publisher")
    @classmethod
    def _cited(cls, publisher: str, info: ValidationInfo) -> str:
        if not info.data.get("document_title") or not publisher:
            raise ValueError("every figure needs its document_title and publisher")
        return publisher

    @field_validator("page", mode="before")
    @classmethod
    def _page(cls, page: str) -> int | None:
        if page and (not page.isdigit() or int(page) < 1):
            raise ValueError(f"page {page!r} is not a page number")
        return int(page) if page else None

    @field_validator("url", mode="before")
    @classmethod
    def _url(cls, url: str) -> str | None:
        if url and not re.match(r"https?://", url):
            raise ValueError(f"url {url!r} is not an http(s) address")
        return url or None

    @field_validator("method")
    @classmethod
    def _method(cls, method: str) -> str:
        return _known("method", method or "register", METHODS)

    @field_validator("is_estimate", mode="before")
    @classmethod
    def _is_estimate(cls, text: str) -> bool:
        if text.lower() not in _BOOL:
            raise ValueError(f"is_estimate {text!r} is not true/false")
        return _BOOL[text.lower()]

    @field_validator("confidence")
    @classmethod
    def _confidence(cls, confidence: str) -> str:
        if confidence not in CONFIDENCE:
            raise ValueError(f"confidence {confidence!r} is not one of {', '.join(CONFIDENCE)}")
        return confidence

    @field_validator("elements", mode="before")
    @classmethod
    def _elements(cls, text: str) -> str | None:
        symbols: list[str] = []
        for token in re.split(r"[;,/\s]+", text):
            for symbol in _ELEMENT_ALIASES.get(token, (token,)) if token else ():
                if symbol not in seeds.element_symbols():
                    raise ValueError(
                        f"element {symbol!r} is not a rare earth "
                        f"({', '.join(seeds.element_symbols())})"
                    )
                if symbol not in symbols:
                    symbols.append(symbol)
        return ";".join(symbols) or None

    @field_validator("printed_page", "notes", mode="before")
    @classmethod
    def _optional_text(cls, text: str) -> str | None:
        return text or None

    @field_validator("value_qualifier")
    @classmethod
    def _value_qualifier(cls, qualifier: str) -> str:
        return _known("value_qualifier", qualifier or "exact", sorted(QUALIFIERS))

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Figure:
        """The rules that tie columns together (run once every column reads)."""
        if self.stage not in PRODUCT_STAGES[self.product_basis]:
            raise ValueError(
                f"product_basis {self.product_basis} belongs to stage "
                f"{'/'.join(sorted(PRODUCT_STAGES[self.product_basis]))}, not {self.stage}"
            )
        if self.metric == "offtake" and not self.destination_iso3:
            raise ValueError("an offtake figure needs destination_iso3")
        if self.metric != "offtake" and self.destination_iso3:
            raise ValueError(f"destination_iso3 applies to offtake only, not {self.metric}")
        if self.unit.is_share and self.metric != "offtake":
            raise ValueError(
                f"unit {self.unit.printed!r} is a share: only offtake figures may be shares"
            )
        if self.unit.is_share and self.value > 100:
            raise ValueError(f"share {self.value} % is above 100 %")
        if not self.unit.is_share:
            to_tonnes(self.value, self.unit)  # refuses an absurd tonnage (a unit slip)
        if self.unit.per_year and self.metric != "capacity":
            raise ValueError(
                f"unit {self.unit.printed!r} is a yearly rate: only capacity may be a rate"
            )
        if self.value_qualifier != "exact" and not self.is_estimate:
            raise ValueError(
                f"value_qualifier {self.value_qualifier!r} with is_estimate false: only an exact "
                "figure is not an estimate"
            )
        if self.report_date is None:
            raise ValueError("vintage is empty and there is no document_date to take it from")
        self._check_period(info.context["today"])
        if self.product_basis == "ndpr_oxide" and self.elements not in (None, "Nd;Pr", "Pr;Nd"):
            raise ValueError(f"product_basis ndpr_oxide holds Nd and Pr, not {self.elements}")
        return self

    @property
    def report_date(self) -> date | None:
        """The vintage: as typed, else the document's date."""
        return self.vintage or self.document_date

    def _check_period(self, today: date) -> None:
        period, vintage = self.period, self.report_date
        if self.metric in ("production", "sales"):
            # Output is reported after the fact: a period still running cannot have a total.
            if period.end > today:
                raise ValueError(
                    f"period {period.label} ends {period.end.isoformat()}, in the future "
                    f"(today {today.isoformat()})"
                )
            if period.end > vintage:
                raise ValueError(
                    f"period {period.label} ends {period.end.isoformat()}, after the report's "
                    f"vintage {vintage.isoformat()}: a report cannot state {self.metric} for a "
                    "period not yet over"
                )
        elif period.start > today:
            # Capacity and offtake shares may run ahead of the report, but not start after today.
            raise ValueError(
                f"period {period.label} starts {period.start.isoformat()}, in the future"
            )

    def staged(self) -> dict:
        """The figure's fields of DISCLOSURE_SCHEMA (file_id and row_number excepted)."""
        is_share = self.unit.is_share
        return {
            "company_id": self.company.id,
            "company_name": self.company.legal_name,
            "facility_id": self.facility.id,
            "country_iso3": self.country_iso3,
            "stage": self.stage,
            "product_basis": self.product_basis,
            "elements": self.elements or ("Nd;Pr" if self.product_basis == "ndpr_oxide" else None),
            "period_label": self.period.label,
            "period_start": self.period.start,
            "period_end": self.period.end,
            "period_kind": self.period.kind,
            "metric": self.metric,
            "value_as_printed": self.value,
            "unit_as_printed": self.unit.printed,
            "quantity_t": None if is_share else to_tonnes(self.value, self.unit),
            "quantity_is_annual_rate": self.unit.per_year,
            "share_pct": self.value if is_share else None,
            "basis_is_reo": self.unit.is_reo or self.product_basis in REO_BASES,
            "destination_iso3": self.destination_iso3,
            "document_title": self.document_title,
            "publisher": self.publisher,
            "document_date": self.document_date,
            "url": self.url,
            "page": self.page,
            "printed_page": self.printed_page,
            "vintage": self.report_date,
            "method": self.method,
            "is_estimate": self.is_estimate,
            "confidence": self.confidence,
            "matched_text": None,
            "notes": self.notes,
            "value_qualifier": self.value_qualifier,
        }


def validate_figure(raw: dict[str, str], companies: dict[str, Company], *, today: date) -> dict:
    """Check one figure given as text columns; return its staged fields or raise FigureError
    with every reason found (column errors in column order, or the first cross-column one)."""
    try:
        figure = Figure.model_validate(raw, context={"companies": companies, "today": today})
    except ValidationError as exc:
        raise FigureError("; ".join(_reason(error) for error in exc.errors())) from None
    return figure.staged()


def _reason(error: dict) -> str:
    """A readable reason: the message a check raised, never pydantic's own wording."""
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    column = ".".join(str(part) for part in error["loc"]) or "figure"
    return f"{column} {error.get('input')!r}: {error['msg']}"


def rows_frame(rows: list[dict]) -> pd.DataFrame:
    """Staged rows as a DataFrame in DISCLOSURE_SCHEMA column order (empty keeps the columns)."""
    table = pa.Table.from_pylist(rows, schema=DISCLOSURE_SCHEMA)
    # Nullable integers (page) stay integers instead of turning into floats with NaN.
    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
