"""Producers' realized and average selling prices (source kind `company_prices`).

The disclosure register holds tonnes; the prices companies report per tonne or kilogram sit in
`ingest/embedded/company_metrics/realized_prices.csv` in the register's layout plus
`price_basis` (what the price is an average of: MP's REO in concentrate, its NdPr oxide, Lynas's
basket of every product sold). Each row names its company and facility (companies.yml), a period
read with the company's fiscal calendar (Lynas: July-June) and a printed unit; the price per kg
is converted only where the unit says how (USD per t -> USD per kg), never across currencies.
Neo Performance Materials' segment volumes (`neo_segment_sales.csv`) are not read: they are
product mixes of a segment across countries, which no mart can use without misstating them.
"""

from __future__ import annotations

import pyarrow as pa

from ingest.contract import ParseResult
from ingest.landing import LandedFile
from ingest.parsing import registers
from ingest.parsing.periods import PeriodError, parse_period
from ingest.parsing.registers import choice, flag, number, required
from ingest.reference import seeds
from ingest.sources.disclosures.companies import embedded_companies
from ingest.sources.disclosures.figures import PRODUCT_STAGES
from ingest.sources.published_figures import CONFIDENCE

SOURCE = "company_prices"
DATASET = "company_prices"
# 2: registers.py: thousands commas only, a column named twice rejected.
# 3: registers.py: a row with an over-long cell quarantined (the file was rejected).
PARSER_VERSION = 3

REQUIRED = (
    "company", "facility", "country_iso3", "stage", "product_basis", "elements", "period",
    "metric", "value", "unit", "price_basis", "document_title", "publisher", "document_date",
    "url", "page", "printed_page", "vintage", "method", "is_estimate", "confidence", "notes",
)
METRICS = {"realized_price", "average_selling_price"}
# Printed unit -> (currency, kilograms the price is per, whether the kg is of REO content).
UNITS = {
    "USD per t REO": ("USD", 1000.0, True),
    "USD per kg": ("USD", 1.0, False),
    "AUD per kg REO": ("AUD", 1.0, True),
}
# The disclosure register's vocabulary (a price is of a product, not of a magnet).
PRODUCT_BASES = set(PRODUCT_STAGES) - {"magnet"}

SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("row_number", pa.int32()),
        ("company_id", pa.string()),
        ("company_name", pa.string()),
        ("facility_id", pa.string()),
        ("country_iso3", pa.string()),
        ("stage", pa.string()),
        ("product_basis", pa.string()),
        ("elements", pa.string()),
        ("period_label", pa.string()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("metric", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("currency", pa.string()),
        ("price_per_kg", pa.float64()),
        ("is_per_kg_reo", pa.bool_()),
        ("price_basis", pa.string()),
        ("document_title", pa.string()),
        ("publisher", pa.string()),
        ("document_date", pa.string()),
        ("url", pa.string()),
        ("page", pa.string()),
        ("printed_page", pa.string()),
        ("vintage", pa.string()),
        ("is_estimate", pa.bool_()),
        ("confidence", pa.string()),
        ("notes", pa.string()),
    ]
)


def _validate(row: dict[str, str]) -> dict:
    companies = embedded_companies()
    company = companies.get(row["company"])
    if company is None:
        raise ValueError(f"company {row['company']!r} is not in companies.yml ({sorted(companies)})")
    facility = company.facilities.get(row["facility"])
    if facility is None:
        raise ValueError(f"facility {row['facility']!r} is not one of {company.id}'s {sorted(company.facilities)}")
    try:
        period = parse_period(row["period"], company.fiscal)
    except PeriodError as exc:
        raise ValueError(str(exc)) from None
    choice(row, "stage", seeds.stages())
    choice(row, "product_basis", PRODUCT_BASES)
    choice(row, "metric", METRICS)
    choice(row, "unit", UNITS)
    choice(row, "confidence", CONFIDENCE)
    currency, kg_per_unit, per_kg_reo = UNITS[row["unit"]]
    value = number(row, "value")
    if value <= 0:
        raise ValueError(f"value {value} is not a price above zero")
    required(row, "price_basis", "say what the price is an average of")
    required(row, "document_title", "every price must cite its report")
    if not (row["page"] or row["printed_page"]):
        raise ValueError("page and printed_page are empty: no locator")
    return {
        **row,
        "company_id": company.id,
        "company_name": company.legal_name,
        "facility_id": facility.id,
        "country_iso3": row["country_iso3"] or facility.country_iso3,
        "period_label": period.label,
        "period_start": period.start,
        "period_end": period.end,
        "value": value,
        "currency": currency,
        "price_per_kg": value / kg_per_unit,
        "is_per_kg_reo": per_kg_reo,
        "is_estimate": flag(row, "is_estimate"),
        "document_date": registers.partial_date(row, "document_date"),
        "vintage": registers.partial_date(row, "vintage"),
        "url": registers.url(row, "url"),
        **{name: row[name] or None for name in ("elements", "publisher", "page", "printed_page", "notes")},
    }


def parse(landed: LandedFile) -> ParseResult:
    return registers.parse_register(
        landed, REQUIRED, _validate, key=("company", "facility", "product_basis", "period", "metric", "vintage"),
        schema_names=SCHEMA.names,
    )
