import re

import pytest

from ingest import settings
from ingest.contract import FileRejected
from ingest.landing import land_bytes, land_file
from ingest.reference import seeds
from ingest.sources import published_figures
from tests.inputs import REGISTER_HEADER

# The issue-12 columns of an exact figure: qualifier, value_high, basis, method, date, url,
# attributed_to, verified_in.
EXACT_PCT = ",exact,,pct_of_world_output,,2024-06-03,https://example.org/a,IEA,stored copy"


def _figure(figure_id="ok1", value="62", locator="para. 5", qualifier_columns=EXACT_PCT, *,
            unit="percent", year="2023", is_estimate="false", publication="IEA") -> str:
    return (f"{figure_id},stage_share,production_share_pct,CHN,,{year},{year},REO,mining,{value},"
            f"{unit},d,{publication},{locator},2024,{is_estimate},false,high,{qualifier_columns}\n")


def _parse(tmp_path, *rows: str, name: str = "bad.csv"):
    entry, _ = land_bytes((REGISTER_HEADER + "".join(rows)).encode(), source="published_aggregate",
                          name=name, landing_dir=tmp_path)
    return published_figures.parse(entry)


def _embedded_figures(tmp_path) -> dict[str, dict]:
    """The embedded registers' staged rows by figure_id; every row of them must stage."""
    figures = {}
    for path in sorted(settings.EMBEDDED_DIR.glob("published_figures/*.csv")):
        entry, _ = land_file(path, source="published_aggregate", landing_dir=tmp_path)
        result = published_figures.parse(entry)
        assert result.quarantined == [], [q.message() for q in result.quarantined]
        figures.update(result.rows.set_index("figure_id").to_dict("index"))
    return figures


def test_embedded_registers_parse_without_quarantine(tmp_path):
    figures = _embedded_figures(tmp_path)
    assert figures["cn_quota_mining_2024"]["value"] == 270_000
    assert figures["jp_imports_chn_2010"]["value"] == 90
    assert figures["fk_magnets_chn_2021"]["value"] == 84
    # China's 2023 separation quota is the full year of three batches (issue 12, finding 4).
    assert figures["cn_quota_separation_2023"]["value"] == 243_850
    # The qualifiers reach the staged rows: Japan's stockpile days are a target, "up to 65 %"
    # an upper bound, Pudvi's "roughly 60-70 %" a range with both ends.
    assert figures["jp_stockpile_national_days"]["value_qualifier"] == "target"
    assert figures["jp_lynas_dytb_offtake"]["value_qualifier"] == "up_to"
    pudvi = figures["seed_pudvi_jp_dependence_chn_now"]
    assert (pudvi["value"], pudvi["value_high"], pudvi["value_qualifier"]) == (60, 70, "range")
    # The seeds' claims are in: Europe as a region, heavy rare earths as an aggregate, metres.
    assert figures["seed_capwolf_europe_import_reliance"]["subject_iso3"] == "XEU"
    assert figures["seed_kantenna_hree_from_chn"]["element"] == "HREE"
    assert figures["seed_kantenna_minamitori_depth_m"]["unit"] == "m"
    # Every embedded figure cites where it is printed; none is a reeflow derivation.
    assert all(row["table_or_page"] for row in figures.values())
    assert all(row["value_qualifier"] != "derived" for row in figures.values())


def test_bad_rows_are_quarantined_with_line_and_reason(tmp_path):
    result = _parse(
        tmp_path,
        _figure(),
        _figure(),
        _figure("p", value="162"),
        _figure("u").replace(",CHN,", ",XXX,"),
        _figure("s").replace(",mining,", ",smelting,"),
        _figure("c", publication=""),
        _figure("e").replace(",REO,", ",Xx,"),  # the staged suite would stop every run for it
        _figure("l").replace(",REO,", ",Nd;Xx,"),
        _figure("d", value='"12,5"'),  # a decimal comma, not 125
    )
    assert list(result.rows.figure_id) == ["ok1"]
    reasons = {q.row_number: q.reason for q in result.quarantined}
    assert "repeats line 2" in reasons[3]
    assert "out of range" in reasons[4]
    assert "'XXX' is not an ISO3 code" in reasons[5]
    assert "stage 'smelting'" in reasons[6]
    assert "must cite its source" in reasons[7]
    assert "element 'Xx' is not a rare earth of the seed" in reasons[8]
    assert "element 'Nd;Xx'" in reasons[9]
    assert "'12,5' has a comma that is not a thousands separator" in reasons[10]
    assert all(q.file_name == "bad.csv" for q in result.quarantined)


def test_a_figure_without_a_locator_is_quarantined_naming_it(tmp_path):
    result = _parse(tmp_path, _figure("cn_quota_mining_2023_batch2", locator=""), _figure("kept"))
    assert list(result.rows.figure_id) == ["kept"]
    [row] = result.quarantined
    assert row.row_number == 2
    assert row.reason.startswith("cn_quota_mining_2023_batch2: table_or_page is empty: no locator")


def test_qualifiers_are_read_and_checked(tmp_path):
    bound = ",more_than,,pct_of_world_output,printed as 'over 90%',2026-01,,,"
    result = _parse(
        tmp_path,
        _figure("range_ok", value="60", qualifier_columns=",range,70,pct_of_world_output,a printed range,,,,",
                is_estimate="true"),
        _figure("bound_ok", value="90", qualifier_columns=bound, is_estimate="true"),
        _figure("bound_not_estimate", value="90", qualifier_columns=bound),
        _figure("range_backwards", value="70", is_estimate="true",
                qualifier_columns=",range,60,pct_of_world_output,a printed range,,,,"),
        _figure("range_open", value="60", is_estimate="true",
                qualifier_columns=",range,,pct_of_world_output,a printed range,,,,"),
        _figure("high_not_range", qualifier_columns=",exact,70,pct_of_world_output,,,,,"),
        _figure("no_method", is_estimate="true", qualifier_columns=",approximately,,pct_of_world_output,,,,,"),
        _figure("odd_qualifier", qualifier_columns=",roughly,,pct_of_world_output,,,,,"),
        _figure("derived", is_estimate="true", qualifier_columns=",derived,,pct_of_world_output,sum,,,,"),
        _figure("wrong_basis", qualifier_columns=",exact,,t_REO,,,,,"),
        _figure("bad_date", qualifier_columns=",exact,,pct_of_world_output,,2024-13,,,"),
        _figure("bad_url", qualifier_columns=",exact,,pct_of_world_output,,,www.x.org,,"),
        _figure("target_2029", year="2029", is_estimate="true",
                qualifier_columns=",target,,pct_of_world_output,a stated goal,,,,"),
        _figure("exact_2099", year="2099"),
    )
    rows = result.rows.set_index("figure_id")
    assert sorted(rows.index) == ["bound_ok", "range_ok", "target_2029"]
    assert (rows.loc["range_ok", "value"], rows.loc["range_ok", "value_high"]) == (60, 70)
    assert rows.loc["bound_ok", "value_qualifier"] == "more_than"
    assert rows.loc["bound_ok", "publication_date"] == "2026-01"
    reasons = {q.reason.split(":")[0]: q.reason for q in result.quarantined}
    assert "only an exact figure is not an estimate" in reasons["bound_not_estimate"]
    assert "is below value 70.0" in reasons["range_backwards"]
    assert "needs value_high" in reasons["range_open"]
    assert "only for ranges" in reasons["high_not_range"]
    assert "method is empty" in reasons["no_method"]
    assert "value_qualifier 'roughly' not in" in reasons["odd_qualifier"]
    assert "value_qualifier 'derived' not in" in reasons["derived"]
    assert "basis 't_REO' is not a basis for unit percent" in reasons["wrong_basis"]
    assert "publication_date '2024-13'" in reasons["bad_date"]
    assert "not an http(s) address" in reasons["bad_url"]
    assert "year '2099' is not a year" in reasons["exact_2099"]


def test_new_units_are_accepted_with_their_basis(tmp_path):
    result = _parse(
        tmp_path,
        _figure("depth", value="6000", unit="m", is_estimate="true",
                qualifier_columns=",approximately,,m_below_sea_level,printed as about,,,,"),
        _figure("aud", value="1250000000", unit="AUD", qualifier_columns=",exact,,AUD_nominal,,,,,"),
        _figure("eur", value="110000000", unit="EUR", qualifier_columns=",exact,,EUR_nominal,,,,,"),
        _figure("mud", value="350", unit="t_per_day", is_estimate="true",
                qualifier_columns=",up_to,,t_mud_per_day,a plan and an upper bound,,,,"),
        _figure("feet", value="20000", unit="ft", qualifier_columns=",exact,,m_below_sea_level,,,,,"),
    )
    assert sorted(result.rows.figure_id) == ["aud", "depth", "eur", "mud"]
    [feet] = result.quarantined
    assert "unit 'ft' not in" in feet.reason


def test_a_register_without_the_qualifier_columns_is_rejected(tmp_path):
    old_header = ",".join(published_figures.REQUIRED[:19]) + "\n"
    entry, _ = land_bytes((old_header + _figure().split(",exact,")[0] + "\n").encode(),
                          source="published_aggregate", name="old.csv", landing_dir=tmp_path)
    with pytest.raises(FileRejected, match=r"lacks columns .*'value_qualifier'"):
        published_figures.parse(entry)


def test_a_scope_wider_than_the_rare_earths_is_named_not_labelled_reo(tmp_path):
    # Japan's 'rare metals' are a figure's scope of their own; an unknown metal is still refused.
    result = _parse(
        tmp_path,
        _figure("rare_metals").replace(",REO,", ",rare_metals,"),
        _figure("nickel").replace(",REO,", ",nickel,"),
        _figure("mixed").replace(",REO,", ",Nd;rare_metals,"),
    )
    assert list(result.rows.figure_id) == ["rare_metals"]
    assert all("is not a rare earth of the seed" in q.reason for q in result.quarantined)
    assert len(result.quarantined) == 2


def test_no_embedded_figure_about_rare_metals_is_a_rare_earth_figure(tmp_path):
    # METI's 2018 shares of Japan's 'minor metals' imports and Argus's days of Japan's rare-metal
    # stocks (seven metals, none a rare earth) were labelled REO; the shares were read as Japan's
    # rare-earth import shares (mart_import_dependency, first origins).
    figures = _embedded_figures(tmp_path)
    about_rare_metals = {figure_id for figure_id, row in figures.items()
                         if re.search(r"(minor|rare)[- ]metal", row["definition"], re.IGNORECASE)}
    assert {"jp_minor_metals_chn_2018", "ctx_argus_jp_rare_metal_stock_days_total",
            "ctx_argus_jp_rare_metal_stock_days_private"} <= about_rare_metals
    assert {figures[f]["element"] for f in about_rare_metals} == {"rare_metals"}
    # The models read Japan's import shares by metric: these are not among them.
    shares = {f for f in about_rare_metals if figures[f]["topic"] == "import_share"}
    assert {figures[f]["metric"] for f in shares} == {"rare_metals_import_share_pct"}
    metrics = {row["metric"]: row["quantity"] for row in seeds.seed_rows("published_metrics")}
    assert metrics["rare_metals_import_share_pct"] != metrics["import_share_pct"]


def test_a_loan_is_not_compared_with_the_financing_it_is_part_of(tmp_path):
    # The WSJ's $225 million loan is the loan part of the 2011 package Kantenna prints as
    # 'approximately $250 million' (loan and equity): not one quantity in mart_figures_compared.
    figures = _embedded_figures(tmp_path)
    metrics = {row["metric"]: row["quantity"] for row in seeds.seed_rows("published_metrics")}
    loan, package = figures["seed_wsj_lynas_loan_usd"], figures["seed_kantenna_lynas_investment_usd"]
    assert (loan["metric"], package["metric"]) == ("loan_usd", "financing_usd")
    assert metrics[loan["metric"]] != metrics[package["metric"]]
