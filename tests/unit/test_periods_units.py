"""Fiscal calendars and printed units: the pure functions every disclosure row goes through."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.parsing.periods import (
    FiscalCalendar,
    PeriodError,
    parse_period,
    parse_printed_date,
    period_ending,
)
from ingest.parsing.units import POUND_T, UnitError, parse_printed_number, parse_unit, to_tonnes

LYNAS = FiscalCalendar.parse("06-30")  # Lynas' year ends 30 June
MP = FiscalCalendar.parse("12-31")  # MP Materials reports on the calendar year
JAPAN = FiscalCalendar(3, 31, named_by="start")  # Japanese FY2024 = April 2024 .. March 2025


@pytest.mark.parametrize(
    ("label", "fiscal", "start", "end", "kind"),
    [
        ("FY2024", LYNAS, date(2023, 7, 1), date(2024, 6, 30), "fiscal_year"),
        ("FY24", LYNAS, date(2023, 7, 1), date(2024, 6, 30), "fiscal_year"),
        ("FY2023-24", LYNAS, date(2023, 7, 1), date(2024, 6, 30), "fiscal_year"),
        ("Q3 FY25", LYNAS, date(2025, 1, 1), date(2025, 3, 31), "quarter"),
        ("Q1 FY25", LYNAS, date(2024, 7, 1), date(2024, 9, 30), "quarter"),
        ("3Q FY22", LYNAS, date(2022, 1, 1), date(2022, 3, 31), "quarter"),
        ("H1 FY24", LYNAS, date(2023, 7, 1), date(2023, 12, 31), "half"),
        ("H2 FY24", LYNAS, date(2024, 1, 1), date(2024, 6, 30), "half"),
        # A bare four-digit year or quarter is the calendar's, whatever the fiscal year.
        ("2024", LYNAS, date(2024, 1, 1), date(2024, 12, 31), "calendar_year"),
        ("Q2 2024", LYNAS, date(2024, 4, 1), date(2024, 6, 30), "quarter"),
        ("2024", MP, date(2024, 1, 1), date(2024, 12, 31), "calendar_year"),
        ("Q2 2024", MP, date(2024, 4, 1), date(2024, 6, 30), "quarter"),
        ("FY2024", MP, date(2024, 1, 1), date(2024, 12, 31), "fiscal_year"),
        ("FY2024", JAPAN, date(2024, 4, 1), date(2025, 3, 31), "fiscal_year"),
        ("Q1 FY2024", JAPAN, date(2024, 4, 1), date(2024, 6, 30), "quarter"),
    ],
)
def test_period_labels_use_the_company_fiscal_calendar(label, fiscal, start, end, kind):
    period = parse_period(label, fiscal)
    assert (period.start, period.end, period.kind, period.label) == (start, end, kind, label)


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("Q5 FY25", "a year has 4 quarters, not 5"),
        ("H3 2024", "a year has 2 halves, not 3"),
        ("FY1850", "before 1950"),
        ("Q2 24", "two-digit year needs FY"),
        ("24", "two-digit year needs FY"),
        ("FY2023-25", "not two consecutive years"),
        ("FY24Q3", "is not one of"),
        ("", "empty"),
    ],
)
def test_impossible_or_unreadable_periods_are_refused(label, message):
    with pytest.raises(PeriodError, match=message):
        parse_period(label, LYNAS)


def test_fiscal_year_end_must_be_a_month_end():
    with pytest.raises(PeriodError, match="not a month end"):
        FiscalCalendar(6, 15)
    with pytest.raises(PeriodError, match="MM-DD"):
        FiscalCalendar.parse("June 30")


@pytest.mark.parametrize(
    ("end", "fiscal", "kind", "label"),
    [
        (date(2022, 6, 30), LYNAS, "quarter", "Q4 FY22"),
        (date(2024, 9, 30), LYNAS, "quarter", "Q1 FY25"),
        (date(2024, 6, 30), LYNAS, "fiscal_year", "FY2024"),
        (date(2023, 12, 31), LYNAS, "half", "H1 FY24"),
        (date(2023, 9, 30), MP, "quarter", "Q3 2023"),
        (date(2024, 12, 31), MP, "fiscal_year", "2024"),
        (date(2024, 6, 30), JAPAN, "quarter", "Q1 FY24"),
    ],
)
def test_period_ending_gives_the_label_the_company_prints(end, fiscal, kind, label):
    period = period_ending(end, fiscal, kind)
    assert period.label == label
    assert period.end == end
    assert period == parse_period(label, fiscal)  # derived and typed labels agree


def test_period_ending_refuses_a_date_that_ends_no_period():
    with pytest.raises(PeriodError, match="does not end a quarter"):
        period_ending(date(2024, 8, 31), LYNAS, "quarter")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 June 2022", date(2022, 6, 30)),
        ("18 July 2022", date(2022, 7, 18)),
        ("September 30, 2023", date(2023, 9, 30)),
        ("Feb. 20, 2025", date(2025, 2, 20)),
        ("Sept 30, 2023", date(2023, 9, 30)),
        ("2024-10-30", date(2024, 10, 30)),
    ],
)
def test_printed_dates(text, expected):
    assert parse_printed_date(text) == expected


@pytest.mark.parametrize("text", ["31 June 2022", "30 Juin 2022", "06/30/2022"])
def test_unreadable_or_impossible_dates_are_refused(text):
    with pytest.raises(PeriodError):
        parse_printed_date(text)


# --- units ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "value", "tonnes"),
    [
        ("t", 10_908, 10_908),
        ("tonnes", 10_908, 10_908),
        ("metric tons", 45_455, 45_455),
        ("MTs", 45_455, 45_455),
        ("kt", 10.908, 10_908),
        ("kg", 2_500, 2.5),
        ("lb", 1_000_000, 453.59237),
        ("Mt", 1.5, 1_500_000),
    ],
)
def test_units_convert_to_metric_tonnes(printed, value, tonnes):
    assert to_tonnes(value, printed) == pytest.approx(tonnes, rel=1e-12)


def test_pound_is_the_international_avoirdupois_pound():
    assert pytest.approx(0.00045359237, rel=0, abs=1e-18) == POUND_T


@pytest.mark.parametrize(
    "printed", ["t REO", "tonnes REO", "REOt", "(REOt)", "REO t", "t_REO", "TREO t"]
)
def test_reo_spellings_are_recognised(printed):
    unit = parse_unit(printed)
    assert unit.is_reo and unit.tonnes_per_unit == 1.0 and not unit.per_year


def test_plain_tonnes_do_not_claim_reo():
    assert not parse_unit("t").is_reo


@pytest.mark.parametrize(
    ("printed", "factor"), [("tpa", 1.0), ("ktpa", 1e3), ("t/yr", 1.0), ("kt per annum", 1e3)]
)
def test_rates_are_marked_per_year(printed, factor):
    unit = parse_unit(printed)
    assert unit.per_year and unit.tonnes_per_unit == factor


def test_percent_is_a_share_not_a_mass():
    unit = parse_unit("percent")
    assert unit.is_share and unit.tonnes_per_unit is None
    with pytest.raises(UnitError, match="share"):
        to_tonnes(65, unit)


@pytest.mark.parametrize(
    ("printed", "message"),
    [
        ("tons", "short ton"),
        ("mt", "megatonnes"),
        ("bags", "cannot be converted"),
        ("", "empty"),
    ],
)
def test_unknown_or_ambiguous_units_are_refused(printed, message):
    with pytest.raises(UnitError, match=message):
        parse_unit(printed)


@pytest.mark.parametrize(
    ("text", "value"), [("10,908", 10908.0), ("10908", 10908.0), ("1 294", 1294.0), ("15.7", 15.7)]
)
def test_printed_numbers(text, value):
    assert parse_printed_number(text) == value


@pytest.mark.parametrize("text", ["n/a", "1O,908", "12e3", "-5", "", "10,90"])
def test_unreadable_numbers_are_refused(text):
    with pytest.raises(UnitError):
        parse_printed_number(text)
