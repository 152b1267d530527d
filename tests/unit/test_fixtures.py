"""tests/fixtures/ is what its READMEs say: whole copies byte-equal to the reference files,
excerpts made of the originals' own lines in their order, every file checked."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, fixture_file, reference_file

WHOLE_COPIES = [
    ("usgs-mcs2024-raree", "mcs2024-raree_world.csv"),
    ("comtrade-api", "data_v1_get_C_A_HS__reporter156_period2010_TOTAL.json"),
    ("comtrade-api", "bulk_v1_get_C_A_HS__empty_response.json"),
    ("comtrade-api", "bulk_v1_get_C_A_HS__listing_sample.json"),
    ("comtrade-api", "reference_TradeDataItems.json"),
    ("comtrade-us-imports-rare-earths", "fct_concentration_rare_earths.csv"),
]
LINE_EXCERPTS = [
    ("usgs-mcs2025-raree-transcription", "mcs2025-rare-earths.marker.md"),
    ("company-disclosures-rare-earth-intel", "company_kpis_latest.csv"),
]


def test_every_fixture_is_checked_and_every_folder_says_where_it_came_from():
    files = {path.relative_to(FIXTURES).parts for path in FIXTURES.rglob("*") if path.is_file()}
    data = {parts for parts in files if parts[-1] not in ("README.md", ".gitattributes")}
    assert data == set(WHOLE_COPIES) | set(LINE_EXCERPTS)
    assert {(folder, "README.md") for folder, _ in data} <= files


@pytest.mark.reference_data
@pytest.mark.parametrize("parts", WHOLE_COPIES, ids="/".join)
def test_whole_copies_are_byte_equal_to_the_reference_file(parts):
    assert fixture_file(*parts).read_bytes() == reference_file(*parts).read_bytes()


@pytest.mark.reference_data
@pytest.mark.parametrize("parts", LINE_EXCERPTS, ids="/".join)
def test_excerpts_are_lines_of_the_reference_file_in_order(parts):
    original = iter(reference_file(*parts).read_bytes().splitlines())
    excerpt = fixture_file(*parts).read_bytes().splitlines()
    missing = [line for line in excerpt if line not in original]  # `in` walks on: keeps order
    assert missing == [] and len(excerpt) > 1
