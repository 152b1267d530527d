"""The source kinds reeflow can land and parse, where their embedded defaults live, and the
staged datasets they make.

One entry per kind keeps the CLI (`reeflow ingest file --format KIND`), the Dagster assets and
the tests on the same parse path: a file dropped by hand goes exactly where a fetched one goes.
The catalog is built on first use, not on import: a customs kind reads its YAML mapping then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from ingest import settings
from ingest.contract import Parser, StageWriter
from ingest.landing import LandedFile, land_file, read_manifest
from ingest.reference import countries
from ingest.sources import comtrade, customs, published_figures, usgs_mcs
from ingest.sources.disclosures import figures, pdf, register
from ingest.sqlsafe import quote_identifier
from ingest.staging import (
    MANIFEST_DATASET,
    QUARANTINE_DATASET,
    StageReport,
    dataset_glob,
    stage_landed_files,
)


@dataclass(frozen=True)
class SourceKind:
    name: str  # the landing source name
    dataset: str  # the staged Parquet folder dbt reads
    schema: pa.Schema
    parse: Parser | None  # None for a kind whose `write` stages it
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
    # Where the embedded files came from, kept with each landing (landed_files.request_json), for
    # files that are not the publisher's own download (a re-typed extract names its origin).
    embedded_provenance: dict[str, str] | None = None


# ingest/embedded/comtrade/README.md says how the file was made; the landing keeps the gist.
_COMTRADE_EMBEDDED_PROVENANCE = {
    "data": "UN Comtrade Database, US imports, HS 280530/284610/284690/850511, 2018-2025 (primaryValue, USD)",
    "retrieved_via": "github akashok1/semiconductor-rare-earth-supply-chain-risk, "
                     "exports/fct_supplier_share.csv @ 72a6515c9fbc90712a09e3fe9b552d767f75dfc0",
    "layout": "re-typed into the Comtrade bulk CSV layout, one record per partner, code and year; "
              "no weights in the source",
}


def _source_kinds() -> tuple[SourceKind, ...]:
    jpn_customs = customs.load_mapping("jpn_customs")
    return (
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
            parse=None,  # DuckDB writes the Parquet itself
            parser_version=comtrade.BULK_PARSER_VERSION,
            # US imports by partner 2018-2025, value only (issue 12): real records, no weights.
            embedded_glob="comtrade/*.csv",
            description="UN Comtrade bulk / final-data files (CSV, TSV or saved API JSON)",
            # Final annual files are released once a year.
            max_age_days=400,
            write=comtrade.stage_comtrade_bulk,
            embedded_provenance=_COMTRADE_EMBEDDED_PROVENANCE,
        ),
        SourceKind(
            name=jpn_customs.source,
            dataset=customs.DATASET,
            schema=customs.CUSTOMS_SCHEMA,
            parse=customs.parser_for(jpn_customs),
            parser_version=jpn_customs.parser_version,
            embedded_glob=None,
            description="Trade Statistics of Japan, 9-digit tariff lines split by element",
            # Japan's customs statistics are monthly, published about a month after the month ends.
            max_age_days=62,
        ),
        SourceKind(
            name=register.SOURCE,
            dataset=figures.DATASET,
            schema=figures.DISCLOSURE_SCHEMA,
            parse=register.parse,
            parser_version=register.PARSER_VERSION,
            embedded_glob=None,
            land_embedded=register.land_embedded_register,
            description="company disclosure register (one folder per company, cited figures)",
            # Producers report quarterly; a quarter plus the usual four-to-six-week reporting lag.
            max_age_days=135,
        ),
        SourceKind(
            name=pdf.SOURCE,
            dataset=figures.DATASET,
            schema=figures.DISCLOSURE_SCHEMA,
            parse=pdf.parse,
            parser_version=pdf.PARSER_VERSION,
            embedded_glob=None,
            description="producers' quarterly/annual report PDFs, figures found by per-company rules",
            # Producers report quarterly; a quarter plus the usual four-to-six-week reporting lag.
            max_age_days=135,
        ),
    )


@cache
def _kinds_by_name() -> dict[str, SourceKind]:
    return {kind.name: kind for kind in _source_kinds()}


class _Catalog(Mapping[str, SourceKind]):
    """SOURCE_KINDS by name, built on first use."""

    def __getitem__(self, name: str) -> SourceKind:
        return _kinds_by_name()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(_kinds_by_name())

    def __len__(self) -> int:
        return len(_kinds_by_name())


SOURCE_KINDS: Mapping[str, SourceKind] = _Catalog()


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
    if include_embedded and kind.land_embedded:
        landed += kind.land_embedded()
    if include_embedded and kind.embedded_glob:
        landed += [land_file(path, source=kind.name, request=kind.embedded_provenance)
                   for path in sorted(settings.EMBEDDED_DIR.glob(kind.embedded_glob))]
    inbox = inbox_dir(kind.name)
    if inbox.is_dir():
        paths = sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith("."))
        landed += [land_file(path, source=kind.name) for path in paths]
    return landed


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


def staged_datasets() -> frozenset[str]:
    """Every staged dataset folder reeflow writes: the catalog's, plus its own three."""
    return frozenset(kinds_by_dataset()) | {countries.DATASET, MANIFEST_DATASET, QUARANTINE_DATASET}


def staged_glob(dataset: str, staged_dir: Path | None = None) -> str:
    """The Parquet glob of a staged dataset reeflow writes (bind it as a parameter)."""
    quote_identifier(dataset, staged_datasets())  # a name from elsewhere is refused
    return dataset_glob(dataset, staged_dir)


def read_dataset(dataset: str) -> pd.DataFrame:
    """Every staged Parquet file of a dataset (its schema-only file included), as one frame."""
    with duckdb.connect() as con:
        return con.execute(
            "select * from read_parquet(?, union_by_name = true)", [staged_glob(dataset)]
        ).df()
