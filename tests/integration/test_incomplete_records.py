"""What the published warehouse says where its records are incomplete, on the warehouse `reeflow
run` builds from the embedded data: a balance or a first origin that rests on trade no record holds
is flagged or left unknown, never read as all used at home or all Chinese ore. The third audit of
the published figures found each of these cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.embedded_warehouse import embedded_warehouse_env, query_rows

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Path:
    return Path(embedded_warehouse_env(tmp_path_factory)["REEFLOW_WAREHOUSE"])


def test_us_ore_in_years_without_printed_exports_is_not_read_as_used_at_home(warehouse):
    rows = dict((year, (consumption, status)) for year, consumption, status in query_rows(warehouse, """
        select year, apparent_consumption_t_reo, balance_status from mart_country_balances
        where country_iso3 = 'USA' and element = 'REO' and stage = 'mining' and year in (2019, 2025)"""))
    assert rows == {2019: (None, "trade_not_recorded"), 2025: (None, "trade_not_recorded")}
    listed = query_rows(warehouse, """select year, message from mart_balance_issues
        where issue_kind = 'trade_not_recorded' and country_iso3 = 'USA' and element = 'REO'
          and stage = 'mining' order by year""")
    assert [year for year, _ in listed] == [2018, 2019, 2025]
    assert all("is recorded in 2020-2024" in message for _, message in listed)


def test_exports_known_only_from_the_us_imports_leave_chinas_balance_unknown(warehouse):
    [(exports, own, status, consumption)] = query_rows(warehouse, """
        select exports_t_reo, is_exports_self_reported, balance_status, apparent_consumption_t_reo
        from mart_country_balances
        where country_iso3 = 'CHN' and element = 'REO' and stage = 'separation' and year = 2024""")
    assert exports > 0 and not own and status == "trade_partial" and consumption is None
    # Its supply tonnes are unknown too; the shares of its recorded flows stand.
    [(supply, share)] = query_rows(warehouse, """select supply_t_reo, share_pct from mart_supply_origins
        where country_iso3 = 'CHN' and element = 'REO' and stage = 'separation' and year = 2024
          and origin_basis = 'immediate_supplier'""")
    assert supply is None and share == 100
    # The US's own statistics give its imports and exports: its balance stands.
    [(us_status, us_consumption)] = query_rows(warehouse, """
        select balance_status, apparent_consumption_t_reo from mart_country_balances
        where country_iso3 = 'USA' and element = 'REO' and stage = 'separation' and year = 2024""")
    assert us_status != "trade_partial" and us_consumption > 0


def test_first_origins_resting_on_unrecorded_ore_imports_are_flagged(warehouse):
    rows = query_rows(warehouse, """
        select country_iso3, list(distinct is_first_origin_trace_complete) from mart_supply_origins
        where element = 'REO' and stage = 'separation' and year = 2024 and origin_basis = 'first_origin'
        group by country_iso3""")
    flags = {country: values for country, values in rows}
    # China's and the US's oxide are made from ore whose imports no record holds; Malaysia's from
    # the recorded Lynas feed. One flag per country-stage (the set's).
    assert flags["CHN"] == [False] and flags["USA"] == [False] and flags["MYS"] == [True]
    immediate = query_rows(warehouse, """select distinct is_first_origin_trace_complete
        from mart_supply_origins where origin_basis = 'immediate_supplier'""")
    assert immediate == [(None,)]


def test_an_elements_ore_whose_trade_names_no_element_is_not_called_untraced(warehouse):
    [(target, kind)] = query_rows(warehouse, """select target_node, link_kind from mart_sankey_flows
        where element = 'Ce' and year = 2024 and source_node = 'Mining: United States'""")
    assert (target, kind) == ("Trade not recorded by element: United States", "element_trade_not_recorded")
