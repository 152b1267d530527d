"""Source freshness as asset checks on the ingest assets: is each source's newest data too old?

Each source kind declares `max_age_days` (ingest/catalog.py); ingest/freshness.py dates a
source's newest landed data by its vintage, else by when it landed. Dagster's FreshnessPolicy
judges when an asset last materialized, but the ingest assets materialize on every run whether
or not a publisher released anything, so the age that matters (of the data) is checked here.

A stale source does not block publishing (last year's USGS edition is still the best figure
there is): the check fails with WARN severity, the UI shows it on the ingest asset, the result
goes to `quality.check_results`, and `reeflow status` prints STALE beside the source.
"""

import dagster as dg

from expectations.outcome import ExpectationOutcome
from expectations.severity import WARN
from ingest.catalog import kinds_by_dataset
from ingest.freshness import SourceFreshness, catalog_freshness
from orchestration import check_results

CHECK_NAME = "freshness"


def _spec(dataset: str, kinds) -> dg.AssetCheckSpec:
    limits = ", ".join(f"{kind.name} {kind.max_age_days} days" for kind in kinds)
    return dg.AssetCheckSpec(
        name=CHECK_NAME,
        asset=dg.AssetKey(["ingest", dataset]),
        blocking=False,
        description=f"newest landed data per source no older than allowed ({limits}); WARN only.",
    )


def _outcome(report: SourceFreshness) -> ExpectationOutcome:
    return ExpectationOutcome(
        suite="freshness",
        expectation=f"freshness({report.source}, max_age_days={report.max_age_days})",
        severity=WARN,
        passed=not report.stale,
        unexpected_count=int(report.stale),
        sample=report.describe(),
    )


def _result(dataset: str, reports: list[SourceFreshness]) -> dg.AssetCheckResult:
    newest = [report.newest for report in reports if report.newest is not None]
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(["ingest", dataset]),
        check_name=CHECK_NAME,
        passed=not any(report.stale for report in reports),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            **{report.source: report.describe() for report in reports},
            "newest_data": max(newest).isoformat() if newest else "none",
        },
    )


@dg.multi_asset_check(
    specs=[_spec(dataset, kinds) for dataset, kinds in kinds_by_dataset().items()],
    name="source_freshness",
)
def source_freshness(context: dg.AssetCheckExecutionContext):
    # One read of the landing manifest per run, shared by every dataset's check.
    freshness = catalog_freshness()
    for dataset, kinds in kinds_by_dataset().items():
        reports = [freshness[kind.name] for kind in kinds]
        asset = f"ingest/{dataset}"
        check_results.record(context.run.run_id, asset, [_outcome(r) for r in reports], "freshness")
        yield _result(dataset, reports)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(asset_checks=[source_freshness])
