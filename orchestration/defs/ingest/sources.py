"""Ingest assets: land each source's raw files and stage them as Parquet for dbt.

They write only files under the data folder (never the DuckDB warehouse), so they run in
parallel with readers and need no lock.
"""


import dagster as dg

from ingest.catalog import SOURCE_KINDS, SourceKind, land_defaults, stage
from ingest.countries import stage_countries
from ingest.landing import read_manifest
from ingest.staged import stage_manifest

GROUP = "ingest"


def _source_asset(kind: SourceKind) -> dg.AssetsDefinition:
    @dg.asset(
        key=["ingest", kind.dataset],
        group_name=GROUP,
        description=f"{kind.description}: landed raw files, parsed to staged Parquet.",
        kinds={"python", "parquet"},
    )
    def _asset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        landed = land_defaults(kind)
        new = sum(1 for _, is_new in landed if is_new)

        def log_file(landed_file, result) -> None:
            context.log.info(
                f"{kind.name}: staged {landed_file.original_name} "
                f"({len(result.rows)} rows, {len(result.quarantined)} quarantined)"
            )

        report = stage(kind, on_file=log_file)
        if report.quarantined:
            context.log.warning(f"{kind.name}: {report.quarantined} rows quarantined (see quality.quarantined_rows)")
        return dg.MaterializeResult(
            metadata={
                "files_landed_new": new,
                "files_parsed": report.files_parsed,
                "files_already_staged": report.files_skipped,
                "rows_staged": report.rows,
                "rows_quarantined": report.quarantined,
            }
        )

    return _asset


@dg.asset(key=["ingest", "countries"], group_name=GROUP, kinds={"python", "parquet"},
          description="Countries, ISO/M49 codes and groupings from country_converter.")
def countries() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": stage_countries()})


@dg.asset(
    key=["ingest", "landed_files"],
    group_name=GROUP,
    deps=[["ingest", kind.dataset] for kind in SOURCE_KINDS.values()],
    kinds={"python", "parquet"},
    description="The landing manifest (every raw file kept) and the quarantine, staged for dbt.",
)
def landed_files() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"files": stage_manifest(read_manifest())})


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[countries, landed_files, *(_source_asset(kind) for kind in SOURCE_KINDS.values())]
    )
