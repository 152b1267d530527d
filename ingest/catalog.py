"""The source kinds reeflow can land and parse, and where their embedded defaults live.

One entry per kind keeps the CLI (`reeflow ingest file --format KIND`), the Dagster assets and
the tests on the same parse path: a file dropped by hand goes exactly where a fetched one goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from ingest import settings
from ingest.landing import LandedFile, land_file, read_manifest
from ingest.sources import (
    comtrade,
    customs,
    disclosures,
    disclosures_pdf,
    published_figures,
    usgs_mcs,
)
from ingest.staged import ParseResult, StageReport, StageWriter, stage_landed_files

_JPN_CUSTOMS = customs.load_mapping("jpn_customs")


@dataclass(frozen=True)
class SourceKind:
    name: str  # the landing source name
    dataset: str  # the staged Parquet folder dbt reads
    schema: pa.Schema
    parse: Callable[[LandedFile], ParseResult]
    parser_version: int
    embedded_glob: str | None  # files under ingest/embedded/ landed by the default run
    description: str
    # Lands the embedded defaults when a plain glob cannot (the register names files by company).
    land_embedded: Callable[[], list[tuple[LandedFile, bool]]] | None = None
    # How old the newest landed data may be before `reeflow status` and Dagster call the source
    # STALE (ingest/freshness.py); None = no expectation. Set from the publisher's cadence.
    max_age_days: int | None = None
    # Writes its own Parquet (files too large for a DataFrame); staging calls it instead of parse.
    write: StageWriter | None = None


SOURCE_KINDS: dict[str, SourceKind] = {
    kind.name: kind
    for kind in (
        SourceKind(
            name=usgs_mcs.SOURCE,
            dataset=usgs_mcs.DATASET,
            schema=usgs_mcs.SCHEMA,
            parse=usgs_mcs.parse,
            parser_version=usgs_mcs.PARSER_VERSION,
            embedded_glob="usgs_mcs/*.csv",
            description="USGS MCS data-release CSV, rare-earths world mine production table",
            # MCS appears every year in late January: a year plus five weeks of slack.
            max_age_days=400,
        ),
        SourceKind(
            name=published_figures.SOURCE,
            dataset=published_figures.DATASET,
            schema=published_figures.SCHEMA,
            parse=published_figures.parse,
            parser_version=published_figures.PARSER_VERSION,
            embedded_glob="published_figures/*.csv",
            description="published aggregates register (quotas, shares, stockpiles), one cited figure a row",
            # Quotas, IEA outlooks and agencies' summaries are yearly.
            max_age_days=400,
        ),
        SourceKind(
            name=comtrade.SOURCE_API,
            dataset=comtrade.DATASET,
            schema=comtrade.COMTRADE_SCHEMA,
            parse=comtrade.parse_comtrade_json,
            parser_version=comtrade.PARSER_VERSION,
            embedded_glob=None,
            description="UN Comtrade data API v1 JSON responses (`reeflow ingest comtrade`)",
            # Reporters file annual data within the following year; a fetch is due at least yearly.
            max_age_days=400,
        ),
        SourceKind(
            name=comtrade.SOURCE_BULK,
            dataset=comtrade.DATASET,
            schema=comtrade.COMTRADE_SCHEMA,
            parse=comtrade.parse_comtrade_bulk,
            parser_version=comtrade.BULK_PARSER_VERSION,
            embedded_glob=None,
            description="UN Comtrade bulk / final-data files (CSV, TSV or saved API JSON)",
            # Final annual files are released once a year.
            max_age_days=400,
            write=comtrade.stage_comtrade_bulk,
        ),
        SourceKind(
            name=_JPN_CUSTOMS.source,
            dataset=customs.DATASET,
            schema=customs.CUSTOMS_SCHEMA,
            parse=customs.parser_for(_JPN_CUSTOMS),
            parser_version=_JPN_CUSTOMS.parser_version,
            embedded_glob=None,
            description="Trade Statistics of Japan, 9-digit tariff lines split by element",
            # Japan's customs statistics are monthly, published about a month after the month ends.
            max_age_days=62,
        ),
        SourceKind(
            name=disclosures.SOURCE,
            dataset=disclosures.DATASET,
            schema=disclosures.DISCLOSURE_SCHEMA,
            parse=disclosures.parse,
            parser_version=disclosures.PARSER_VERSION,
            embedded_glob=None,
            land_embedded=disclosures.land_embedded_register,
            description="company disclosure register (one folder per company, cited figures)",
            # Producers report quarterly; a quarter plus the usual four-to-six-week reporting lag.
            max_age_days=135,
        ),
        SourceKind(
            name=disclosures_pdf.SOURCE,
            dataset=disclosures_pdf.DATASET,
            schema=disclosures.DISCLOSURE_SCHEMA,
            parse=disclosures_pdf.parse,
            parser_version=disclosures_pdf.PARSER_VERSION,
            embedded_glob=None,
            description="producers' quarterly/annual report PDFs, figures found by per-company rules",
            # Producers report quarterly; a quarter plus the usual four-to-six-week reporting lag.
            max_age_days=135,
        ),
    )
}


def kinds_by_dataset() -> dict[str, list[SourceKind]]:
    """Several landing sources can feed one staged dataset (Comtrade API and bulk files)."""
    grouped: dict[str, list[SourceKind]] = {}
    for kind in SOURCE_KINDS.values():
        grouped.setdefault(kind.dataset, []).append(kind)
    return grouped


def inbox_dir(kind: str) -> Path:
    """Drop folder: files placed here are landed by the next run (e.g. next year's MCS CSV)."""
    return settings.data_dir() / "inbox" / kind


def land_defaults(kind: SourceKind, *, include_embedded: bool = True) -> list[tuple[LandedFile, bool]]:
    """Land the embedded defaults and anything in the inbox; identical content is a no-op."""
    landed: list[tuple[LandedFile, bool]] = []
    paths: list[Path] = []
    if include_embedded and kind.land_embedded:
        landed += kind.land_embedded()
    if include_embedded and kind.embedded_glob:
        paths += sorted(settings.EMBEDDED_DIR.glob(kind.embedded_glob))
    inbox = inbox_dir(kind.name)
    if inbox.is_dir():
        paths += sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith("."))
    return landed + [land_file(path, source=kind.name) for path in paths]


def stage(kind: SourceKind, **kwargs) -> StageReport:
    """Parse every landed file of this kind into staged Parquet (skipping those already done)."""
    return stage_landed_files(
        read_manifest(source=kind.name),
        dataset=kind.dataset,
        schema=kind.schema,
        parse=kind.parse,
        parser_version=kind.parser_version,
        write=kind.write,
        **kwargs,
    )
