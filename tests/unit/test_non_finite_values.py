"""Numbers that are not figures (issue 14, item 6): "nan", "inf" and absurd magnitudes read as
floats by Python and DuckDB; every parser quarantines the row with the reason instead of staging
it (NaN would become a NULL, "not available"; infinity passes every range without an upper
bound). The disclosure register's cases are in test_disclosures_register.py."""

from __future__ import annotations

import math

import pytest

from ingest.landing import LandedFile
from ingest.sources import published_figures, usgs_mcs
from ingest.sources.comtrade import parse_comtrade_bulk, parse_comtrade_json
from ingest.sources.customs import load_mapping, parse_customs_csv
from tests.builders import api_answer, bulk_text, japan_header, japan_line, record
from tests.inputs import JAPAN_FIGURES, USGS_2025

NOT_FINITE = ["nan", "NaN", "inf", "-Infinity"]
ABSURD = ["1e308", "1e309"]


def _replace_cell(text: str, line: int, old: str, new: str) -> str:
    lines = text.splitlines()
    assert old in lines[line], lines[line]
    lines[line] = lines[line].replace(old, new, 1)
    return "\n".join(lines) + "\n"


def _fault(value: str) -> str:
    """What the reason must say: 1e309 overflows to infinity, 1e308 is finite but absurd."""
    return "not a finite number" if not math.isfinite(float(value)) else "not a plausible figure"


def _reasons(result) -> dict[int, str]:
    return {q.row_number: q.reason for q in result.quarantined}


@pytest.mark.parametrize("value", NOT_FINITE + ABSURD)
def test_usgs_tonnes_that_are_not_figures_are_quarantined(land, value):
    text = USGS_2025.read_text(encoding="utf-8-sig")
    line = next(i for i, row in enumerate(text.splitlines()) if row.split(",")[1] == "Brazil")
    cells = text.splitlines()[line].split(",")
    year_cell = next(i for i, cell in enumerate(cells) if i > 1 and cell.strip().isdigit())
    cells[year_cell] = value
    edited = "\n".join([*text.splitlines()[:line], ",".join(cells),
                        *text.splitlines()[line + 1:]]) + "\n"
    result = usgs_mcs.parse(land(edited, "mcs.csv", source="usgs_mcs"))
    reason = _reasons(result)[line + 1]
    assert "not a tonnage" in reason and _fault(value) in reason
    assert "Brazil" not in set(result.rows["country_name"])


@pytest.mark.parametrize("value, unit, reason", [
    ("nan", "percent", "value 'nan' is not a finite number"),
    ("inf", "t", "value 'inf' is not a finite number"),
    ("1e308", "t", "value 1e+308 is beyond 1e+15: not a plausible figure"),
    ("2e12", "t", "value in t 2e+12 is beyond 1e+09: not a plausible figure"),
    ("40000", "days", "value in days 40000 is beyond 36525: not a plausible figure"),
])
def test_published_figures_that_are_not_figures_are_quarantined(land, value, unit, reason):
    text = JAPAN_FIGURES.read_text(encoding="utf-8")
    edited = _replace_cell(text, 1, ",85,percent,", f",{value},{unit},")
    result = published_figures.parse(land(edited, "japan.csv", source="published_aggregate"))
    assert _reasons(result)[2] == f"jp_imports_chn_2009: {reason}"
    assert "jp_imports_chn_2009" not in set(result.rows["figure_id"])


@pytest.mark.parametrize("value", ["nan", "inf", "1e300"])
def test_customs_quantities_that_are_not_figures_are_quarantined(land, value):
    lines = [japan_line("2", "284690000", "105", "", "KG", {1: ("0", value, "45000")}),
             japan_line("2", "284610000", "113", "", "KG", {1: ("0", "500", "2000")})]
    text = "\n".join(",".join(cells) for cells in [japan_header(), *lines]) + "\n"
    result = parse_customs_csv(land(text, "d_imp.csv", source="customs_jpn"),
                               load_mapping("jpn_customs"))
    assert _fault(value) in _reasons(result)[2]
    assert list(result.rows["national_code"]) == ["284610000"]


def _comtrade(parse, content: bytes, land) -> dict[int, str]:
    landed: LandedFile = land(content, "answer", source="comtrade_bulk")
    return _reasons(parse(landed))


@pytest.mark.parametrize("field", ["netWgt", "primaryValue", "qty"])
@pytest.mark.parametrize("value", NOT_FINITE + ABSURD)
def test_comtrade_measures_that_are_not_figures_are_quarantined_in_answers_and_bulk(
    land, field, value
):
    records = [record(), record(partner=276, **{field: value})]
    for parse, content in ((parse_comtrade_json, api_answer(records)),
                           (parse_comtrade_bulk, bulk_text(records).encode())):
        reasons = _comtrade(parse, content, land)
        assert list(reasons) == [2], (parse.__name__, reasons)
        expected = ("is not a finite number" if _fault(value) == "not a finite number"
                    else "is beyond 1e+15: not a plausible figure")
        assert reasons[2] == f"{field} '{value}' {expected}"
