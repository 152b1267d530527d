"""Reporting periods as companies print them ("FY2024", "Q3 FY25", "H1 FY24", "2024", "Q2 2024").

A label only means something with the company's fiscal calendar: Lynas' FY2024 runs
2023-07-01..2024-06-30, MP Materials' 2024 is the calendar year. Pure functions, no I/O.

Conventions (stated once, used everywhere):
- A fiscal year is named by the calendar year in which it ends (Australian and US usage: Lynas
  FY24 ends 30 June 2024). Companies that name it by the start year (Japanese "FY2024" =
  April 2024..March 2025) set `named_by="start"`.
- Two-digit years are 20yy: disclosures before 2000 are typed with four digits.
- "Qn" / "Hn" with FY (or FY-style two-digit years) are fiscal; with CY or a bare four-digit
  year they are calendar quarters/halves.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

# Mountain Pass, the first industrial rare-earth mine, started in 1952; an earlier period is a typo.
EARLIEST_YEAR = 1950

PERIOD_KINDS = ("fiscal_year", "quarter", "half", "calendar_year")

_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9

_YEAR = r"(?P<year>\d{4}|\d{2})"
_FY_RANGE = re.compile(r"^FY\s*(?P<first>\d{4})\s*[-/]\s*(?P<second>\d{4}|\d{2})$", re.IGNORECASE)
_YEAR_LABEL = re.compile(rf"^(?P<prefix>FY|CY)?\s*'?{_YEAR}$", re.IGNORECASE)
_QUARTER = re.compile(
    rf"^(?:Q(?P<q1>\d)|(?P<q2>\d)Q)\s*(?P<prefix>FY|CY)?\s*'?{_YEAR}$", re.IGNORECASE
)
_HALF = re.compile(
    rf"^(?:H(?P<h1>\d)|(?P<h2>\d)H)\s*(?P<prefix>FY|CY)?\s*'?{_YEAR}$", re.IGNORECASE
)


class PeriodError(ValueError):
    """A period label that does not parse, or names a period that cannot exist."""


@dataclass(frozen=True)
class FiscalCalendar:
    """When a company's fiscal year ends (a month end) and how its years are named."""

    month: int = 12
    day: int = 31
    named_by: str = "end"  # "end": FY2024 ends in 2024; "start": FY2024 starts in 2024

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise PeriodError(f"fiscal year end month {self.month} is not 1-12")
        last = calendar.monthrange(2001, self.month)[1]  # a non-leap year: Feb ends on the 28th
        if self.day != last and not (self.month == 2 and self.day == 29):
            # Quarters are whole months; a 52/53-week calendar needs its own dates, not a label.
            raise PeriodError(f"fiscal year end {self.month:02d}-{self.day:02d} is not a month end")
        if self.named_by not in ("end", "start"):
            raise PeriodError(f"named_by must be 'end' or 'start', not {self.named_by!r}")

    @classmethod
    def parse(cls, text: str, named_by: str = "end") -> FiscalCalendar:
        """'06-30' -> FiscalCalendar(6, 30)."""
        match = re.fullmatch(r"\s*(\d{1,2})-(\d{1,2})\s*", str(text))
        if not match:
            raise PeriodError(f"fiscal year end {text!r} is not MM-DD")
        month, day = int(match.group(1)), int(match.group(2))
        if month == 2 and day == 29:
            day = 28
        return cls(month, day, named_by)

    @property
    def is_calendar_year(self) -> bool:
        return self.month == 12


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date
    kind: str  # one of PERIOD_KINDS


def _full_year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def fiscal_year_bounds(fiscal_year: int, fiscal: FiscalCalendar) -> tuple[date, date]:
    """First and last day of the fiscal year the company calls `fiscal_year`."""
    end_year = (
        fiscal_year if fiscal.named_by == "end" or fiscal.is_calendar_year else fiscal_year + 1
    )
    end = _month_end(end_year, fiscal.month)
    start = _add_months(date(end.year, end.month, 1), -11)
    return start, end


def _sub_period(
    fiscal_year: int, fiscal: FiscalCalendar, index: int, months: int
) -> tuple[date, date]:
    fy_start, _ = fiscal_year_bounds(fiscal_year, fiscal)
    start = _add_months(fy_start, (index - 1) * months)
    return start, _add_months(start, months) - timedelta(days=1)


def _check_year(year: int, label: str) -> None:
    if year < EARLIEST_YEAR:
        raise PeriodError(f"period {label!r}: year {year} is before {EARLIEST_YEAR}")


def parse_period(label: str, fiscal: FiscalCalendar | None = None) -> Period:
    """Turn a printed period label into dates using the company's fiscal calendar."""
    fiscal = fiscal or FiscalCalendar()
    text = " ".join(str(label).split())
    if not text:
        raise PeriodError("period is empty")

    if match := _FY_RANGE.match(text):
        first = int(match["first"])
        second = int(match["second"])
        if len(match["second"]) == 2:
            second += first // 100 * 100
        if second != first + 1:
            raise PeriodError(f"period {text!r}: {first}-{second} is not two consecutive years")
        if fiscal.is_calendar_year:
            raise PeriodError(
                f"period {text!r} spans two years but this company's year is the calendar year"
            )
        _check_year(first, text)
        fiscal_year = second if fiscal.named_by == "end" else first
        start, end = fiscal_year_bounds(fiscal_year, fiscal)
        return Period(text, start, end, "fiscal_year")

    if match := _YEAR_LABEL.match(text):
        prefix = (match["prefix"] or "").upper()
        if prefix != "FY" and len(match["year"]) == 2:
            raise PeriodError(f"period {text!r}: a two-digit year needs FY (fiscal) or four digits")
        year = _full_year(match["year"])
        _check_year(year, text)
        if prefix == "FY":
            start, end = fiscal_year_bounds(year, fiscal)
            return Period(text, start, end, "fiscal_year")
        return Period(text, date(year, 1, 1), date(year, 12, 31), "calendar_year")

    for pattern, months, kind, plural in (
        (_QUARTER, 3, "quarter", "quarters"),
        (_HALF, 6, "half", "halves"),
    ):
        match = pattern.match(text)
        if not match:
            continue
        number, count = int(match.group(1) or match.group(2)), 12 // months
        if not 1 <= number <= count:
            raise PeriodError(f"period {text!r}: a year has {count} {plural}, not {number}")
        prefix = (match["prefix"] or "").upper()
        if prefix != "FY" and len(match["year"]) == 2:
            raise PeriodError(f"period {text!r}: a two-digit year needs FY (fiscal) or four digits")
        year = _full_year(match["year"])
        _check_year(year, text)
        basis = fiscal if prefix == "FY" else FiscalCalendar()  # "Q2 2024" is a calendar quarter
        start, end = _sub_period(year, basis, number, months)
        return Period(text, start, end, kind)

    raise PeriodError(
        f"period {text!r} is not one of FY2024, FY24, FY2023-24, 2024, Q3 FY25, Q2 2024, H1 FY24"
    )


def period_ending(end: date, fiscal: FiscalCalendar, kind: str) -> Period:
    """The quarter, half or fiscal year of this company that ends on `end`.

    Used when a report states only "for the period ended 30 June 2022": the label it gets is the
    one the company itself would print (Lynas 'Q4 FY22', MP 'Q2 2024').
    """
    if kind not in ("quarter", "half", "fiscal_year"):
        raise PeriodError(f"cannot derive a {kind} from an end date")
    fiscal_year = end.year if end.month <= fiscal.month else end.year + 1
    if fiscal.named_by == "start" and not fiscal.is_calendar_year:
        fiscal_year -= 1
    fy_start, fy_end = fiscal_year_bounds(fiscal_year, fiscal)
    if kind == "fiscal_year":
        candidates = [(0, fy_start, fy_end)]
    else:
        months = 3 if kind == "quarter" else 6
        count = 12 // months
        candidates = [
            (index, *_sub_period(fiscal_year, fiscal, index, months))
            for index in range(1, count + 1)
        ]
    for index, _start, last in candidates:
        if last == end:
            # Re-parse the label so that a derived period equals the one typed in a register.
            return parse_period(_format_label(kind, index, fiscal_year, fiscal), fiscal)
    raise PeriodError(
        f"{end.isoformat()} does not end a {kind} of a year ending "
        f"{fiscal.month:02d}-{fiscal.day:02d}"
    )


def _format_label(kind: str, index: int, fiscal_year: int, fiscal: FiscalCalendar) -> str:
    if fiscal.is_calendar_year:
        return {"fiscal_year": f"{fiscal_year}", "quarter": f"Q{index} {fiscal_year}"}.get(
            kind, f"H{index} {fiscal_year}"
        )
    short = f"FY{fiscal_year % 100:02d}"
    return {"fiscal_year": f"FY{fiscal_year}", "quarter": f"Q{index} {short}"}.get(
        kind, f"H{index} {short}"
    )


def parse_printed_date(text: str) -> date:
    """'30 June 2022', 'June 30, 2022', 'Sept 30, 2023', '2022-06-30' -> date."""
    cleaned = " ".join(str(text).replace(",", " ").split())
    if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", cleaned):
        return _checked_date(int(match[1]), int(match[2]), int(match[3]), text)
    if match := re.fullmatch(r"(\d{1,2}) ([A-Za-z]+)\.? (\d{4})", cleaned):
        day, month_name, year = match.groups()
    elif match := re.fullmatch(r"([A-Za-z]+)\.? (\d{1,2}) (\d{4})", cleaned):
        month_name, day, year = match.groups()
    else:
        raise PeriodError(f"date {text!r} is not like '30 June 2022' or 'June 30, 2022'")
    month = _MONTHS.get(month_name.lower())
    if month is None:
        raise PeriodError(f"date {text!r}: {month_name!r} is not a month")
    return _checked_date(int(year), month, int(day), text)


def _checked_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise PeriodError(f"date {text!r} does not exist: {exc}") from None
