"""The source kinds reeflow can land and parse, where their embedded defaults live, and the
staged datasets they make.

One entry per kind keeps the CLI (`reeflow ingest file --format KIND`), the Dagster assets and
the tests on the same parse path: a file dropped by hand goes exactly where a fetched one goes.
The catalog is built on first use, not on import: a customs kind reads its YAML mapping then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ingest import duckdb_session, embedded_landings, settings
from ingest.contract import FileRejected, Parser, StageWriter, check_size
from ingest.landing import LandedFile, land_file, read_manifest
from ingest.reference import countries
from ingest.sources import (
    company_prices,
    comtrade,
    customs,
    diversification,
    prices,
    published_figures,
    usgs_mcs,
)
from ingest.sources.disclosures import figures, pdf, register
from ingest.sqlsafe import quote_identifier
from ingest.staging import (
    MANIFEST_DATASET,
    QUARANTINE_DATASET,
    StageReport,
    dataset_glob,
    is_machine_fault,
    quarantine_files_of,
    stage_landed_files,
)

logger = logging.getLogger(__name__)


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
    # A larger file is refused at landing and quarantined whole at staging, never parsed: the
    # parsers of small kinds read a file whole, so this bounds their memory (README "Faults").
    max_bytes: int | None = None
    # Where the embedded files came from, kept with each landing (landed_files.request_json), for
    # files that are not the publisher's own download (a re-typed extract names its origin).
    embedded_provenance: dict[str, str] | None = None


# Size limits of the kinds read whole by Python. Each is far above the real files (a USGS world
# table is 3 KiB, the embedded registers under 100 KiB, a month of Japan's customs lines for
# the rare-earth chapters under 1 MiB, a producer's annual report 5-20 MiB) and low enough
# that parsing one stays under 600 MB of memory (benchmarks/faults.py measures it).
_SMALL_TABLE_BYTES = 8 << 20
_REGISTER_BYTES = 16 << 20
_CUSTOMS_BYTES = 32 << 20
_REPORT_PDF_BYTES = 64 << 20

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
            # A release's world table is 2-3 KiB.
            max_bytes=_SMALL_TABLE_BYTES,
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
            max_bytes=_REGISTER_BYTES,
        ),
        SourceKind(
            name=prices.SOURCE,
            dataset=prices.DATASET,
            schema=prices.SCHEMA,
            parse=prices.parse,
            parser_version=prices.PARSER_VERSION,
            embedded_glob="prices/*.csv",
            description="rare-earth oxide prices USGS MCS prints, every edition, one cited price a row",
            max_age_days=400,  # one MCS edition a year, as for mine production
            max_bytes=_REGISTER_BYTES,
        ),
        SourceKind(
            name=company_prices.SOURCE,
            dataset=company_prices.DATASET,
            schema=company_prices.SCHEMA,
            parse=company_prices.parse,
            parser_version=company_prices.PARSER_VERSION,
            embedded_glob="company_metrics/realized_prices.csv",
            description="producers' realized and average selling prices, one cited price a row",
            # Producers report at least yearly (Lynas and MP: annual reports and releases).
            max_age_days=400,
            max_bytes=_REGISTER_BYTES,
        ),
        SourceKind(
            name=diversification.SOURCE,
            dataset=diversification.DATASET,
            schema=diversification.SCHEMA,
            parse=diversification.parse,
            parser_version=diversification.PARSER_VERSION,
            embedded_glob="diversification/*.csv",
            description="diversification projects (who, where, stage, capacity, investment, start)",
            # Projects move (financing, start, status) on no cadence; review them at least yearly.
            max_age_days=400,
            max_bytes=_REGISTER_BYTES,
        ),
        SourceKind(
            name=comtrade.SOURCE_API,
            dataset=comtrade.DATASET,
            schema=comtrade.COMTRADE_SCHEMA,
            parse=None,  # DuckDB writes the Parquet itself
            write=comtrade.stage_comtrade_json,
            parser_version=comtrade.PARSER_VERSION,
            embedded_glob=None,
            description="UN Comtrade data API v1 JSON responses (`reeflow ingest comtrade`)",
            # Reporters file annual data within the following year; a fetch is due at least yearly.
            max_age_days=400,
            max_bytes=comtrade.MAX_BODY_BYTES,  # what the client lands at most
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
            max_bytes=comtrade.MAX_BULK_BYTES,
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
            max_bytes=_CUSTOMS_BYTES,
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
            max_bytes=_REGISTER_BYTES,
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
            max_bytes=_REPORT_PDF_BYTES,
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


def land_input(kind: SourceKind, path: Path, **kwargs) -> tuple[LandedFile, bool]:
    """Land one file as `kind` (`reeflow ingest file`, the inbox); FileTooLarge over its limit."""
    path = Path(path)
    check_size(path.name, path.stat().st_size, kind.max_bytes, kind.name)
    return land_file(path, source=kind.name, **kwargs)


def land_defaults(
    kind: SourceKind,
    *,
    include_embedded: bool = True,
    on_refused: Callable[[Path, str], None] | None = None,
) -> list[tuple[LandedFile, bool]]:
    """Land the embedded defaults and anything in the inbox; identical content is a no-op.

    An embedded default edited since it was landed supersedes its earlier landing, and an inbox
    file with the bytes of an embedded default is withdrawn before it is staged twice (see
    embedded_landings). An inbox file that cannot be landed (over the kind's size limit,
    unreadable, changing while read) is reported to `on_refused` (default: the log) and left in
    the inbox; the other files land all the same.
    """
    landed: list[tuple[LandedFile, bool]] = []
    if include_embedded and kind.land_embedded:
        landed += kind.land_embedded()
    if include_embedded and kind.embedded_glob:
        landed += embedded_landings.land_embedded_files(
            sorted(settings.EMBEDDED_DIR.glob(kind.embedded_glob)), kind.name, kind.embedded_provenance
        )
    embedded = [entry for entry, _ in landed]
    inbox = inbox_dir(kind.name)
    paths = sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")) \
        if inbox.is_dir() else []
    for path in paths:
        try:
            landed.append(land_input(kind, path))
        except Exception as exc:
            if is_machine_fault(exc):
                raise
            reason = str(exc) if isinstance(exc, FileRejected | ValueError) \
                else f"{type(exc).__name__}: {exc}"
            (on_refused or _log_refused)(path, reason)
    if include_embedded and (kind.land_embedded or kind.embedded_glob):
        embedded_landings.supersede_earlier(kind.name, embedded)
    return landed


def _log_refused(path: Path, reason: str) -> None:
    logger.warning("not landed, left in the inbox: %r: %s", str(path), reason)


def stage(kind: SourceKind, **kwargs) -> StageReport:
    """Parse every landed file of this kind into staged Parquet (skipping those already done)."""
    return stage_landed_files(
        read_manifest(source=kind.name),
        dataset=kind.dataset,
        schema=kind.schema,
        parse=kind.parse,
        parser_version=kind.parser_version,
        write=kind.write,
        max_bytes=kind.max_bytes,
        **kwargs,
    )


def staged_datasets() -> frozenset[str]:
    """Every staged dataset folder reeflow writes: the catalog's, plus its own three."""
    return frozenset(kinds_by_dataset()) | {countries.DATASET, MANIFEST_DATASET, QUARANTINE_DATASET}


def staged_glob(dataset: str, staged_dir: Path | None = None) -> str:
    """The Parquet glob of a staged dataset reeflow writes (bind it as a parameter)."""
    quote_identifier(dataset, staged_datasets())  # a name from elsewhere is refused
    return dataset_glob(dataset, staged_dir)


def quarantined_rows(file_id: str, limit: int) -> tuple[int, list[tuple[int | None, str]]]:
    """How many rows of one landed file are quarantined, and the first `limit` (line, reason).
    Only that file's quarantine files are read: not every other file's, which grow with years."""
    files = [str(path) for path in quarantine_files_of(file_id)]
    if not files:
        return 0, []
    with duckdb_session.connect() as con:
        rows = con.execute(
            "select row_number, reason, count(*) over () from read_parquet(?, union_by_name = true) "
            "where file_id = ? order by row_number nulls first limit ?",
            [files, file_id, limit],
        ).fetchall()
    return (rows[0][2] if rows else 0), [(line, reason) for line, reason, _ in rows]


def read_dataset(dataset: str) -> pd.DataFrame:
    """Every staged Parquet file of a dataset (its schema-only file included), as one frame."""
    with duckdb_session.connect() as con:
        return con.execute(
            "select * from read_parquet(?, union_by_name = true)", [staged_glob(dataset)]
        ).df()
