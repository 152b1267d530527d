"""The UN Comtrade fetch as an asset partitioned by year: one year is fetched, refreshed or
backfilled alone.

It runs the code `reeflow ingest comtrade` runs (ingest/sources/comtrade/scope.py) and, like it,
only lands answers: files under the landing folder, never the DuckDB warehouse. The main job
stages them (only files not staged yet) and rebuilds; the sensor in sensors/fetched_trade.py
starts it when a fetch landed something new. The fetch has its own job: a partitioned asset
cannot sit in the main job, which is not partitioned.

- Partitions: calendar years, a year's partition from the day the year is over (reporters file
  annual data in the following year). From 2007, the first HS edition the hs_codes seed covers.
- A backfill of several years is one run (single-run backfill policy) fetching them in turn;
  the `comtrade_api` pool (limit 1, dagster.yaml) keeps two fetches from sharing the API's
  rate limit, and each resumes from the landing manifest, so no chunk lands twice.
- Retries: the client retries each call (429 with Retry-After, 5xx, cut-off answers). When it
  gives up, the step is retried by Dagster minutes later; a refused key, an API error or an
  answer over the size limit is not (asking again gives the same answer).
"""

from datetime import UTC, datetime

import dagster as dg
from pydantic import Field

from ingest.sources.comtrade import ComtradeError
from ingest.sources.comtrade.scope import ALL_PARTNERS, DEFAULT_FLOWS, DEFAULT_REPORTERS, FetchScope
from orchestration.defs.resources import ComtradeApi
from orchestration.printable import escaped

FIRST_YEAR = "2007"
COMTRADE_POOL = "comtrade_api"
comtrade_years = dg.TimeWindowPartitionsDefinition(
    start=FIRST_YEAR, fmt="%Y", cron_schedule="0 0 1 1 *", timezone="UTC"
)
# The client already waited out its own retries; these come 5, 10 then 20 minutes later (+-50 %),
# long enough for a rate-limit window or a maintenance break to pass.
FETCH_RETRY = dg.RetryPolicy(
    max_retries=3, delay=300, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


class ComtradeFetchConfig(dg.Config):
    """What to ask for; the defaults are the rare-earth chain's set (README, production)."""

    reporters: list[str] = Field(default=list(DEFAULT_REPORTERS),
                                 description="ISO3 or Comtrade country codes")
    partners: list[str] = Field(default=[ALL_PARTNERS],
                                description="ISO3 or Comtrade codes, or ['all'] for every partner")
    cmd_codes: list[str] = Field(default=[],
                                 description="HS codes; empty = the hs_codes and hs_headings seeds' codes")
    frequency: str = Field(default="A", description="A (annual) or M (the year's 12 months)")
    flows: list[str] = Field(default=list(DEFAULT_FLOWS), description="Comtrade flow codes")
    refetch_landed_before: str | None = Field(
        default=None,
        description="ISO date or time: ask again for answers landed before it (a refresh; "
                    "reporters revise their figures). Empty = fetch only what is not landed yet.",
    )

    def scope(self) -> FetchScope:
        return FetchScope.of(self.reporters, self.partners, self.cmd_codes, self.frequency, self.flows)

    def refetch_cutoff(self) -> datetime | None:
        if not self.refetch_landed_before:
            return None
        moment = datetime.fromisoformat(self.refetch_landed_before)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _not_retried(message: str) -> dg.Failure:
    return dg.Failure(description=escaped(message), allow_retries=False)


@dg.asset(
    key=["ingest", "comtrade_api_answers"],
    group_name="ingest",
    partitions_def=comtrade_years,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=COMTRADE_POOL,
    retry_policy=FETCH_RETRY,
    kinds={"python", "json"},
    description="UN Comtrade API answers for one year (or a range in a backfill), landed as "
                "received; COMTRADE_API_KEY when set, else the public preview (500 records a "
                "call, calls split so none is cut off).",
)
def comtrade_api_answers(
    context: dg.AssetExecutionContext, config: ComtradeFetchConfig, comtrade_api: ComtradeApi
) -> dg.MaterializeResult:
    try:
        scope, cutoff = config.scope(), config.refetch_cutoff()
        client = comtrade_api.client()
    except (ValueError, ComtradeError) as exc:  # bad config, or a key that cannot be sent
        raise _not_retried(str(exc)) from exc
    years = context.partition_keys
    context.log.info(
        f"fetching {', '.join(years)} for {len(scope.reporters)} reporters"
        f" ({'public preview' if client.uses_preview else 'subscription key'})"
        + (f", asking again for answers landed before {cutoff.isoformat()}" if cutoff else "")
    )
    try:
        report = scope.fetch(client, years, progress=context.log.info, refetch_landed_before=cutoff)
    except ComtradeError as exc:
        if exc.transient:
            raise  # the retry policy tries again later; what landed stays and is skipped then
        raise _not_retried(str(exc)) from exc
    if report.incomplete:
        raise _not_retried(
            f"{len(report.incomplete)} request(s) still at the record cap were not landed "
            f"(the rest was): {'; '.join(report.incomplete[:5])}"
        )
    return dg.MaterializeResult(
        metadata={
            "years": ", ".join(years),
            "chunks_planned": report.chunks_planned,
            "chunks_fetched": report.chunks_fetched,
            "chunks_skipped": report.chunks_skipped,
            "chunks_split": report.chunks_split,
            "records_landed": report.records_landed,
            "files_new": report.files_new,
        }
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[comtrade_api_answers])
