"""Issue 12, flows and trade, on the warehouse `reeflow run` builds from the embedded data (one
build shared with the analysts' tests). Each test names the finding it proves; expected values
come from the warehouse's own published figures, the embedded Comtrade file or the committed
excerpt of a peer project's table (tests/fixtures/comtrade-us-imports-rare-earths/), never typed
in twice."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, fixture_file
from tests.integration.embedded_warehouse import embedded_warehouse_env, figure_value, query_rows

pytestmark = pytest.mark.integration
EMBEDDED_COMTRADE = REPO_ROOT / "ingest" / "embedded" / "comtrade" / "us_imports_rare_earths_2018_2025.csv"


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Path:
    return Path(embedded_warehouse_env(tmp_path_factory)["REEFLOW_WAREHOUSE"])


# --- 1. US imports: real records, value shares, splits, "not itemized" ----------------------------

def test_1_the_comtrade_us_imports_land_as_value_only_records_with_their_provenance(warehouse):
    with open(EMBEDDED_COMTRADE, newline="", encoding="utf-8") as handle:
        embedded = list(csv.DictReader(handle))
    [(records, weighed, importers, values)] = query_rows(warehouse, """
        select count(*), count(product_t) + count(reo_t), string_agg(distinct importer_iso3, ','),
               count(value_usd)
        from fct_trade_flows where source_kind = 'comtrade_bulk'""")
    [(request,)] = query_rows(warehouse, """select request_json from quality.landed_files
                                       where original_name = ?""", EMBEDDED_COMTRADE.name)
    assert records == len(embedded) == 786 and values == records
    assert weighed == 0 and importers == "USA"  # value only: no tonnes are invented
    assert "UN Comtrade" in request and "72a6515c" in request


def test_1_value_only_records_never_replace_the_published_tonnages(warehouse):
    # USGS's import tonnages stay the US balance's imports (the records carry no tonnes).
    for year in (2020, 2023, 2024):
        compounds = figure_value(warehouse, f"us_import_t_reo_separation_imports_of_rareearth_compounds_{year}")
        [(imports,)] = query_rows(warehouse, """select imports_t_reo from mart_country_balances
            where country_iso3 = 'USA' and element = 'REO' and stage = 'separation' and year = ?""", year)
        assert imports == pytest.approx(compounds)


def test_1_us_imports_are_split_by_partner_china_never_zero_nor_the_us_itself(warehouse):
    rows = query_rows(warehouse, """
        select year, origin_basis, china_share_pct, is_china_share_lower_bound, top_origin_iso3,
               bool_or(origin_iso3 = 'WLD')
        from mart_supply_origins
        where country_iso3 = 'USA' and element = 'REO' and stage = 'separation' and year between 2020 and 2024
        group by all""")
    assert len(rows) == 10
    for year, basis, china, lower_bound, top, world in rows:
        assert china > 50 and top == "CHN" and not world, (year, basis)
        # the first-origin split leaves part untraced, so China's share there is only a bound
        assert lower_bound == (basis == "first_origin"), (year, basis)
    # USGS's own 2020-23 split enters the balance (70 % China); 2024 comes from value shares.
    [(china_2023,)] = query_rows(warehouse, """select sum(reo_t) from fct_element_stage_flows
        where destination_iso3 = 'USA' and stage = 'separation' and year = 2023 and origin_iso3 = 'CHN'
          and is_in_importer_balance""")
    total_2023 = figure_value(warehouse, "us_import_t_reo_separation_imports_of_rareearth_compounds_2023")
    assert china_2023 == pytest.approx(total_2023 * figure_value(warehouse, "us_import_sources_chn_2020_2023") / 100)
    # No trade flow runs from a country to itself, and none comes from "the world".
    assert query_rows(warehouse, """select count(*) from fct_element_stage_flows
        where flow_type = 'trade' and (origin_iso3 = destination_iso3 or 'WLD' in (origin_iso3, destination_iso3))""") \
        == [(0,)]


def test_1_an_elements_supply_is_not_split_where_trade_names_no_element(warehouse):
    """US trade tonnages name no element: the Nd and Ce supply of 2024 is not 100 % domestic
    and China 0 %, it is unknown (no rows, and the balance says why); REO keeps its split."""
    rows = query_rows(warehouse, """
        select element, stage, max(china_share_pct) from mart_supply_origins
        where country_iso3 = 'USA' and year = 2024 and element in ('REO', 'Nd', 'Ce')
          and stage in ('mining', 'separation')
        group by element, stage""")
    assert sorted((element, stage) for element, stage, _ in rows) == [("REO", "mining"), ("REO", "separation")]
    assert dict(((e, s), china) for e, s, china in rows)[("REO", "separation")] > 50
    balances = query_rows(warehouse, """
        select element, stage, apparent_consumption_t_reo, balance_status from mart_country_balances
        where country_iso3 = 'USA' and year = 2024 and element in ('Nd', 'Ce') and stage in ('mining', 'separation')""")
    assert {(e, s) for e, s, _, _ in balances} >= {("Nd", "mining"), ("Nd", "separation"), ("Ce", "mining")}
    assert {(consumption, status) for _, _, consumption, status in balances} == {(None, "element_trade_not_recorded")}
    listed = query_rows(warehouse, """select count(*) from mart_balance_issues
        where country_iso3 = 'USA' and year = 2024 and issue_kind = 'element_trade_not_recorded'
          and element in ('Nd', 'Ce') and stage in ('mining', 'separation')""")
    assert listed == [(len(balances),)]


def test_1_tonnage_no_evidence_allocates_is_not_itemized_and_makes_chinas_share_a_lower_bound(warehouse):
    ferrocerium = figure_value(warehouse, "us_import_t_reo_refining_imports_of_ferrocerium_and_all_2024")
    [(not_itemized,)] = query_rows(warehouse, """select sum(reo_t) from fct_element_stage_flows
        where destination_iso3 = 'USA' and stage = 'refining' and year = 2024 and origin_iso3 = 'XNI'""")
    [(china, lower_bound, unknown)] = query_rows(warehouse, """
        select distinct china_share_pct, is_china_share_lower_bound, unknown_origin_pct from mart_supply_origins
        where country_iso3 = 'USA' and element = 'REO' and stage = 'refining' and year = 2024
          and origin_basis = 'immediate_supplier'""")
    assert not_itemized == pytest.approx(ferrocerium)  # no HS line in hand covers ferrocerium
    assert 0 < china < 100 - unknown and lower_bound and unknown > 50


def test_1_the_value_split_stays_as_evidence_where_usgs_splits_its_own_tonnage(warehouse):
    rows = query_rows(warehouse, """
        select e.origin_iso3, e.reo_t, e.not_additive_reason, f.origin_iso3, f.method
        from fct_flow_evidence as e, unnest(string_split(e.replaced_by_flow_ids, ';')) as ids(id)
        join fct_element_stage_flows as f on f.flow_id = ids.id
        where e.destination_iso3 = 'USA' and e.stage = 'separation' and e.year = 2022
          and e.method like '%value of HS%'""")
    assert rows and all("published partner shares" in reason for _, _, reason, _, _ in rows)
    assert all("published partner share" in method for *_, method in rows)


def _peer_table() -> dict[tuple[str, int], dict]:
    with open(fixture_file("comtrade-us-imports-rare-earths", "fct_concentration_rare_earths.csv"),
              newline="", encoding="utf-8") as handle:
        return {(row["canonical_product_id"], int(row["year"])): row for row in csv.DictReader(handle)}


def test_1_value_shares_per_hs_line_match_the_peer_projects_concentration(warehouse):
    ours = defaultdict(list)
    for hs6, year, origin, share, hhi, top, top_share in query_rows(warehouse, """
            select hs6, year, origin_iso3, origin_share_pct, supplier_hhi, top_supplier_iso3, top_supplier_share_pct
            from mart_import_dependency
            where importer_iso3 = 'USA' and share_basis = 'value_usd' and hs6 is not null
              and origin_basis = 'immediate_supplier'"""):
        ours[(hs6, year)].append((origin, share, hhi, top, top_share))
    peer = _peer_table()
    assert set(ours) == set(peer) and len(peer) == 32
    for key, row in peer.items():
        shares = ours[key]
        _, _, hhi, top, top_share = shares[0]
        assert len(shares) == int(row["supplier_count"]), key
        assert hhi == pytest.approx(float(row["hhi"]), abs=0.01), key
        assert top == row["top1_partner_iso3"], key
        assert top_share == pytest.approx(100 * float(row["top1_share"]), abs=1e-4), key
        top3 = sum(sorted((share for _, share, *_ in shares), reverse=True)[:3])
        assert top3 == pytest.approx(100 * float(row["top3_share"]), abs=1e-3), key


def test_1_value_and_volume_shares_sit_side_by_side_each_with_its_definition(warehouse):
    groups = dict(query_rows(warehouse, """
        select share_basis, any_value(definition) from mart_import_dependency
        where importer_iso3 = 'USA' and stage = 'separation' and element = 'REO' and hs6 is null
          and period_label in ('2023', '2020-2023') group by share_basis"""))
    assert set(groups) == {"value_usd", "as_published"}
    assert "value" in groups["value_usd"] and "not a volume share" in groups["value_usd"]


# --- 2. US balances beside what USGS prints ---------------------------------------------------------

def test_2_usgs_apparent_consumption_and_reliance_sit_beside_the_computation_over_the_same_stages(warehouse):
    rows = {(year, stage): rest for year, stage, *rest in query_rows(warehouse, """
        select year, stage, published_scope_stages, published_apparent_consumption_t_reo,
               scope_apparent_consumption_t_reo, published_net_import_reliance_qualifier,
               is_apparent_consumption_within_tolerance, is_net_import_reliance_within_tolerance
        from mart_country_balances
        where country_iso3 = 'USA' and element = 'REO' and stage in ('separation', 'refining')
          and year between 2020 and 2024""")}
    assert len(rows) == 10
    for year in range(2020, 2025):
        separation, refining = rows[(year, "separation")], rows[(year, "refining")]
        assert separation == refining  # one scope, "compounds and metals": both stages together
        scope, printed, computed, qualifier, *_ = separation
        assert scope == "separation, refining"
        assert printed == figure_value(warehouse, f"us_apparent_consumption_t_reo_compounds_metals_{year}")
        # like with like: separation and refining summed
        [(summed,)] = query_rows(warehouse, """select sum(apparent_consumption_t_reo) from mart_country_balances
            where country_iso3 = 'USA' and element = 'REO' and year = ?
              and stage in ('separation', 'refining')""", year)
        assert computed == pytest.approx(summed)
        assert qualifier == ("more_than" if year in (2021, 2022, 2023) else "exact")
    assert rows[(2021, "separation")][4:] == [True, True]  # ">95" printed, 98.5 % computed


def test_2_a_difference_beyond_tolerance_is_listed_with_its_reasons(warehouse):
    issues = query_rows(warehouse, """select year, severity, message from mart_balance_issues
        where issue_kind = 'published_differs' and country_iso3 = 'USA'""")
    [(out_of_tolerance,)] = query_rows(warehouse, """select list(distinct year order by year) from mart_country_balances
        where country_iso3 = 'USA'
          and not (is_apparent_consumption_within_tolerance and is_net_import_reliance_within_tolerance)""")
    assert out_of_tolerance and [year for year, *_ in issues] == out_of_tolerance
    for _, severity, message in issues:
        assert severity == "warn" and "printed" in message and "ores and compounds" in message


def test_2_ores_and_compounds_exports_are_booked_as_two_stages_not_a_minus_1720_pct_reliance(warehouse):
    rows = query_rows(warehouse, """
        select year, apparent_consumption_t_reo, net_import_reliance_pct, balance_status, mixed_stage_scopes
        from mart_country_balances where country_iso3 = 'USA' and element = 'REO' and stage = 'mining'
          and year between 2020 and 2024""")
    assert len(rows) == 5
    for year, consumption, reliance, status, scopes in rows:
        assert consumption is None and reliance is None, year
        assert status == "stage_split_unknown" and scopes == "exports (mining, separation)", year
    listed = query_rows(warehouse, """select year from mart_balance_issues where country_iso3 = 'USA'
        and stage = 'mining' and issue_kind = 'stage_split_unknown' order by year""")
    assert [year for (year,) in listed] == [year for year, *_ in sorted(rows)]
    # Nowhere a net exporter's "reliance": USGS prints E there (is_net_exporter says it).
    [(lowest,)] = query_rows(warehouse, "select min(net_import_reliance_pct) from mart_country_balances")
    assert lowest >= 0


def test_2_printed_world_totals_and_shares_sit_beside_the_computed_ones(warehouse):
    [(world, countries, gap)] = query_rows(warehouse, """
        select distinct world_t_reo, countries_sum_t_reo, countries_sum_gap_pct from mart_stage_concentration
        where year = 2023 and stage = 'mining' and source_kind = 'usgs_mcs'
          and entity_kind = 'country'""")
    [(summed,)] = query_rows(warehouse, """select sum(production_t_reo) from fct_mine_production
        where year = 2023 and is_latest_edition and not is_world_total""")
    assert countries == pytest.approx(summed) and gap == pytest.approx(100 * (summed - world) / world, abs=1e-5)
    [(iea, computed, difference)] = query_rows(warehouse, """
        select share_pct, compared_share_pct, share_difference_points from mart_stage_concentration
        where year = 2023 and stage = 'mining' and source_kind = 'published_aggregate' and country_iso3 = 'CHN'""")
    [(usgs,)] = query_rows(warehouse, """select share_pct from mart_stage_concentration
        where year = 2023 and stage = 'mining' and source_kind = 'usgs_mcs' and country_iso3 = 'CHN'""")
    assert iea == figure_value(warehouse, "iea_mining_chn_2023")
    assert computed == pytest.approx(usgs) and difference == pytest.approx(iea - usgs)


# --- 3. Lynas on the calendar; Malaysia's separation traced to Australian ore -----------------------

def test_3_lynas_fiscal_years_calendarised_month_by_month_with_its_disclosed_quarters(warehouse):
    def fiscal(label: str) -> float:
        [(value,)] = query_rows(warehouse, """select quantity_t_reo from fct_company_production
            where company_id = 'lynas' and element = 'REO' and metric = 'production' and is_latest_vintage
              and period_label = ?""", label)
        return value
    # 2024 = Jan-Jun from FY2024 + Jul-Sep as disclosed (Q1 FY25) + Oct-Dec from what FY2025 leaves
    # after its two disclosed quarters (Q1 and Q3 FY25) over its six other months.
    q1, q3 = fiscal("2024-Q3"), fiscal("2025-Q1")
    expected = fiscal("FY2024") / 2 + q1 + (fiscal("FY2025") - q1 - q3) / 6 * 3
    [(output, estimate, method, evidence)] = query_rows(warehouse, """
        select reo_t, is_estimate, method, evidence_kind from fct_element_stage_flows
        where origin_iso3 = 'MYS' and stage = 'separation' and flow_type = 'production' and year = 2024
          and element = 'REO' and is_in_producer_balance""")
    assert output == pytest.approx(expected) and estimate and evidence == "disclosure"
    assert "month-weighted" in method and "calendarised" in method
    # The two quarters come from press coverage of reports not seen here: the fact says so.
    quarters = query_rows(warehouse, """select distinct page, confidence, notes from fct_company_production
        where company_id = 'lynas' and period_label in ('2024-Q3', '2025-Q1')""")
    assert {(page, confidence) for page, confidence, _ in quarters} == {(None, "medium")}
    assert all(notes.startswith("report not seen") for _, _, notes in quarters)


def test_3_malaysian_separation_traces_to_australian_ore_not_malaysias_mines(warehouse):
    [(feed, estimate, method)] = query_rows(warehouse, """
        select reo_t, is_estimate, method from fct_element_stage_flows
        where origin_iso3 = 'AUS' and destination_iso3 = 'MYS' and stage = 'mining' and year = 2023""")
    [(output,)] = query_rows(warehouse, """select production_t_reo from mart_country_balances
        where country_iso3 = 'MYS' and stage = 'separation' and element = 'REO' and year = 2023""")
    assert feed == pytest.approx(output) and estimate and "Mt Weld" in method
    mix = dict(query_rows(warehouse, """select origin_iso3, share_pct from mart_supply_origins
        where country_iso3 = 'MYS' and stage = 'separation' and element = 'REO' and year = 2023
          and origin_basis = 'first_origin'"""))
    assert mix["AUS"] > 90
    # The US's compounds from Malaysia (13 % of 2020-2023, USGS's import sources) trace to
    # Australian ore.
    us = dict(query_rows(warehouse, """select origin_iso3, origin_share_pct from mart_import_dependency
        where importer_iso3 = 'USA' and period_label = '2020-2023' and stage = 'separation'
          and share_basis = 'as_published' and origin_basis = 'first_origin'"""))
    assert us["AUS"] > 12 and us.get("MYS", 0) < 1


def test_3_ore_with_no_recorded_destination_is_not_traced_never_the_miners_own_use(warehouse):
    links = query_rows(warehouse, """select link_kind, element from mart_sankey_flows
        where source_stage = 'mining'""")
    # An element's ore where the stage's trade names no element is neither: its trade is unknown.
    assert {kind for kind, _ in links} <= {"processing", "not_traced", "exports_unreported",
                                           "element_trade_not_recorded"}
    assert "REO" not in {element for kind, element in links if kind == "element_trade_not_recorded"}
    [(myanmar,)] = query_rows(warehouse, """select target_node from mart_sankey_flows
        where year = 2024 and element = 'REO' and source_node = 'Mining: Myanmar'""")
    assert myanmar == "Ore not traced (no recorded destination)"
    [(australia_to_malaysia,)] = query_rows(warehouse, """select value_t_reo from mart_sankey_flows
        where year = 2024 and element = 'REO' and source_node = 'Mining: Australia'
          and target_node = 'Separation: Malaysia'""")
    assert australia_to_malaysia > 10_000


# --- 9. The grain of fct_element_stage_flows --------------------------------------------------------

def test_9_summing_the_flows_gives_the_balances_and_the_evidence_sits_apart(warehouse):
    mismatches = query_rows(warehouse, """
        with flows as (select * from fct_element_stage_flows),
        sums as (
            select year, element, stage, origin_iso3 as country_iso3,
                   sum(reo_t) filter (where flow_type = 'production' and is_in_producer_balance) as production,
                   sum(reo_t) filter (where flow_type = 'trade' and is_in_exporter_balance) as exports
            from flows group by all),
        imports as (
            select year, element, stage, destination_iso3 as country_iso3, sum(reo_t) as imports
            from flows where flow_type = 'trade' and is_in_importer_balance group by all)
        select b.year, b.country_iso3, b.stage, b.element
        from mart_country_balances as b
        left join sums using (year, element, stage, country_iso3)
        left join imports using (year, element, stage, country_iso3)
        where abs(coalesce(b.production_t_reo, 0) - coalesce(sums.production, 0)) > 0.001
           or abs(coalesce(b.imports_t_reo, 0) - coalesce(imports.imports, 0)) > 0.001
           or abs(coalesce(b.exports_t_reo, 0) - coalesce(sums.exports, 0)) > 0.001""")
    assert mismatches == []
    # A published total and its split never sit in the same table.
    [(both,)] = query_rows(warehouse, """select count(*) from fct_element_stage_flows as f
        join fct_flow_evidence as e on e.flow_id = f.flow_id""")
    [(total_2023,)] = query_rows(warehouse, """select sum(reo_t) from fct_element_stage_flows
        where destination_iso3 = 'USA' and stage = 'separation' and year = 2023 and flow_type = 'trade'""")
    assert both == 0
    compounds_2023 = figure_value(warehouse, "us_import_t_reo_separation_imports_of_rareearth_compounds_2023")
    assert total_2023 == pytest.approx(compounds_2023)
    [(unexplained,)] = query_rows(warehouse, "select count(*) from fct_flow_evidence where not_additive_reason is null")
    assert unexplained == 0


# --- 8. and 10. Assumptions flagged, units named ----------------------------------------------------

def test_8_magnet_content_and_metal_to_oxide_conversions_are_flagged_estimates(warehouse):
    magnets = query_rows(warehouse, """
        select is_estimate, method, unit_as_published, reo_factor_t_per_t from fct_element_stage_flows
        where source_figure_ids in ('cn_sintered_ndfeb_2021', 'cn_bonded_ndfeb_2021')""")
    assert len(magnets) == 2
    for estimate, method, unit, factor in magnets:
        assert estimate and "31 %" in method and unit == "t_product" and factor > 0.3
    [(estimate, method, unit, element_t, reo_t, factor)] = query_rows(warehouse, """
        select is_estimate, method, unit_as_published, element_t, reo_t, reo_factor_t_per_t from fct_flow_evidence
        where source_figure_ids = 'jp_imports_total_h1_2024' and evidence_kind = 'trade'""")
    printed = figure_value(warehouse, "jp_imports_total_h1_2024")
    assert estimate and "Nd2O3" in method and unit == "t_metal_equivalent"
    assert element_t == printed and reo_t == pytest.approx(printed * factor) and factor > 1


def test_10_tonnes_of_an_unstated_basis_are_kept_as_printed_never_labelled_product_or_reo(warehouse):
    [(quantity, unit, product_t, reo_t, reason)] = query_rows(warehouse, """
        select quantity_as_published, unit_as_published, product_t, reo_t, not_additive_reason
        from fct_flow_evidence where source_figure_ids = 'jp_imports_chn_t_2010'""")
    assert quantity == figure_value(warehouse, "jp_imports_chn_t_2010") and unit == "t"
    assert product_t is None and reo_t is None and "basis not stated" in reason
