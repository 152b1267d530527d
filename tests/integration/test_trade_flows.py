"""Trade records through the whole pipeline: land, stage, reconcile mirrors, element content.

The records are built in the tests from the real Comtrade API record (tests/builders.py: every
field as the API spells it) with test values; they are test inputs, never shipped data. One
`reeflow run` serves every assertion.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from tests.builders import api_answer, japan_header, japan_line, record
from tests.reeflow_cli import cli_env, run_reeflow

# Comtrade codes: China 156, Japan 392, Korea 410, Malaysia 458, USA 842 (not M49's 840).
M49 = {"CHN": 156, "JPN": 392, "KOR": 410, "MYS": 458, "USA": 842, "VNM": 704}


def declared(*, reporter: str, partner: str, period: str = "2023", with_iso: bool = True,
             **values) -> dict:
    """A record between two countries named by ISO3, classified in HS 2022."""
    iso = {"reporter_iso": reporter, "partner_iso": partner} if with_iso else {}
    return record(reporter=M49[reporter], partner=M49[partner], period=period,
                  classificationCode="H6", **iso, **values)


@pytest.fixture(scope="module")
def traded(tmp_path_factory):
    root = tmp_path_factory.mktemp("trade")
    env = cli_env(root)
    data = Path(env["REEFLOW_DATA_DIR"])
    api_inbox = data / "inbox" / "comtrade_api"
    api_inbox.mkdir(parents=True)
    (api_inbox / "japan_2023.json").write_bytes(api_answer([
        # Both sides declared: Japan's import is used, China's export is the mirror.
        declared(reporter="JPN", partner="CHN", flow="M", cmd="284690", kg=1_000_000,
                 usd=11_000_000),
        declared(reporter="CHN", partner="JPN", flow="X", cmd="284690", kg=900_000, usd=9_000_000),
        declared(reporter="JPN", partner="MYS", flow="M", cmd="284690", kg=500_000, usd=5_500_000),
        # Out of scope: partner World is a total, not a flow.
        declared(reporter="JPN", partner="CHN", flow="M", cmd="284690", kg=1, usd=1,
                 partnerCode=0, partnerISO="W00"),
    ]))
    (api_inbox / "usa_2023.json").write_bytes(api_answer([
        # Only the importer declared; no ISO codes in the record: USA is found by Comtrade's 842.
        declared(reporter="USA", partner="MYS", flow="M", cmd="280530", kg=200_000,
                 usd=4_000_000, with_iso=False),
    ]))
    (api_inbox / "china_exports_2023.json").write_bytes(api_answer([
        # Only the exporter declared: the mirror fills the importer's gap.
        declared(reporter="CHN", partner="VNM", flow="X", cmd="850511", kg=100_000, usd=5_000_000),
        # Korea declared the heading only; China its subheading: compared at heading level.
        declared(reporter="KOR", partner="CHN", flow="M", cmd="2846", kg=300_000, usd=3_000_000),
        declared(reporter="CHN", partner="KOR", flow="X", cmd="284690", kg=280_000, usd=2_500_000),
    ]))
    (api_inbox / "japan_monthly_2022.json").write_bytes(api_answer([
        declared(reporter="JPN", partner="CHN", flow="M", cmd="280530", kg=kg, usd=1, period=month)
        for month, kg in (("202201", 10_000), ("202202", 15_000))
    ]))
    # Japan's customs lines for 2024 (thousand yen, kg) replace Comtrade's record for the same flow.
    (api_inbox / "japan_2024.json").write_bytes(api_answer([
        declared(reporter="JPN", partner="CHN", flow="M", cmd="284690", kg=777_000, usd=1,
                 period="2024"),
    ]))
    customs_inbox = data / "inbox" / "customs_jpn"
    customs_inbox.mkdir(parents=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(japan_header())
    writer.writerow(japan_line("2", "284690000", "105", "", "KG", {1: ("0", "12000", "45000"),
                                                                   3: ("0", "3000", "9000")}))
    writer.writerow(japan_line("2", "284610000", "113", "", "KG", {1: ("0", "500", "2000")}))
    (customs_inbox / "japan_2024.csv").write_text(buffer.getvalue(), encoding="utf-8")

    result = run_reeflow(env, "run")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return Path(env["REEFLOW_WAREHOUSE"])


def _flows(warehouse: Path, where: str) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(f"select * from fct_trade_flows where {where} order by all")
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]


def test_importer_declaration_is_used_and_the_mirror_kept(traded):
    [flow] = _flows(traded, "importer_iso3 = 'JPN' and exporter_iso3 = 'CHN' and year = 2023")
    assert flow["reporting_side"] == "importer"
    assert flow["product_t"] == pytest.approx(1000)
    assert (flow["importer_reported_t"], flow["exporter_reported_t"]) == pytest.approx((1000, 900))
    assert flow["quantity_discrepancy_pct"] == pytest.approx(200 * 100 / 1900, abs=1e-5)
    # CIF 11 M$ over the CIF/FOB factor 1.10 = 10 M$ FOB; the mirror declared 9 M$ FOB.
    assert flow["value_usd"] == pytest.approx(10_000_000)
    assert flow["value_discrepancy_pct"] == pytest.approx(200 * 1 / 19, abs=1e-5)
    # Compounds: oxide basis, 1 t = 1 t REO; element content by Nd2O3's factor (mixed rare earths).
    assert (flow["stage"], flow["element"], flow["reo_t"]) == ("separation", "REO", pytest.approx(1000))
    assert flow["element_t"] == pytest.approx(1000 * 2 * 144.242 / (2 * 144.242 + 3 * 15.999))
    assert not flow["is_sample"] and flow["source_kind"] == "comtrade_api"


def test_the_mirror_fills_an_importer_that_did_not_declare(traded):
    [flow] = _flows(traded, "importer_iso3 = 'VNM'")
    assert flow["reporting_side"] == "exporter_mirror" and flow["importer_reported_t"] is None
    # NdFeB magnets: 31 % rare-earth metal by weight (hs_codes seed).
    assert (flow["stage"], flow["product_t"], flow["element_t"]) == ("magnets", pytest.approx(100), pytest.approx(31))


def test_comtrade_country_codes_place_a_record_without_iso_codes(traded):
    # (the embedded US imports, comtrade_bulk, sit beside it)
    [flow] = _flows(traded, "importer_iso3 = 'USA' and source_kind = 'comtrade_api'")
    assert (flow["exporter_iso3"], flow["stage"], flow["element_t"]) == ("MYS", "refining", pytest.approx(200))


def test_a_heading_meets_its_subheading_at_heading_level(traded):
    [flow] = _flows(traded, "importer_iso3 = 'KOR'")
    assert flow["hs6"] == "2846"
    assert (flow["importer_reported_t"], flow["exporter_reported_t"]) == pytest.approx((300, 280))


def test_months_sum_to_their_year_and_say_how_many(traded):
    [flow] = _flows(traded, "importer_iso3 = 'JPN' and year = 2022")
    assert (flow["product_t"], flow["months_covered"]) == (pytest.approx(25), 2)


def test_customs_lines_replace_comtrade_for_the_same_flow(traded):
    flows = _flows(traded, "importer_iso3 = 'JPN' and year = 2024")
    by_code = {flow["hs6"]: flow for flow in flows}
    assert by_code["284690"]["product_t"] == pytest.approx(15)  # 12 t + 3 t, not Comtrade's 777 t
    assert by_code["284690"]["source_kind"] == "customs_jpn"
    assert (by_code["284610"]["element"], by_code["284610"]["exporter_iso3"]) == ("Ce", "MYS")


def test_import_dependency_from_records_sits_beside_published_shares(traded):
    with duckdb.connect(str(traded), read_only=True) as con:
        rows = con.execute(
            """select origin_iso3, origin_share_pct, china_share_pct, top_supplier_iso3, supplier_hhi
               from mart_import_dependency
               where source_kind = 'trade_records' and share_basis = 'volume_t_reo' and importer_iso3 = 'JPN'
                 and year = 2023 and stage = 'separation' and element = 'REO' and origin_basis = 'immediate_supplier'
               order by origin_iso3"""
        ).fetchall()
        published = con.execute(
            "select count(*) from mart_import_dependency where source_kind = 'published_aggregate'"
        ).fetchone()[0]
    assert [(origin, round(share, 4)) for origin, share, *_ in rows] == [
        ("CHN", round(100 * 1000 / 1500, 4)), ("MYS", round(100 * 500 / 1500, 4))]
    _, _, china, top, hhi = rows[0]
    assert china == pytest.approx(100 * 1000 / 1500) and top == "CHN"
    assert hhi == pytest.approx((100 * 1000 / 1500) ** 2 + (100 * 500 / 1500) ** 2, abs=1e-4)
    assert published > 0


def test_records_trace_to_first_origin_through_the_exporters_output(traded):
    # Japan's 2023 oxide: 1,000 t from China, whose separation output is fed by Chinese ore, and
    # 500 t from Malaysia, whose separation (Lynas Malaysia) is fed by Australian ore (Mt Weld) and
    # Malaysia's own small mine output: the 500 t carry Malaysia's output mix.
    with duckdb.connect(str(traded), read_only=True) as con:
        shares = dict(con.execute(
            """select origin_iso3, origin_share_pct from mart_import_dependency
               where source_kind = 'trade_records' and share_basis = 'volume_t_reo' and importer_iso3 = 'JPN'
                 and year = 2023 and stage = 'separation' and element = 'REO' and origin_basis = 'first_origin'"""
        ).fetchall())
        malaysia_mix = dict(con.execute(
            """select origin_iso3, share_pct from mart_supply_origins where country_iso3 = 'MYS'
               and year = 2023 and stage = 'separation' and element = 'REO' and origin_basis = 'first_origin'"""
        ).fetchall())
        vietnam = con.execute(
            """select origin_iso3, share_pct from mart_supply_origins where country_iso3 = 'VNM'
               and year = 2023 and stage = 'magnets' and origin_basis = 'first_origin'"""
        ).fetchall()
    assert shares["CHN"] == pytest.approx(100 * 1000 / 1500, abs=1e-4)
    assert malaysia_mix["AUS"] > 90
    for origin in ("AUS", "MYS"):
        assert shares[origin] == pytest.approx(500 / 1500 * malaysia_mix[origin], abs=1e-4)
    # Magnets Vietnam imports from China are Chinese-mined.
    assert vietnam == [("CHN", pytest.approx(100))]


def test_every_flow_walks_back_to_its_landed_files(traded):
    with duckdb.connect(str(traded), read_only=True) as con:
        orphans = con.execute(
            """select count(*) from fct_trade_flows, unnest(string_split(file_id, ';')) as ids(id)
               where id not in (select file_id from quality.landed_files)"""
        ).fetchone()[0]
        # the records landed here; the embedded US imports (comtrade_bulk) are the default run's
        total = con.execute("select count(*) from fct_trade_flows where source_kind <> 'comtrade_bulk'").fetchone()[0]
    assert total == 8 and orphans == 0
