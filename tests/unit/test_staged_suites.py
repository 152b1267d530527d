"""The staged-dataset suites (expectations/staged/) over real staged Parquet and over frames
with one defect each: every rule must pass the embedded data and catch its defect."""

from __future__ import annotations

import pandas as pd
import pytest

from expectations.reference import dbt_var
from expectations.registry import MART, STAGED, mart_guards, staged_guards
from expectations.severity import ERROR, WARN
from ingest.catalog import SOURCE_KINDS, kinds_by_dataset, land_defaults, read_dataset, stage
from ingest.reference.countries import stage_countries
from ingest.staging import ensure_dataset

STAGED_DATASETS = {*kinds_by_dataset(), "countries"}


def failures(dataset: str, frame: pd.DataFrame) -> dict[str, tuple[str, int, str]]:
    """Failed expectations: description -> (severity, unexpected count, sample)."""
    outcomes = staged_guards()[dataset].validate(frame)
    return {o.expectation: (o.severity, o.unexpected_count, o.sample) for o in outcomes if not o.passed}


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """Every embedded default landed and staged in a temporary data folder."""
    root = tmp_path_factory.mktemp("staged")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REEFLOW_DATA_DIR", str(root / "data"))
        for kind in SOURCE_KINDS.values():
            land_defaults(kind)
            stage(kind)
        stage_countries()
        yield {dataset: read_dataset(dataset) for dataset in STAGED_DATASETS}


def test_every_staged_dataset_has_exactly_one_suite():
    assert set(staged_guards()) == STAGED_DATASETS
    assert {guard.layer for guard in staged_guards().values()} == {STAGED}
    assert {guard.layer for guard in mart_guards().values()} == {MART}
    assert "mart_stage_concentration" in mart_guards()


@pytest.mark.parametrize("dataset", sorted(STAGED_DATASETS - {"countries"}))
def test_a_dataset_with_no_input_passes(reeflow_env, dataset):
    (kind, *_) = kinds_by_dataset()[dataset]
    ensure_dataset(dataset, kind.schema)  # what a run leaves when nothing has landed
    frame = read_dataset(dataset)
    assert frame.empty and list(frame.columns) == kind.schema.names
    assert failures(dataset, frame) == {}


def test_the_country_reference_may_not_be_empty(reeflow_env):
    from ingest.reference.countries import COUNTRY_SCHEMA

    ensure_dataset("countries", COUNTRY_SCHEMA)
    failed = failures("countries", read_dataset("countries"))
    assert [severity for severity, _, _ in failed.values()] == [ERROR] * len(failed)
    assert any("row_count" in name for name in failed)


@pytest.mark.parametrize("dataset", sorted(STAGED_DATASETS))
def test_embedded_data_passes_every_error_expectation(embedded, dataset):
    errors = {name: f for name, f in failures(dataset, embedded[dataset]).items() if f[0] == ERROR}
    assert errors == {}


def test_the_embedded_comtrade_us_imports_stage_whole_value_only_with_their_provenance(embedded):
    from ingest.landing import read_manifest

    records = embedded["comtrade_records"]
    [landed] = [entry for entry in read_manifest(source="comtrade_bulk")
                if entry.original_name.startswith("us_imports")]
    assert len(records) == 786 and set(records["file_id"]) == {landed.file_id}
    assert records["primary_value_usd"].notna().all() and records["net_wgt_kg"].isna().all()
    assert set(records["reporter_code"]) == {842} and set(records["flow_code"]) == {"M"}
    assert "UN Comtrade" in landed.request["data"] and "72a6515c" in landed.request["retrieved_via"]


def test_countries_carry_plain_iso2_codes(embedded):
    countries = embedded["countries"].set_index("iso3")
    # country_converter stores "^GB$|^UK$" for the United Kingdom; the staged table must not.
    assert countries.loc["GBR", "iso2"] == "GB" and countries.loc["GRC", "iso2"] == "GR"


def test_year_on_year_jumps_are_warned_with_where_they_are(embedded):
    failed = failures("usgs_mine_production", embedded["usgs_mine_production"])
    (jump,) = [f for name, f in failed.items() if "yoy_factor" in name]
    severity, count, sample = jump
    # MCS2023 printed Vietnam 2022 at 4,300 t after 400 t (revised to 1,200 t in MCS2024) and
    # Madagascar at 960 t after 6,800 t; Brazil's 140 t -> 20 t is below the floor.
    assert (severity, count) == (WARN, 2)
    assert "'VNM'" in sample and "'MDG'" in sample and "MCS2023" in sample
    assert "BRA" not in sample


def _edition(rows: list[tuple[str, float]], edition: str = "MCS2030") -> pd.DataFrame:
    year = int(edition[3:]) - 1
    return pd.DataFrame(
        [
            {"file_id": "f", "row_number": n, "edition": edition, "edition_year": year + 1,
             "country_name": iso3, "country_iso3": iso3, "is_world_total": iso3 == "WLD",
             "year": year, "production_t_reo": tonnes, "is_estimate": True,
             "reserves_t_reo": None, "production_notes": None, "citation": "c"}
            for n, (iso3, tonnes) in enumerate(rows, start=2)
        ]
    )


def test_countries_above_the_world_total_beyond_the_dbt_tolerance_are_an_error(embedded):
    tolerance = dbt_var("world_total_tolerance_pct")
    within = _edition([("CHN", 300_000), ("AUS", 100_000 * (1 + tolerance / 100) - 1),
                       ("WLD", 400_000)])
    assert failures("usgs_mine_production", within) == {}
    beyond = _edition([("CHN", 300_000), ("AUS", 120_000), ("WLD", 400_000)])
    failed = failures("usgs_mine_production", beyond)
    (over,) = [f for name, f in failed.items() if "countries_pct_of_world" in name]
    assert over[0] == ERROR and "'MCS2030'" in over[2] and "105" in over[2]


def test_an_edition_without_or_with_two_world_totals_is_an_error(embedded):
    no_total = _edition([("CHN", 300_000), ("AUS", 100_000)])
    twice = pd.concat([_edition([("CHN", 300_000), ("WLD", 300_000)])] * 2)
    for frame in (no_total, twice):
        failed = failures("usgs_mine_production", frame)
        assert any("world_rows_in_edition_year" in name and f[0] == ERROR
                   for name, f in failed.items())


def test_a_tenfold_jump_of_a_large_producer_is_flagged(embedded):
    frame = pd.concat([
        _edition([("CHN", 30_000), ("WLD", 30_000)], "MCS2031").assign(year=2029),
        _edition([("CHN", 300_000), ("WLD", 300_000)], "MCS2031"),
    ])
    failed = failures("usgs_mine_production", frame)
    assert [f[0] for name, f in failed.items() if "yoy_factor" in name] == [WARN]


def _figure(**changes) -> dict:
    row = {"file_id": "f", "row_number": 2, "figure_id": "x", "topic": "import_share",
           "metric": "import_share_pct", "subject_iso3": "JPN", "partner_iso3": "CHN",
           "year": 2020, "period_label": "2020", "element": "REO", "stage": "all", "value": 60.0,
           "unit": "percent", "definition": "d", "publication": "p", "table_or_page": None,
           "edition": "2020", "is_estimate": False, "is_illustrative": False,
           "confidence": "high", "notes": None, "value_qualifier": "exact", "value_high": None,
           "basis": "pct_basis_not_stated"}
    return {**row, **changes}


def test_shares_of_one_whole_may_not_add_up_beyond_100(embedded):
    rounded = pd.DataFrame([_figure(figure_id="a", value=50.4), _figure(figure_id="b", partner_iso3="AUS", value=50.4)])
    assert failures("published_figures", rounded) == {}  # 100.8 % is rounding
    too_much = pd.DataFrame([_figure(figure_id="a", value=70), _figure(figure_id="b", partner_iso3="AUS", value=45)])
    failed = failures("published_figures", too_much)
    assert [f[0] for name, f in failed.items() if "parts_excess_pct" in name] == [ERROR]
    # A share landed again after a correction replaces the first landing; it is not a part.
    corrected = pd.DataFrame([_figure(figure_id="a", value=70), _figure(figure_id="b", partner_iso3="AUS", value=25),
                              _figure(figure_id="a", value=72, file_id="g")])
    assert failures("published_figures", corrected) == {}
    # The same shares from another publication are another whole.
    elsewhere = pd.DataFrame([_figure(figure_id="a", value=70),
                              _figure(figure_id="b", partner_iso3="AUS", value=45, publication="q")])
    assert failures("published_figures", elsewhere) == {}


def test_published_figures_outside_the_reference_model_are_errors(embedded):
    frame = pd.DataFrame([_figure(stage="smelting"), _figure(figure_id="y", element="Nd;Xx", unit="percent")])
    failed = failures("published_figures", frame)
    assert failed["expect_column_values_to_be_in_set(stage)"][0] == ERROR
    assert failed["expect_column_values_to_match_regex(element)"][0] == ERROR


def test_ndpr_above_the_reo_it_is_part_of_is_an_error(embedded):
    good = embedded["company_disclosures"]
    lynas = good[(good.company_id == "lynas") & (good.period_label == "FY2024")
                 & (good.metric == "production")].copy()
    assert failures("company_disclosures", lynas) == {}
    lynas.loc[lynas.product_basis == "ndpr_oxide", "quantity_t"] = 20_000.0  # > 10,908 t REO
    failed = failures("company_disclosures", lynas)
    assert failed["expect_column_values_to_be_between(ndpr_pct_of_reo, min=0, max=100)"][0] == ERROR


def test_offtake_shares_above_100_are_an_error(embedded):
    offtake = embedded["company_disclosures"]
    offtake = offtake[offtake.metric == "offtake"]
    doubled = pd.concat([offtake, offtake.assign(destination_iso3="USA", row_number=99)])
    failed = failures("company_disclosures", doubled)  # 65 % + 65 % of the same product
    assert failed["expect_column_values_to_be_between(offtake_excess_pct, max=0)"][0] == ERROR


def test_comtrade_unknown_flow_is_an_error_and_gross_below_net_a_warning(reeflow_env):
    (kind, *_) = kinds_by_dataset()["comtrade_records"]
    record = {name: None for name in kind.schema.names}
    record.update(file_id="f", record_number=1, flow_code="M", cmd_code="284690",
                  classification_code="H5", ref_year=2022, ref_month=52, reporter_code=392,
                  partner_code=156, net_wgt_kg=1000.0, gross_wgt_kg=900.0,
                  primary_value_usd=5.0)
    frame = pd.DataFrame([record, {**record, "record_number": 2, "flow_code": "Z"}])
    failed = failures("comtrade_records", frame)
    assert failed["expect_column_values_to_be_in_set(flow_code)"][:2] == (ERROR, 1)
    assert failed["expect_column_pair_values_a_to_be_greater_than_b(gross_wgt_kg, net_wgt_kg)"][0] == WARN


def test_customs_element_outside_the_seed_is_an_error(reeflow_env):
    (kind, *_) = kinds_by_dataset()["customs_records"]
    record = {"file_id": "f", "record_number": 2, "mapping_name": "jpn_customs",
              "reporter_iso3": "JPN", "partner_iso3": "CHN", "partner_code_national": "105",
              "flow_code": "M", "period": "202401", "national_code": "280530011",
              "hs6": "280530", "element_symbol": "Nd", "quantity_kg": 10.0,
              "value_national": 1000.0, "currency": "JPY", "value_usd": None}
    assert set(record) == set(kind.schema.names)
    assert failures("customs_records", pd.DataFrame([record])) == {}
    failed = failures("customs_records", pd.DataFrame([{**record, "element_symbol": "Nx"}]))
    assert failed["expect_column_values_to_be_in_set(element_symbol)"][:2] == (ERROR, 1)
