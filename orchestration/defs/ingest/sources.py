"""Ingest assets: land each source's raw files and stage them as Parquet for dbt.

They write only files under the data folder (never the DuckDB warehouse), so they run in
parallel with readers and need no lock.
"""

import dagster as dg

from ingest.catalog import SourceKind, kinds_by_dataset, land_defaults, stage
from ingest.landing import read_manifest
from ingest.reference.countries import stage_countries
from ingest.sources import comtrade
from ingest.staging import stage_manifest
from orchestration.defs.ingest.comtrade import comtrade_api_answers
from orchestration.printable import escaped

GROUP = "ingest"


# Landed by an asset of its own before this one stages it: the Comtrade fetch (ingest/comtrade.py).
_FETCHED_BY = {comtrade.DATASET: [comtrade_api_answers]}


def _dataset_asset(dataset: str, kinds: list[SourceKind]) -> dg.AssetsDefinition:
    """One asset per staged dataset: it lands and stages every source kind that feeds it."""

    @dg.asset(
        key=["ingest", dataset],
        deps=_FETCHED_BY.get(dataset, []),
        group_name=GROUP,
        description="; ".join(kind.description for kind in kinds)
        + ": landed raw files, parsed to staged Parquet.",
        kinds={"python", "parquet"},
    )
    def _asset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        metadata: dict[str, int] = {}
        for kind in kinds:
            landed = land_defaults(
                kind, on_refused=lambda path, reason: context.log.warning(
                    f"not landed, left in the inbox: {path.name!r}: {reason}")
            )

            def log_file(landed_file, result, kind=kind) -> None:
                context.log.info(
                    f"{kind.name}: staged {escaped(landed_file.original_name)} "
                    f"({result.row_count} rows, {len(result.quarantined)} quarantined, "
                    f"{result.out_of_scope} out of scope)"
                )

            report = stage(kind, on_file=log_file)
            if report.quarantined:
                context.log.warning(
                    f"{kind.name}: {report.quarantined} rows quarantined (see quality.quarantined_rows)"
                )
            for name, value in (
                ("files_landed_new", sum(1 for _, is_new in landed if is_new)),
                ("files_parsed", report.files_parsed),
                ("files_already_staged", report.files_skipped),
                ("rows_staged", report.rows),
                ("rows_quarantined", report.quarantined),
                ("rows_out_of_scope", report.out_of_scope),
            ):
                metadata[name] = metadata.get(name, 0) + value
        return dg.MaterializeResult(metadata=metadata)

    return _asset


@dg.asset(key=["ingest", "countries"], group_name=GROUP, kinds={"python", "parquet"},
          description="Countries, ISO/M49 codes and groupings from country_converter.")
def countries() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": stage_countries()})


@dg.asset(
    key=["ingest", "landed_files"],
    group_name=GROUP,
    deps=[["ingest", dataset] for dataset in kinds_by_dataset()],
    kinds={"python", "parquet"},
    description="The landing manifest (every raw file kept) and the quarantine, staged for dbt.",
)
def landed_files() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"files": stage_manifest(read_manifest())})


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[
            countries,
            landed_files,
            *(_dataset_asset(dataset, kinds) for dataset, kinds in kinds_by_dataset().items()),
        ]
    )
