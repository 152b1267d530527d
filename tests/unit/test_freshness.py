"""Source freshness: the data date of a landed file, the verdict per source, the catalog."""

from datetime import date

import pytest

from ingest.catalog import SOURCE_KINDS
from ingest.freshness import LANDED, VINTAGE, assess, catalog_freshness, vintage_date
from ingest.landing import land_bytes


@pytest.mark.parametrize(
    ("vintage", "expected"),
    [
        ("2025-06-30", date(2025, 6, 30)),
        ("2025-06-30T10:00:00", date(2025, 6, 30)),
        ("2025-06", date(2025, 6, 1)),
        ("2024", date(2024, 1, 1)),
        ("MCS2026", date(2026, 1, 1)),
        ("FY2024", date(2024, 1, 1)),
        ("sample", None),
        ("", None),
        (None, None),
        ("2025-13", None),
        ("12345", None),
    ],
)
def test_vintage_labels_read_as_the_start_of_their_period(vintage, expected):
    assert vintage_date(vintage) == expected


def test_a_source_is_stale_only_past_its_allowed_age():
    files = [(None, "2025-01-10T08:00:00+00:00")]
    fresh = assess("usgs_mcs", 400, files, today=date(2026, 2, 14))  # 400 days later
    stale = assess("usgs_mcs", 400, files, today=date(2026, 2, 15))
    assert (fresh.age_days, fresh.stale, fresh.basis) == (400, False, LANDED)
    assert (stale.age_days, stale.stale) == (401, True)
    assert "STALE" in stale.describe() and "fresh" in fresh.describe()


def test_the_stated_vintage_wins_over_the_landing_date_and_the_newest_file_counts():
    today = date(2026, 11, 24)
    old = assess("comtrade_bulk", 400, [("2019-06-30", "2026-11-24T00:00:00+00:00")], today)
    assert (old.newest, old.basis, old.stale) == (date(2019, 6, 30), VINTAGE, True)
    newer = assess("comtrade_bulk", 400, [("2019-06-30", "2026-11-24T00:00:00+00:00"),
                                           ("2026-06", "2026-11-24T00:00:00+00:00")], today)
    assert (newer.newest, newer.files, newer.stale) == (date(2026, 6, 1), 2, False)


def test_nothing_landed_is_absent_not_stale():
    report = assess("customs_jpn", 62, [], today=date(2026, 1, 1))
    assert not report.stale and report.newest is None and report.describe() == "no data landed"


def test_no_limit_is_never_stale():
    report = assess("x", None, [("1990", "1990-01-01T00:00:00")], today=date(2026, 1, 1))
    assert not report.stale and "no limit" in report.describe()


def test_every_source_kind_declares_its_allowed_age():
    assert all(kind.max_age_days and kind.max_age_days > 0 for kind in SOURCE_KINDS.values())


def test_catalog_freshness_reads_the_landing_manifest(reeflow_env):
    land_bytes(b"typeCode,period\nC,2019\n", source="comtrade_bulk", name="old.csv",
               vintage="2019-06-30")
    land_bytes(b"x", source="usgs_mcs", name="mcs.csv")  # landed today, no vintage
    reports = catalog_freshness(today=date(2026, 11, 24))
    assert set(reports) == set(SOURCE_KINDS)
    assert reports["comtrade_bulk"].stale and reports["comtrade_bulk"].newest == date(2019, 6, 30)
    assert not reports["usgs_mcs"].stale and reports["usgs_mcs"].basis == LANDED
    assert reports["customs_jpn"].files == 0 and not reports["customs_jpn"].stale
