"""The registers beside the published figures: USGS MCS prices, producers' realized prices and the
diversification projects. The embedded files parse whole; a bad row is quarantined with its key
and reason; the staged suites catch what only several rows show."""

from __future__ import annotations

import csv
import io

import pytest

from expectations.registry import staged_guards
from expectations.severity import ERROR, WARN
from ingest import settings
from ingest.landing import land_bytes, land_file
from ingest.sources import company_prices, diversification, prices

EMBEDDED = {
    prices: "prices/usgs_mcs_prices.csv",
    company_prices: "company_metrics/realized_prices.csv",
    diversification: "diversification/projects.csv",
}


def _embedded_rows(module) -> list[dict[str, str]]:
    with open(settings.EMBEDDED_DIR / EMBEDDED[module], encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _parse(tmp_path, module, rows: list[dict[str, str]]):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=module.REQUIRED, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    entry, _ = land_bytes(buffer.getvalue().encode(), source=module.SOURCE, name="x.csv", landing_dir=tmp_path)
    return module.parse(entry)


def _reasons(result) -> dict[int, str]:
    return {row.row_number: row.reason for row in result.quarantined}


@pytest.mark.parametrize("module", list(EMBEDDED), ids=lambda module: module.SOURCE)
def test_embedded_registers_parse_whole(tmp_path, module):
    entry, _ = land_file(settings.EMBEDDED_DIR / EMBEDDED[module], source=module.SOURCE, landing_dir=tmp_path)
    result = module.parse(entry)
    assert result.quarantined == [], [row.message() for row in result.quarantined]
    assert len(result.rows) == len(_embedded_rows(module))


def test_bad_prices_are_quarantined_with_their_key(tmp_path):
    good = _embedded_rows(prices)[0]  # MCS2025, 2020, cerium oxide, 2 USD/kg
    result = _parse(tmp_path, prices, [
        good,
        {**good, "year": "2021", "value": "0"},
        {**good, "year": "2025"},  # MCS2025 prints 2020-2024
        {**good, "year": "2022", "unit": "USD_per_t"},
        {**good, "year": "2023", "table_or_page": ""},
        {**good, "year": "2024", "product": "cerium"},
        {**good},  # the same edition, year and product twice
    ])
    assert len(result.rows) == 1
    reasons = _reasons(result)
    assert reasons[3].startswith("MCS2025/2021/ce_oxide: value 0.0 is not a price above zero")
    assert "year '2025' is not a year in 1950..2024" in reasons[4]
    assert "unit 'USD_per_t' not in" in reasons[5]
    assert "no locator" in reasons[6]
    assert "product 'cerium' is not an oxide" in reasons[7]
    assert "repeats line 2" in reasons[8]


def test_company_prices_convert_per_tonne_but_never_currencies(tmp_path):
    rows = {(row["company"], row["period"], row["product_basis"]): row for row in _embedded_rows(company_prices)}
    mp = rows[("mp_materials", "2024", "concentrate_reo")]  # 4,414 USD per t REO
    lynas = rows[("lynas", "FY2024", "total_reo")]  # 38.1 A$ per kg REO, July 2023 - June 2024
    result = _parse(tmp_path, company_prices, [
        mp, lynas,
        {**mp, "period": "2023", "facility": "mt_weld"},
        {**mp, "period": "2022", "unit": "USD per lb"},
        {**mp, "period": "2021", "page": "", "printed_page": ""},
    ])
    staged = result.rows.set_index("company_id")
    assert staged.loc["mp_materials", "price_per_kg"] == pytest.approx(4.414)
    assert staged.loc["mp_materials", "currency"] == "USD"
    assert (staged.loc["lynas", "price_per_kg"], staged.loc["lynas", "currency"]) == (38.1, "AUD")
    assert str(staged.loc["lynas", "period_start"]) == "2023-07-01"
    reasons = _reasons(result)
    assert "facility 'mt_weld' is not one of mp_materials's" in reasons[4]
    assert "unit 'USD per lb' not in" in reasons[5]
    assert "no locator" in reasons[6]


def test_projects_keep_numbers_as_printed_and_refuse_unflagged_bounds(tmp_path):
    rows = {row["project_id"]: row for row in _embedded_rows(diversification)}
    caremag = rows["caremag"]  # 'could supply a fifth', EUR 110 million
    result = _parse(tmp_path, diversification, [
        caremag,
        {**caremag, "source_publication": "A", "is_estimate": "false"},  # a potential not flagged
        {**caremag, "source_publication": "B", "stage": "smelting"},
        {**caremag, "source_publication": "C", "source_locator": ""},
        {**caremag, "source_publication": "D", "capacity_value": "", "capacity_qualifier": "potential",
         "capacity_unit": "", "capacity_basis": ""},
        {**caremag, "source_publication": "E", "investment_currency": "GBP"},
        {**caremag, "source_publication": "F", "country_iso3": "FRA;ZZZ"},
    ])
    [kept] = result.rows.to_dict("records")
    assert (kept["capacity_value"], kept["capacity_qualifier"]) == (20, "potential")
    assert (kept["investment_value"], kept["investment_currency"]) == (110_000_000, "EUR")
    reasons = _reasons(result)
    assert "printed as ['potential'] with is_estimate false" in reasons[3]
    assert "stage ['smelting'] not in" in reasons[4]
    assert "no locator" in reasons[5]
    assert "['capacity_qualifier'] filled but capacity_value is empty" in reasons[6]
    assert "investment_currency 'GBP' not in" in reasons[7]
    assert "'ZZZ' is not an ISO3 code" in reasons[8]


def test_a_projects_register_typed_before_is_operating_still_loads_as_not_said(tmp_path):
    rows = _embedded_rows(diversification)
    columns = [name for name in diversification.REQUIRED if name != "is_operating"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    entry, _ = land_bytes(buffer.getvalue().encode(), source=diversification.SOURCE, name="old.csv",
                          landing_dir=tmp_path)
    result = diversification.parse(entry)
    assert result.quarantined == [] and len(result.rows) == len(rows)
    assert result.rows["is_operating"].isna().all()
    bad = _parse(tmp_path, diversification, [{**rows[0], "is_operating": "yes"}])
    assert "is_operating 'yes' is not true/false" in bad.quarantined[0].reason


def _failures(dataset: str, frame) -> dict[str, str]:
    return {outcome.expectation: outcome.severity for outcome in staged_guards()[dataset].validate(frame)
            if not outcome.passed}


def test_staged_suites_catch_what_only_several_rows_show(tmp_path):
    def staged(module):
        entry, _ = land_file(settings.EMBEDDED_DIR / EMBEDDED[module], source=module.SOURCE, landing_dir=tmp_path)
        return module.parse(entry).rows

    usgs = staged(prices)
    assert _failures("usgs_prices", usgs) == {}
    fused = usgs.copy()
    tb_2022 = (fused.edition == "MCS2025") & (fused["product"] == "tb_oxide") & (fused.year == 2022)
    fused.loc[tb_2022, "value"] = 62_051.0  # footnote 6 fused into 2,051
    assert _failures("usgs_prices", fused) == {
        "expect_column_values_to_be_between(value, min=0, max=20000)": ERROR,
        "expect_column_values_to_be_between(yoy_factor, max=5)": WARN,
    }
    company = staged(company_prices)
    assert _failures("company_prices", company) == {}
    per_tonne = company.copy()
    per_tonne.loc[(per_tonne.company_id == "mp_materials") & (per_tonne.period_label == "2024")
                  & (per_tonne.product_basis == "concentrate_reo"), "price_per_kg"] = 4414.0
    assert set(_failures("company_prices", per_tonne).values()) == {ERROR, WARN}
    projects = staged(diversification)
    assert _failures("diversification_projects", projects) == {}
    mixed_up = projects.copy()
    mixed_up.loc[mixed_up.project_id == "minamitori_seabed_mud", "stage"] = ["mining", "magnets"]
    assert _failures("diversification_projects", mixed_up) == {
        "expect_column_values_to_be_between(stages_in_common, min=1)": ERROR}
