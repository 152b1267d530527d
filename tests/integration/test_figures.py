"""Issue 12, figures & risk: every published figure survives an auditor. Each test reads the
warehouse `reeflow run` publishes from the embedded data (one build per session, shared with the
analysts' tests) and checks one finding against the figures the warehouse itself carries."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ingest import settings
from tests.conftest import REPO_ROOT
from tests.integration.embedded_warehouse import embedded_warehouse_env, figure_value, query_rows

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return Path(embedded_warehouse_env(tmp_path_factory)["REEFLOW_WAREHOUSE"])


# Finding 4: China's 2023 quota was two of three batches labelled full-year.
def test_china_quotas_are_full_years_and_their_batches_add_up(warehouse):
    quotas = {(kind, batch): (value, derived, estimate, sources) for kind, batch, value, derived, estimate, sources
              in query_rows(warehouse,
                  """select quota_kind, batch_number, quota_t_reo, is_derived, is_estimate, source_figure_ids
                               from fct_production_quotas
                               where country_iso3 = 'CHN' and stage = 'separation' and year = 2023""")}
    full, first, third = (figure_value(warehouse, f"cn_quota_separation_2023{suffix}")
                          for suffix in ("", "_batch1", "_batch3"))
    assert full == 243_850  # DOMAIN.md: the 2023 separation quota, three batches
    assert quotas[("full_year", None)][0] == full
    assert quotas[("batch", 1)][:3] == (first, False, False)
    assert quotas[("batch", 3)][:3] == (third, False, False)
    # The September batch no publication prints: the full year less the printed ones, flagged.
    assert quotas[("batch", 2)][:3] == (full - first - third, True, True)
    assert quotas[("batch", 2)][3] == ("cn_quota_separation_2023;cn_quota_separation_2023_batch1;"
                                       "cn_quota_separation_2023_batch3")
    unbalanced = query_rows(warehouse, """select year, stage from fct_production_quotas group by year, stage
                               having count(*) filter (where quota_kind = 'batch') > 0
                                  and sum(quota_t_reo) filter (where quota_kind = 'batch')
                                      <> sum(quota_t_reo) filter (where quota_kind = 'full_year')""")
    assert unbalanced == []
    # The quota taken as China's separation output is the full year, not two batches.
    [(output, sources)] = query_rows(warehouse, """select reo_t, source_figure_ids from fct_element_stage_flows
                                        where origin_iso3 = 'CHN' and stage = 'separation' and year = 2023
                                          and flow_type = 'production' and evidence_kind = 'estimate'""")
    assert (output, sources) == (full, "cn_quota_separation_2023")


# Finding 5: days became tonnes and back; a target was shown as holdings.
def test_stockpile_days_are_shown_as_a_target_and_not_recomputed(warehouse):
    days = figure_value(warehouse, "jp_stockpile_national_days") + figure_value(warehouse, "jp_stockpile_private_days")
    demand = figure_value(warehouse, "jp_demand_2024")
    china = figure_value(warehouse, "jp_imports_chn_2024")
    [row] = query_rows(warehouse, """
        select days_of_cover, days_of_cover_basis, stockpile_value_qualifier, stockpile_t,
               is_stockpile_t_derived, stockpile_t_method, quantity_basis, consumption_value_qualifier,
               days_of_cover_if_cut, is_estimate
        from mart_stockpile_cover
        where country_iso3 = 'JPN' and year = 2024 and origin_basis = 'immediate_supplier'""")
    (cover, basis, qualifier, tonnes, derived, method, quantity_basis, consumption_qualifier, if_cut,
     estimate) = row
    assert (cover, basis, qualifier) == (days, "as published, days of consumption (target)", "target")
    # The tonnes exist only as a derivation, flagged, in the demand's own basis (t, not t REO).
    assert tonnes == pytest.approx(days * demand / 365) and derived and method.startswith("derived: 42")
    assert (quantity_basis, consumption_qualifier) == ("t_basis_not_stated", "forecast")
    assert if_cut == pytest.approx(days / (china / 100)) and estimate


def test_exports_without_recorded_production_leave_the_reliance_unknown(warehouse):
    # US compounds and metals 2021: imports 910 t, exports 845 t, no refining output recorded;
    # a reliance of (910 - 845) / 65 = 100 % would rest on an output of zero nobody printed.
    rows = query_rows(warehouse, """select net_import_reliance_pct, balance_status from mart_country_balances
                                     where production_t_reo is null and exports_t_reo > 0""")
    assert rows and set(rows) == {(None, "production_not_recorded")}
    [(issue,)] = query_rows(warehouse, """select issue_kind from mart_balance_issues where country_iso3 = 'USA'
                                           and year = 2021 and stage = 'refining'""")
    assert issue == "production_not_recorded"


def test_a_stockpile_shows_the_prints_that_dispute_it(warehouse):
    # Argus (2020) says the 42 + 18 days cover seven rare metals, none a rare earth: both marts
    # that draw Japan's stockpile down say so beside it.
    covers = query_rows(warehouse, "select distinct stockpile_other_prints from mart_stockpile_cover "
                                   "where country_iso3 = 'JPN' and stockpile_figure_ids is not null")
    scenarios = query_rows(warehouse, "select distinct stockpile_other_prints from mart_disruption_scenarios "
                                      "where importer_iso3 = 'JPN' and stockpile_t > 0")
    for [(prints,)] in (covers, scenarios):
        assert "ctx_argus_jp_rare_metal_stock_days_total" in prints and "no rare earth" in prints
    assert query_rows(warehouse, "select count(*) from mart_stockpile_cover where country_iso3 <> 'JPN' "
                                 "and stockpile_other_prints is not null") == [(0,)]


# Finding 6: re-routing credited non-Chinese mine ore against Japan's shortfall of processed goods.
def test_rerouting_counts_spare_output_at_the_stage_that_is_short(warehouse):
    [(stage, alternative, spare, note)] = query_rows(warehouse, """
        select spare_output_stage, alternative_output_t, spare_output_t, rerouting_capacity_note
        from mart_disruption_scenarios where scenario_id = 'jp_china_cutoff_12m_rerouted'""")
    separated, mined = query_rows(warehouse, """
        select sum(reo_t) filter (where stage = 'separation'), sum(reo_t) filter (where stage = 'mining')
        from fct_element_stage_flows
        where year = 2024 and element = 'REO' and flow_type = 'production' and origin_iso3 <> 'CHN'
          and is_in_producer_balance""")[0]
    assert stage == "separation" and "mine ore cannot" in note
    assert alternative == pytest.approx(separated)
    assert spare == pytest.approx(0.05 * separated)
    assert separated < mined / 5  # ore is several times more (9x in 2024), and no longer counted


def test_scenario_shortfalls_are_valued_at_a_named_price_range(warehouse):
    [row] = query_rows(warehouse, """
        select shortfall_after_rerouting_t, price_low_product, price_low_usd_per_kg, price_high_product,
               price_high_usd_per_kg, shortfall_value_low_usd, shortfall_value_high_usd, is_estimate
        from mart_disruption_scenarios where scenario_id = 'jp_china_cutoff_12m'""")
    shortfall, low_product, low, high_product, high, value_low, value_high, estimate = row
    prices = dict(query_rows(warehouse, """select product, price_usd_per_kg from fct_prices
                                where source_kind = 'usgs_mcs' and year = 2024 and is_latest_edition
                                  and product like '%oxide'"""))
    assert (low, high) == (min(prices.values()), max(prices.values())) == (prices[low_product], prices[high_product])
    assert high_product == "tb_oxide"
    assert value_low == pytest.approx(shortfall * 1000 * low, rel=1e-9)  # the mart rounds the tonnes
    assert value_high == pytest.approx(shortfall * 1000 * high, rel=1e-9) and estimate


def test_a_cut_share_with_untraced_origin_is_a_lower_bound_and_says_it_is_a_value_share(warehouse):
    """The US cut-off takes China's first-origin share of US imports from value shares of trade
    records, part of whose first origin cannot be traced: the lost supply is at least its figure."""
    [(unknown, lower_bound, basis)] = query_rows(warehouse, """
        select unknown_origin_pct, is_origin_share_lower_bound, supply_share_basis
        from mart_disruption_scenarios
        where scenario_id = 'us_china_origin_cutoff_12m' and stage = 'separation'""")
    [(untraced,)] = query_rows(warehouse, """
        select distinct unknown_origin_pct from mart_import_dependency
        where importer_iso3 = 'USA' and period_label = '2023' and stage = 'separation'
          and origin_basis = 'first_origin' and share_basis = 'value_usd' and hs6 is null""")
    assert unknown == pytest.approx(untraced) and unknown > 1 and lower_bound
    assert basis == "value share of imports x recorded imports (tonnes taken in proportion to value)"


# Finding 7: wrong and missing citations.
def test_every_published_figure_cites_where_it_is_printed(warehouse):
    assert query_rows(warehouse, "select figure_id from fct_published_figures where table_or_page is null") == []
    assert query_rows(warehouse, "select figure_id from fct_published_figures where publication ilike '%domain notes%' "
                      "or publication ilike 'reeflow%'") == []
    cited = dict(query_rows(warehouse,
        """select figure_id, publication || ' | ' || table_or_page from fct_published_figures
                               where figure_id in ('jp_lynas_share_of_needs', 'jp_imports_chn_2010')"""))
    assert cited["jp_lynas_share_of_needs"].startswith("Kantenna") and "para. 8" in cited["jp_lynas_share_of_needs"]
    assert cited["jp_imports_chn_2010"].startswith("Kantenna") and "para. 6" in cited["jp_imports_chn_2010"]
    qualifiers = dict(query_rows(warehouse, """select figure_id, value_qualifier from fct_published_figures
                                    where figure_id in ('jp_stockpile_national_days', 'jp_imports_chn_2022',
                                                        'jp_demand_2024', 'jp_lynas_dytb_offtake')"""))
    assert qualifiers == {"jp_stockpile_national_days": "target", "jp_imports_chn_2022": "more_than",
                          "jp_demand_2024": "forecast", "jp_lynas_dytb_offtake": "up_to"}


# Finding 8 (figures side): bounds used as points, 'up to 65 %' as a firm offtake, the USGS e marks.
def test_bounds_are_never_point_values_and_estimates_reach_the_marts(warehouse):
    # "More than two-thirds" (2022) is a lower bound: not a share in the dependency mart.
    assert query_rows(warehouse, """select origin_share_pct from mart_import_dependency
                         where importer_iso3 = 'JPN' and period_label = '2022'""") == []
    assert query_rows(warehouse, """select share_pct, value_qualifier, is_upper_bound from fct_offtake_links
                         where company_id = 'lynas' and element = 'Dy'""") == [(65, "up_to", True)]
    # Every flow resting on a figure USGS marks e is an estimate.
    unflagged = query_rows(warehouse, """
        select flows.source_figure_ids from fct_element_stage_flows as flows
        inner join fct_published_figures as figures
            on list_contains(string_split(flows.source_figure_ids, ';'), figures.figure_id)
        where figures.is_estimate and not flows.is_estimate""")
    assert unflagged == []
    # No 'as of' claim or bound reaches a point-value mart: China's headline shares stay put.
    shares = query_rows(warehouse, """select year, share_pct from mart_stage_concentration
                           where country_iso3 = 'CHN' and stage = 'magnets' and source_kind = 'published_aggregate'
                           order by year""")
    assert shares == [(2013, figure_value(warehouse, "fk_magnets_chn_2013")),
                      (2021, figure_value(warehouse, "fk_magnets_chn_2021"))]


def test_each_usgs_edition_sits_beside_the_other_figures_of_the_same_production(warehouse):
    """Two sources that disagree are both shown: MCS 2025's salient statistics and its world
    table print 45,000 t for US 2024, MCS 2026's world table 45,500 t; Australia 2024 was revised
    from 13,000 t to 29,000 t."""
    us = dict(query_rows(warehouse, """select figure_id, value from mart_figures_compared
        where quantity_key = 'production|USA|-|REO|mining' and year = 2024"""))
    mined = dict(query_rows(warehouse, """select edition, production_t_reo from fct_mine_production
        where country_iso3 = 'USA' and year = 2024"""))
    assert us == {"us_mine_production_t_reo_mining_mine_production_2024":
                      figure_value(warehouse, "us_mine_production_t_reo_mining_mine_production_2024"),
                  "usgs_world_table_mcs2025_usa_2024": mined["MCS2025"],
                  "usgs_world_table_mcs2026_usa_2024": mined["MCS2026"]}
    assert mined["MCS2025"] != mined["MCS2026"]
    australia = query_rows(warehouse, """select publication, value from mart_figures_compared
        where quantity_key = 'production|AUS|-|REO|mining' and year = 2024 order by publication""")
    assert australia == [("USGS Mineral Commodity Summaries 2025", 13_000.0),
                         ("USGS Mineral Commodity Summaries 2026", 29_000.0)]


# The seeds' claims, side by side with the other figures of the same quantity.
def test_the_seeds_claims_sit_beside_the_other_figures_of_their_quantity(warehouse):
    japan = query_rows(warehouse, """select figure_id, value_as_printed from mart_figures_compared
                          where quantity_key = 'import_share|JPN|CHN|REO|all' order by year, figure_id""")
    printed = dict(japan)
    assert printed["jp_imports_chn_2024"] == "about 70 %"
    assert printed["seed_kantenna_jp_imports_chn_now"] == "about 60 %"
    assert printed["seed_pudvi_jp_dependence_chn_now"] == "60-70 %"
    assert printed["seed_pudvi_jp_dependence_chn_target"] == "target 50 %"
    assert printed["seed_capwolf_jp_reliance_2010"] == "more than 90 %"
    magnets = dict(query_rows(warehouse, """select figure_id, value_as_printed from mart_figures_compared
                                 where quantity_key = 'production_share|CHN|-|REO|magnets'"""))
    assert magnets == {"fk_magnets_chn_2013": "about 75 %", "fk_magnets_chn_2021": "about 84 %",
                       "seed_kantenna_chn_ndfeb_share": "about 80 %"}
    regions = dict(query_rows(warehouse, """
        select figure_id, subject_iso3 || '/' || element from fct_published_figures
        where figure_id in ('seed_capwolf_europe_import_reliance', 'seed_kantenna_hree_from_chn')"""))
    assert regions == {"seed_capwolf_europe_import_reliance": "XEU/REO", "seed_kantenna_hree_from_chn": "JPN/HREE"}
    [(units,)] = query_rows(warehouse, "select list(distinct unit order by unit) from fct_published_figures "
                            "where figure_id like 'seed_%'")
    assert {"AUD", "EUR", "m", "t_per_day"} <= set(units)


def test_prices_keep_every_edition_and_the_latest_is_marked(warehouse):
    dy_2023 = query_rows(warehouse, """select edition, price_usd_per_kg, is_estimate, is_latest_edition from fct_prices
                            where product = 'dy_oxide' and year = 2023 order by edition""")
    # Dy oxide 2023, USGS MCS p. 144 of each edition: 323 (e) in MCS 2024, revised to 330 in MCS 2025.
    assert dy_2023 == [("MCS2024", 323, True, False), ("MCS2025", 330, False, True)]
    companies = dict(query_rows(warehouse,
        """select company_id || ':' || product || ':' || period_label, price_usd_per_kg
                                   from fct_prices where source_kind = 'company_disclosure'"""))
    assert companies["mp_materials:concentrate_reo:2024"] == pytest.approx(4.414)  # 4,414 USD per t REO
    assert companies["lynas:total_reo:FY2024"] is None  # A$ stay A$: no exchange rate in the data


def test_diversification_sets_projects_beside_chinas_share(warehouse):
    rows = {year: rest for year, *rest in query_rows(warehouse, """
        select year, china_share_pct_usgs, projects_started_ids, projects_not_started_ids, stated_capacity
        from mart_diversification where stage = 'mining' order by year""")}
    # MCS 2026 world table, 2025: China 270,000 t of a rounded world 390,000 t.
    assert rows[2025][0] == pytest.approx(100 * 270_000 / 390_000)
    # Started only where a source says it operates: Mountain Pass's mine from 2019 (its FY2021
    # 10-K prints 2019 output), Lynas from its source's year (no start printed); the Minamitori
    # test "scheduled to begin in January 2026" is on record, not started.
    assert rows[2019][1] == "mountain_pass_mine" and rows[2018][1] is None
    assert rows[2025][1] == "lynas_jare_financing;mountain_pass_mine"
    assert "minamitori_seabed_mud" in rows[2026][2] and "minamitori" not in rows[2026][1]
    assert "minamitori_seabed_mud: up_to 350 t of mud per day" in rows[2026][3]
    [(projects, cited)] = query_rows(warehouse,
        """select count(distinct project_id), bool_and(source_locator is not null)
                                        from fct_diversification_projects""")
    with open(settings.EMBEDDED_DIR / "diversification" / "projects.csv", encoding="utf-8") as register:
        in_register = {row["project_id"] for row in csv.DictReader(register)}
    assert projects == len(in_register) and cited


# Audit E3: magnet shares are market shares of unstated basis, shown beside Argus's bound, and
# never turned into Japan's output.
def test_magnet_market_shares_stay_shares_beside_argus(warehouse):
    japan = dict(query_rows(warehouse, """select figure_id, value_as_printed from mart_figures_compared
                               where quantity_key = 'production_share|JPN|-|REO|magnets'"""))
    assert japan["argus_magnets_jpn_share"] == "less than 9 %"
    assert {"fk_magnets_jpn_2013", "fk_magnets_jpn_2021"} <= set(japan)
    bases = query_rows(warehouse, """select distinct share_basis from mart_stage_concentration
                           where stage = 'magnets' and source_kind = 'published_aggregate'""")
    assert bases == [("pct_basis_not_stated",)]
    [(japan_flows,)] = query_rows(warehouse, """select count(*) from fct_element_stage_flows
                                      where origin_iso3 = 'JPN' and stage = 'magnets' and flow_type = 'production'""")
    assert japan_flows == 0


# Audit E5: Japan's demand is a forecast and is labelled one; stockpile and consumption sources
# carry their locators.
def test_japan_consumption_is_labelled_a_forecast_and_sources_name_their_paragraphs(warehouse):
    cover = query_rows(warehouse, """select distinct consumption_basis, consumption_value_qualifier, stockpile_source
                           from mart_stockpile_cover where country_iso3 = 'JPN'""")
    scenarios = query_rows(warehouse, """select distinct consumption_basis, consumption_value_qualifier
                               from mart_disruption_scenarios where importer_iso3 = 'JPN'""")
    assert cover and scenarios
    for basis, qualifier, *_ in cover + scenarios:
        assert basis.startswith("forecast consumption") and not basis.startswith("reported")
        assert "expected to reach 18,835" in basis and qualifier == "forecast"
    assert all("para. 10" in source for _, _, source in cover)


# Audit (MP split): each year's element split is the distribution of the filing covering it.
def test_mountain_pass_years_split_by_their_own_filing(warehouse):
    shares = {(year, element): share for year, element, share in query_rows(warehouse, """
        select year, element, round(100 * quantity_t_reo / sum(quantity_t_reo) filter (where element = 'REO')
                                    over (partition by year), 6)
        from fct_company_production
        where company_id = 'mp_materials' and stage = 'mining' and metric = 'production'
          and is_latest_vintage and period_kind = 'calendar_year' and year in (2019, 2020, 2021)""")}
    for year in (2019, 2020):  # MP Materials 10-K FY2020, PDF page 17
        assert (shares[(year, "Ce")], shares[(year, "La")], shares[(year, "Nd")], shares[(year, "Pr")]) == (
            49.1, 33.4, 11.5, 4.3)
    # MP Materials 10-K FY2021-FY2025
    assert (shares[(2021, "Ce")], shares[(2021, "La")], shares[(2021, "NdPr")]) == (50.2, 32.3, 15.7)


# Audit of the published warehouse, E7: the README said Malaysian oxide traces to Australian ore
# in 2016-2025; that holds for REO from 2017 only, and for no element.
def test_malaysian_oxide_traces_to_australian_ore_as_the_readme_says(warehouse):
    rows = query_rows(warehouse, """
        select element, year, origin_iso3, share_pct from mart_supply_origins
        where country_iso3 = 'MYS' and stage = 'separation' and origin_basis = 'first_origin'""")
    reo = {(year, origin): share for element, year, origin, share in rows if element == "REO"}
    assert reo[(2016, "XXX")] == 100
    assert all(reo[(year, "AUS")] >= 97 for year in range(2017, 2026))
    elements = {(element, year, origin, share) for element, year, origin, share in rows if element != "REO"}
    assert {element for element, *_ in elements} == {"Nd", "Pr", "NdPr"}
    assert {(origin, share) for _, _, origin, share in elements} == {("XXX", 100)}
    assert {year for _, year, _, _ in elements} == {2016, 2017, 2018, 2019, 2025}
    readme = " ".join((REPO_ROOT / "README.md").read_text(encoding="utf-8").split())
    assert ("Malaysian oxide (REO) traces to Australian ore through the Lynas feed in 2017-2025" in readme
            and "Malaysia's Nd, Pr and NdPr oxide is 100 % `XXX` in 2016-2019 and 2025" in readme)
