"""The company register (`companies.yml`): each producer's fiscal calendar, facilities and the
stages each facility works at. Figures are checked against it (figures.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pycountry
import yaml

from ingest import settings
from ingest.parsing.periods import FiscalCalendar, PeriodError
from ingest.reference import seeds

DISCLOSURES_DIR = settings.EMBEDDED_DIR / "disclosures"
COMPANIES_FILE = DISCLOSURES_DIR / "companies.yml"


@dataclass(frozen=True)
class Facility:
    id: str
    name: str
    country_iso3: str
    stages: tuple[str, ...]
    element_distribution: dict | None = None  # published shares of TREO, with their source
    feed: dict | None = None  # the company facility its input comes from, with a source


@dataclass(frozen=True)
class Company:
    id: str
    legal_name: str
    fiscal: FiscalCalendar
    facilities: dict[str, Facility] = field(default_factory=dict)


@lru_cache(maxsize=512)
def is_country_iso3(code: str) -> bool:
    return pycountry.countries.get(alpha_3=code) is not None


def load_companies(path: Path | None = None) -> dict[str, Company]:
    """Read companies.yml; raise ValueError naming the entry that is wrong."""
    path = Path(path) if path is not None else COMPANIES_FILE
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    companies = [_company(entry, path) for entry in document.get("companies") or []]
    return _by_id(companies, path.name, "company", "companies")


def _by_id(items: list, where: str, kind: str, kinds: str) -> dict:
    """`items` by their id; ValueError naming an id listed twice, or an empty list."""
    found: dict = {}
    for item in items:
        if item.id in found:
            raise ValueError(f"{where}: {kind} {item.id!r} is listed twice")
        found[item.id] = item
    if not found:
        raise ValueError(f"{where}: no {kinds}")
    return found


@lru_cache(maxsize=1)
def embedded_companies() -> dict[str, Company]:
    return load_companies(COMPANIES_FILE)


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
    facilities = _by_id([_facility(item, where) for item in entry.get("facilities") or []],
                        where, "facility", "facilities")
    for facility in facilities.values():
        feeder = facilities.get((facility.feed or {}).get("from_facility"))
        if facility.feed is not None and (feeder is None or facility.feed.get("stage") not in feeder.stages):
            raise ValueError(f"{where}, facility {facility.id}: feed must name another facility of "
                             f"the company and one of its stages, not {facility.feed}")
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
    feed = item.get("feed")
    if feed is not None and not (isinstance(feed, dict) and feed.get("source")):
        raise ValueError(f"{where}: feed has no source")
    return Facility(
        facility_id, str(item.get("name") or facility_id), country, tuple(stages), distribution, feed
    )
