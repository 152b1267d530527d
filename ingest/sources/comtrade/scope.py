"""What a Comtrade fetch asks for: reporters, partners, HS codes, frequency and flows.

One definition behind both faces of the fetch, `reeflow ingest comtrade` (its flags) and the
Dagster asset (its run config), so both plan the same calls and resume each other's landings.

The default set is the rare-earth chain's main traders as reporters (issue 10): China, miner,
separator and magnet maker; Japan, the USA, Germany, Korea and France, importers of compounds,
metals and magnets; Malaysia and Estonia (separation plants: Lynas at Kuantan, Neo's Silmet at
Sillamae), Australia (Lynas's Mount Weld concentrate) and Vietnam. Every partner is asked, so countries
that seldom report to Comtrade themselves (Myanmar, Laos) still appear as these reporters'
partners, and the mirror reconciliation fills them in. The HS codes are the `hs_codes` and
`hs_headings` seeds' codes, the lines staging keeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ingest.reference.hs_codes import codes_in_scope
from ingest.sources.comtrade.client import ComtradeClient
from ingest.sources.comtrade.codes import comtrade_code
from ingest.sources.comtrade.fetch import FetchReport, fetch_to_landing

DEFAULT_REPORTERS = ("CHN", "JPN", "USA", "DEU", "KOR", "MYS", "VNM", "EST", "FRA", "AUS")
ALL_PARTNERS = "all"
FREQUENCIES = ("A", "M")
DEFAULT_FLOWS = ("M", "X")


def split_list(text: str) -> tuple[str, ...]:
    """'JPN, USA,' -> ('JPN', 'USA'): the CLI's comma-separated flags."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class FetchScope:
    """Reporters and partners as ISO3 or Comtrade codes; partners None = all of them;
    cmd_codes empty = the seeds' codes. Checked when made: a bad value is a ValueError."""

    reporters: tuple[str, ...] = DEFAULT_REPORTERS
    partners: tuple[str, ...] | None = None
    cmd_codes: tuple[str, ...] = ()
    frequency: str = "A"
    flows: tuple[str, ...] = DEFAULT_FLOWS

    def __post_init__(self) -> None:
        if not self.reporters:
            raise ValueError("no reporter given")
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"frequency must be one of {', '.join(FREQUENCIES)}, not {self.frequency!r}")
        if not self.flows:
            raise ValueError("no flow code given (M, X, ...)")
        self.reporter_codes()  # an unknown country fails here, before any call
        self.partner_codes()

    @classmethod
    def of(
        cls,
        reporters: Iterable[str] = DEFAULT_REPORTERS,
        partners: Iterable[str] | str | None = None,
        cmd_codes: Iterable[str] = (),
        frequency: str = "A",
        flows: Iterable[str] = DEFAULT_FLOWS,
    ) -> FetchScope:
        """From lists as a user gives them; partners None, 'all' or ['all'] = every partner."""
        partner_list = None if partners is None else tuple(
            [partners] if isinstance(partners, str) else partners
        )
        if partner_list is not None and [p.lower() for p in partner_list] in ([], [ALL_PARTNERS]):
            partner_list = None
        return cls(
            reporters=tuple(code.strip() for code in reporters),
            partners=partner_list,
            cmd_codes=tuple(code.strip() for code in cmd_codes),
            frequency=frequency,
            flows=tuple(flows),
        )

    def reporter_codes(self) -> list[str]:
        return [comtrade_code(code) for code in self.reporters]

    def partner_codes(self) -> list[str] | None:
        return None if self.partners is None else [comtrade_code(code) for code in self.partners]

    def codes(self) -> list[str]:
        return list(self.cmd_codes) if self.cmd_codes else sorted(codes_in_scope())

    def fetch(self, client: ComtradeClient, periods: Sequence[int | str], **options) -> FetchReport:
        """Land every call of this scope for `periods` (years, or months when monthly) not
        landed yet; options go to fetch_to_landing (progress, refetch_landed_before, ...)."""
        return fetch_to_landing(
            client,
            reporters=self.reporter_codes(),
            partners=self.partner_codes(),
            cmd_codes=self.codes(),
            periods=periods,
            frequency=self.frequency,
            flows=self.flows,
            **options,
        )
