"""How old each source's newest data is, against the age its kind allows (`max_age_days`).

A landed file's data date is its vintage when the manifest records one that reads as a date
(`2025-06-30`, `2025-06`, or a label holding a year such as `2025`, `MCS2026`, `FY2024`: the
start of that period), otherwise the day it was landed (`fetched_at`; landing identical bytes
again keeps the first date, so this is when new data last arrived). A source's newest data is
the latest of its files' dates; it is STALE when that is older than `max_age_days`. A source
with nothing landed is absent, not stale: the embedded default run has no Comtrade data.

Used by `reeflow status` and by the Dagster freshness checks on the ingest assets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from ingest.catalog import SOURCE_KINDS
from ingest.landing import read_manifest

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")

LANDED = "landed"
VINTAGE = "vintage"


@dataclass(frozen=True)
class SourceFreshness:
    source: str
    max_age_days: int | None
    files: int
    newest: date | None  # the newest data date over the source's files
    basis: str | None  # VINTAGE or LANDED: where `newest` comes from
    age_days: int | None

    @property
    def stale(self) -> bool:
        return (
            self.max_age_days is not None
            and self.age_days is not None
            and self.age_days > self.max_age_days
        )

    def describe(self) -> str:
        if self.newest is None:
            return "no data landed"
        allowed = f"{self.max_age_days} allowed" if self.max_age_days is not None else "no limit"
        verdict = "STALE" if self.stale else "fresh"
        return (f"newest data {self.newest.isoformat()} ({self.basis}), {self.age_days} days old, "
                f"{allowed}: {verdict}")


def vintage_date(vintage: str | None) -> date | None:
    """The start of the period a vintage label names, or None when it names no date."""
    text = (vintage or "").strip()
    if not text:
        return None
    if match := _ISO_DATE.match(text):
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            return None
    if match := _YEAR_MONTH.match(text):
        year, month = (int(part) for part in match.groups())
        return date(year, month, 1) if 1 <= month <= 12 else None
    if match := _YEAR.search(text):
        return date(int(match.group(1)), 1, 1)
    return None


def _landed_date(fetched_at: str | datetime | date) -> date:
    if isinstance(fetched_at, datetime):
        return fetched_at.date()
    if isinstance(fetched_at, date):
        return fetched_at
    return datetime.fromisoformat(str(fetched_at)).date()


def data_date(vintage: str | None, fetched_at: str | datetime | date) -> tuple[date, str]:
    stated = vintage_date(vintage)
    return (stated, VINTAGE) if stated is not None else (_landed_date(fetched_at), LANDED)


def assess(
    source: str,
    max_age_days: int | None,
    files: Iterable[tuple[str | None, str | datetime | date]],
    today: date | None = None,
) -> SourceFreshness:
    """Freshness of one source from its files' (vintage, fetched_at) pairs."""
    today = today or datetime.now(UTC).date()
    dated = [data_date(vintage, fetched_at) for vintage, fetched_at in files]
    if not dated:
        return SourceFreshness(source, max_age_days, 0, None, None, None)
    newest, basis = max(dated)
    return SourceFreshness(source, max_age_days, len(dated), newest, basis, (today - newest).days)


def catalog_freshness(
    today: date | None = None, landing_dir=None
) -> dict[str, SourceFreshness]:
    """Every source kind of the catalog, from the landing manifest, keyed by source name."""
    entries = read_manifest(landing_dir)
    return freshness_by_source(
        [(entry.source, entry.vintage, entry.fetched_at) for entry in entries], today
    )


def freshness_by_source(
    files: Iterable[tuple[str, str | None, str | datetime | date]], today: date | None = None
) -> dict[str, SourceFreshness]:
    """Every source kind of the catalog from (source, vintage, fetched_at) rows: the landing
    manifest's, or the published `quality.landed_files`."""
    files = list(files)
    return {
        name: assess(
            name,
            kind.max_age_days,
            [(vintage, fetched_at) for source, vintage, fetched_at in files if source == name],
            today,
        )
        for name, kind in SOURCE_KINDS.items()
    }
