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
from ingest.sources import published_figures, usgs_mcs
from ingest.staged import ParseResult, StageReport, stage_landed_files


@dataclass(frozen=True)
class SourceKind:
    name: str  # the landing source name
    dataset: str  # the staged Parquet folder dbt reads
    schema: pa.Schema
    parse: Callable[[LandedFile], ParseResult]
    parser_version: int
    embedded_glob: str | None  # files under ingest/embedded/ landed by the default run
    description: str


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
        ),
        SourceKind(
            name=published_figures.SOURCE,
            dataset=published_figures.DATASET,
            schema=published_figures.SCHEMA,
            parse=published_figures.parse,
            parser_version=published_figures.PARSER_VERSION,
            embedded_glob="published_figures/*.csv",
            description="published aggregates register (quotas, shares, stockpiles), one cited figure a row",
        ),
    )
}


def inbox_dir(kind: str) -> Path:
    """Drop folder: files placed here are landed by the next run (e.g. next year's MCS CSV)."""
    return settings.data_dir() / "inbox" / kind


def land_defaults(kind: SourceKind, *, include_embedded: bool = True) -> list[tuple[LandedFile, bool]]:
    """Land the embedded defaults and anything in the inbox; identical content is a no-op."""
    paths: list[Path] = []
    if include_embedded and kind.embedded_glob:
        paths += sorted(settings.EMBEDDED_DIR.glob(kind.embedded_glob))
    inbox = inbox_dir(kind.name)
    if inbox.is_dir():
        paths += sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith("."))
    return [land_file(path, source=kind.name) for path in paths]


def stage(kind: SourceKind, **kwargs) -> StageReport:
    """Parse every landed file of this kind into staged Parquet (skipping those already done)."""
    return stage_landed_files(
        read_manifest(source=kind.name),
        dataset=kind.dataset,
        schema=kind.schema,
        parse=kind.parse,
        parser_version=kind.parser_version,
        **kwargs,
    )
