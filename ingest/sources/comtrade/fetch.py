"""Plan Comtrade calls in chunks, land each answer, resume, and re-split truncated answers.

One call per reporter x period x commodity-code group. Each answer is landed with its query
(never the key) as the manifest request, so a second run skips every chunk already landed.
A refresh (`refetch_landed_before`) asks again for chunks landed before a moment: reporters
revise their figures, and a revised answer is new bytes, so it lands beside the earlier one and
supersedes it downstream; an unchanged answer lands nothing (and, the manifest holding no
record of the asking, is asked again if an interrupted refresh is started again).
An answer holding exactly the record cap is truncated (the API stops there without saying so):
it is not landed; the chunk is split by partner list, then per commodity code, then per month,
then per flow, and the parts are fetched instead.
"""

from __future__ import annotations

import json
import logging
import re
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from ingest.landing import LandedFile, land_bytes, read_manifest
from ingest.sources.comtrade.client import ComtradeClient, ComtradeError
from ingest.sources.comtrade.rules import SAMPLE_VINTAGE, SOURCE_API

logger = logging.getLogger(__name__)

# Totals over second partner, customs procedure and transport mode (as comtradr asks): the
# breakdowns would repeat the same trade several times over.
TOTALS_BREAKDOWN = {"partner2Code": "0", "customsCode": "C00", "motCode": "0"}
_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^\d{4}(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Chunk:
    """One planned call. partners None = all partners (the API's default)."""

    reporter: str
    periods: tuple[str, ...]
    cmd_codes: tuple[str, ...]
    partners: tuple[str, ...] | None
    flows: tuple[str, ...]
    frequency: str = "A"
    type_code: str = "C"
    cl_code: str = "HS"

    @property
    def dataset(self) -> str:
        return f"{self.type_code}/{self.frequency}/{self.cl_code}"

    def params(self) -> dict[str, str]:
        params = {
            "reporterCode": self.reporter,
            "period": ",".join(self.periods),
            "cmdCode": ",".join(self.cmd_codes),
            "flowCode": ",".join(self.flows),
            **TOTALS_BREAKDOWN,
            "includeDesc": "TRUE",
        }
        if self.partners is not None:
            params["partnerCode"] = ",".join(self.partners)
        return params

    def key(self) -> str:
        return _chunk_key(self.dataset, self.params())

    def split(self) -> list[Chunk]:
        """Smaller chunks that together ask for the same records; [] when none is smaller."""
        if self.partners is not None and len(self.partners) > 1:
            middle = len(self.partners) // 2
            return [
                replace(self, partners=self.partners[:middle]),
                replace(self, partners=self.partners[middle:]),
            ]
        if len(self.cmd_codes) > 1:
            return [replace(self, cmd_codes=(code,)) for code in self.cmd_codes]
        if len(self.periods) > 1:
            return [replace(self, periods=(period,)) for period in self.periods]
        if len(self.flows) > 1:
            return [replace(self, flows=(flow,)) for flow in self.flows]
        return []

    def describe(self) -> str:
        partners = "all" if self.partners is None else _label(self.partners)
        return (
            f"{self.dataset} reporter {self.reporter} period {_label(self.periods)} "
            f"cmd {_label(self.cmd_codes)} partners {partners} flows {','.join(self.flows)}"
        )

    def file_name(self) -> str:
        partners = "" if self.partners is None else f"_p{_label(self.partners, '-')}"
        return (
            f"comtrade_{self.type_code}{self.frequency}{self.cl_code}_r{self.reporter}"
            f"_t{_label(self.periods, '-')}_c{_label(self.cmd_codes, '-')}"
            f"_f{'-'.join(self.flows)}{partners}.json"
        )


@dataclass
class FetchReport:
    chunks_planned: int = 0
    chunks_fetched: int = 0  # answers landed (split parts included)
    chunks_skipped: int = 0  # already in the manifest from an earlier run
    chunks_split: int = 0  # answers at the record cap, re-split instead of landed
    records_landed: int = 0
    files_new: int = 0
    incomplete: list[str] = field(default_factory=list)  # at the cap even when split finest

    def summary(self) -> str:
        text = (
            f"{self.chunks_planned} planned, {self.chunks_fetched} fetched, "
            f"{self.chunks_skipped} skipped, {self.chunks_split} split, "
            f"{self.records_landed} records landed"
        )
        return text + (f", {len(self.incomplete)} incomplete" if self.incomplete else "")


def plan_chunks(
    *,
    reporters: Sequence[int | str],
    partners: Sequence[int | str] | None,
    cmd_codes: Sequence[str],
    periods: Sequence[int | str],
    frequency: str = "A",
    flows: Sequence[str] = ("M", "X"),
    cmd_group_size: int | None = None,
    type_code: str = "C",
    cl_code: str = "HS",
) -> list[Chunk]:
    """reporter x period x commodity-code group; a monthly year asks for its 12 months."""
    if frequency not in ("A", "M"):
        raise ValueError(f"frequency must be 'A' or 'M', not {frequency!r}")
    codes = tuple(str(code).strip() for code in cmd_codes)
    if not codes or not reporters or not periods:
        raise ValueError("reporters, cmd_codes and periods must not be empty")
    size = cmd_group_size or len(codes)
    groups = [codes[start:start + size] for start in range(0, len(codes), size)]
    partner_codes = None if partners is None else tuple(str(code) for code in partners)
    return [
        Chunk(
            reporter=str(reporter),
            periods=_period_list(str(period), frequency),
            cmd_codes=group,
            partners=partner_codes,
            flows=tuple(flows),
            frequency=frequency,
            type_code=type_code,
            cl_code=cl_code,
        )
        for reporter in reporters
        for period in periods
        for group in groups
    ]


def fetch_to_landing(
    client: ComtradeClient,
    *,
    reporters: Sequence[int | str],
    partners: Sequence[int | str] | None,
    cmd_codes: Sequence[str],
    periods: Sequence[int | str],
    frequency: str = "A",
    flows: Sequence[str] = ("M", "X"),
    landing_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    cmd_group_size: int | None = None,
    refetch_landed_before: datetime | None = None,
) -> FetchReport:
    """Fetch every chunk not landed yet (or, with `refetch_landed_before`, not landed since
    then). A ComtradeError stops the run; what landed stays (the error carries the partial
    report as `.report`) and the next run resumes after it."""
    say = progress or (lambda message: None)
    plan = plan_chunks(
        reporters=reporters, partners=partners, cmd_codes=cmd_codes, periods=periods,
        frequency=frequency, flows=flows, cmd_group_size=cmd_group_size,
    )
    report = FetchReport(chunks_planned=len(plan))
    landed_keys = _landed_chunk_keys(landing_dir, refetch_landed_before)
    queue = deque(plan)
    while queue:
        chunk = queue.popleft()
        if chunk.key() in landed_keys:
            report.chunks_skipped += 1
            say(f"skip (already landed): {chunk.describe()}")
            continue
        try:
            response = client.get(chunk.type_code, chunk.frequency, chunk.cl_code, chunk.params())
        except ComtradeError as exc:
            exc.report = report
            say(f"stopped: {exc}")
            raise
        if response.record_count >= client.record_cap:
            parts = chunk.split()
            if parts:
                report.chunks_split += 1
                say(f"split ({response.record_count} records = cap): {chunk.describe()}")
                queue.extendleft(reversed(parts))
            else:
                report.incomplete.append(chunk.describe())
                logger.warning("still at the record cap, not landed: %s", chunk.describe())
                say(f"incomplete (cap reached, cannot split further): {chunk.describe()}")
            continue
        request = {
            "api": "comtrade/v1",
            "base_url": client.base_url,
            "endpoint": response.endpoint,
            "dataset": chunk.dataset,
            "query": chunk.params(),
            "record_cap": client.record_cap,
        }
        _, is_new = land_bytes(
            response.body,
            source=SOURCE_API,
            name=chunk.file_name(),
            request=request,
            row_count=response.record_count,
            landing_dir=landing_dir,
        )
        landed_keys.add(chunk.key())
        report.chunks_fetched += 1
        report.files_new += int(is_new)
        report.records_landed += response.record_count
        verb = "landed" if is_new else "unchanged, already landed"
        say(f"{verb} {response.record_count} records: {chunk.describe()}")
    say(report.summary())
    return report


def land_sample_response(
    content: bytes, *, name: str, landing_dir: Path | None = None
) -> tuple[LandedFile, bool]:
    """Land generated demo data in the API's format, marked so it never passes for real trade:
    vintage 'sample' and request {"sample": true}; its parsed rows say is_sample."""
    return land_bytes(content, source=SOURCE_API, name=name, vintage=SAMPLE_VINTAGE,
                      request={"sample": True}, landing_dir=landing_dir)


def _landed_chunk_keys(landing_dir: Path | None, landed_since: datetime | None = None) -> set[str]:
    keys = set()
    for entry in read_manifest(landing_dir, SOURCE_API):
        request = entry.request or {}
        if landed_since is not None and datetime.fromisoformat(entry.fetched_at) < landed_since:
            continue  # asked again: the reporter may have revised it since
        if isinstance(request.get("query"), dict) and request.get("dataset"):
            keys.add(_chunk_key(request["dataset"], request["query"]))
    return keys


def _chunk_key(dataset: str, query: dict[str, str]) -> str:
    # maxRecords is left out: a complete preview answer is as good as a complete full one.
    return dataset + "?" + json.dumps(
        {name: value for name, value in query.items() if name != "maxRecords"}, sort_keys=True
    )


def _period_list(period: str, frequency: str) -> tuple[str, ...]:
    if frequency == "A":
        if not _YEAR.match(period):
            raise ValueError(f"annual period {period!r} is not YYYY")
        return (period,)
    if _MONTH.match(period):
        return (period,)
    if _YEAR.match(period):
        return tuple(f"{period}{month:02d}" for month in range(1, 13))
    raise ValueError(f"monthly period {period!r} is not YYYY or YYYYMM")


def _label(values: Sequence[str], separator: str = ",") -> str:
    if len(values) <= 3:
        return separator.join(values)
    return f"{values[0]}{separator}{values[-1]}+{len(values) - 2}more"
