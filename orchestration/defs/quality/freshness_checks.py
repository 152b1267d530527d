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

from expectations.runner import ExpectationOutcome
from expectations.severity import WARN
from ingest.catalog import SourceKind, kinds_by_dataset
from ingest.freshness import catalog_freshness
from orchestration import check_results


def _freshness_check(dataset: str, kinds: list[SourceKind]) -> dg.AssetChecksDefinition:
    asset_key = dg.AssetKey(["ingest", dataset])
    limits = ", ".join(f"{kind.name} {kind.max_age_days} days" for kind in kinds)

    @dg.asset_check(
        asset=asset_key,
        name="freshness",
        blocking=False,
        description=f"newest landed data per source no older than allowed ({limits}); WARN only.",
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        freshness = catalog_freshness()
        reports = [freshness[kind.name] for kind in kinds]
        outcomes = [
            ExpectationOutcome(
                suite="freshness",
                expectation=f"freshness({report.source}, max_age_days={report.max_age_days})",
                severity=WARN,
                passed=not report.stale,
                unexpected_count=int(report.stale),
                sample=report.describe(),
            )
            for report in reports
        ]
        check_results.record(context.run.run_id, asset_key.to_user_string(), outcomes, "freshness")
        newest = [report.newest for report in reports if report.newest is not None]
        return dg.AssetCheckResult(
            passed=not any(report.stale for report in reports),
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                **{report.source: report.describe() for report in reports},
                "newest_data": max(newest).isoformat() if newest else "none",
            },
        )

    return _check


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        asset_checks=[
            _freshness_check(dataset, kinds) for dataset, kinds in kinds_by_dataset().items()
        ]
    )
