# ruff: noqa: E501 - SQL fixtures are rows of data, one per line
"""`reeflow report` from a small warehouse written here with the columns each section reads:
every plot carries the data it was given (read back from the HTML), hover text holds source and
definition, text from the data is escaped, and a section with nothing to show says so in words."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from plotly.offline import get_plotlyjs

from orchestration import cli
from orchestration.analysts.report import SECTIONS, ReportOptions, build_report, write_report
from tests.report_html import figures, no_data_sentences

# Figures from the embedded data with their citations; the flows, stockpile and scenario rows
# are shaped like the marts' but their values are labelled test values.
USGS = "MCS2025: USGS Mineral Commodity Summaries 2025, Rare Earths, p. 145"
METI = "METI"
HOSTILE = '<script>alert("x")</script> & Co'
TABLES = {
    "mart_stage_concentration": f"""
        create table mart_stage_concentration as select * from (values
          (2022, 'mining', 'REO', 'usgs_mcs', 'country', 'CHN', 70.0, 70.0, 5155.6, 98.9, false, false,
           'CHN', 70.0, 15, 'MCS2024: USGS Mineral Commodity Summaries 2024, Rare Earths, p. 145',
           'pct_of_world_output', null),
          (2023, 'mining', 'REO', 'usgs_mcs', 'country', 'CHN', 67.8, 67.8, 4876.7, 99.0, false, false,
           'CHN', 67.8, 15, '{USGS}', 'pct_of_world_output', null),
          (2023, 'mining', 'REO', 'usgs_mcs', 'country', 'USA', 11.5, 67.8, 4876.7, 99.0, false, false,
           'CHN', 67.8, 15, '{USGS}', 'pct_of_world_output', null),
          (2023, 'separation', 'REO', 'published_aggregate', 'country', 'CHN', 92.0, 92.0, 8464.0,
           92.0, true, false, 'CHN', 92.0, 1, 'IEA Global Critical Minerals Outlook 2024',
           'pct_of_world_output', 'Share of world refined output'),
          (2021, 'magnets', 'REO', 'published_aggregate', 'country', 'CHN', 84.0, 84.0, 7281.0,
           99.0, false, true, 'CHN', 84.0, 2, 'Fuji Keizai, via a newspaper', 'pct_basis_not_stated',
           'Share of the global magnet market')
        ) t(year, stage, element, source_kind, entity_kind, country_iso3, share_pct, china_share_pct,
            hhi, coverage_pct, is_hhi_lower_bound, is_estimate, top_producer_iso3,
            top_producer_share_pct, countries_itemized, source_citation, share_basis,
            share_definition)""",
    "mart_import_dependency": f"""
        create table mart_import_dependency as select * from (values
          ('JPN', '2018', 2018, 'REO', 'all', 'immediate_supplier', 'CHN', 58.0, 93.0,
           'Share of Japan''s rare-earth imports by partner', '{METI}', 'as published', null),
          ('JPN', '2018', 2018, 'REO', 'all', 'immediate_supplier', 'VNM', 14.0, 93.0,
           'Share of Japan''s rare-earth imports by partner', '{METI}', 'as published', null),
          ('JPN', '2018', 2018, 'REO', 'all', 'first_origin', 'CHN', 58.0, 93.0,
           'Share of Japan''s rare-earth imports by partner', '{METI}', 'traced', false),
          ('JPN', '2024', 2024, 'REO', 'all', 'immediate_supplier', 'CHN', 70.0, 70.0,
           'China''s share of Japan''s rare-earth imports', 'JOGMEC, via The Wall Street Journal 2025-07-27',
           'as published', null),
          ('USA', '2020-2023', 2023, 'REO', 'separation', 'immediate_supplier', 'CHN', 70.0, 100.0,
           'Share of US imports of compounds and metals', 'USGS Mineral Commodity Summaries 2025',
           'as published', null)
        ) t(importer_iso3, period_label, year, element, stage, origin_basis, origin_iso3,
            origin_share_pct, coverage_pct, definition, source_citation, origin_method,
            is_first_origin_trace_complete)""",
    "mart_sankey_flows": """
        create table mart_sankey_flows as select * from (values
          (2023, 'REO', 'Mining: China', 'Separation: China', 1000.0, 'processing', 'mining', 'separation', true),
          (2023, 'REO', 'Separation: China', 'Magnets: China', 600.0, 'processing', 'separation', 'magnets', true),
          (2023, 'REO', 'Separation: China', 'Use, stock or unrecorded flow: China', 400.0, 'end_use', 'separation', null, true),
          (2024, 'REO', 'Mining: China', 'Use, stock or unrecorded flow: China', 1200.0, 'end_use', 'mining', null, false),
          (2023, 'NdPr', 'Mining: United States', 'Separation: United States', 200.0, 'processing', 'mining', 'separation', false)
        ) t(year, element, source_node, target_node, value_t_reo, link_kind, source_stage, target_stage,
            includes_estimate)""",
    "mart_stockpile_cover": """
        create table mart_stockpile_cover as select * from (values
          (2024, 'JPN', 'REO', 'all', 60.0, 'CHN', 85.7, 70.0, '2024', 'immediate_supplier',
           'test value: stockpile source', 'test value: share source')
        ) t(year, country_iso3, element, stage, days_of_cover, cut_origin_iso3, days_of_cover_if_cut,
            cut_origin_share_pct, share_period_label, origin_basis, stockpile_source, share_source)""",
    "mart_disruption_scenarios": """
        create table mart_disruption_scenarios as select * from (values
          ('jp_cut', 'Test scenario: China stops shipments', 'JPN', 'all', 13000.0, 10000.0, 4000.0,
           'test value', null, 2.6e12, 'JPY', 'Nomura Research Institute', 'Estimated loss'),
          ('jp_gap', 'Test scenario without figures', 'JPN', 'magnets', null, null, null,
           'test value', 'magnet consumption not recorded', null, null, null, null)
        ) t(scenario_id, scenario_name, importer_iso3, stage, lost_supply_t, shortfall_after_stockpile_t,
            shortfall_after_rerouting_t, description, data_gap, reference_value, reference_unit,
            reference_publication, reference_definition)""",
    "mart_balance_issues": f"""
        create table mart_balance_issues as select * from (values
          ('warn', 2021, 'USA', 'United States 2021, mining stage, REO: apparent consumption is negative'),
          ('warn', 2020, 'JPN', 'Japan 2020, magnets stage, REO: output above the recorded feed'),
          ('info', 2022, 'JPN', 'Japan 2022, separation stage: exports but no production recorded {HOSTILE}')
        ) t(severity, year, country_iso3, message)""",
    "quality.check_results": """
        create table quality.check_results as select * from (values
          ('run-1', timestamp '2025-01-01 10:00', 'ingest/usgs', 'expect_between(yoy_factor)', 'WARN', false, 2, 'MDG 2022'),
          ('run-1', timestamp '2025-01-01 10:00', 'mart', 'not_null', 'ERROR', true, 0, null),
          ('run-0', timestamp '2024-01-01 10:00', 'mart', 'old_check_of_an_older_run', 'ERROR', false, 1, null)
        ) t(run_id, checked_at, asset, check_name, severity, passed, unexpected_count, sample)""",
    "quality.publications": """
        create table quality.publications as
        select 'run-1' as run_id, timestamp '2025-01-01 10:05' as published_at""",
    "quality.quarantined_rows": """
        create table quality.quarantined_rows as select 'usgs_mcs' as source_kind,
        'ambiguous unit' as reason""",
    "dim_countries": """
        create table dim_countries as select * from (values
          ('CHN', 'China'), ('VNM', 'Vietnam'), ('JPN', 'Japan'), ('USA', 'United States')
        ) t(country_iso3, country_name)""",
    "fct_mine_production": """
        create table fct_mine_production as select * from (values
          ('MCS2024', 2022), ('MCS2025', 2023), ('MCS2025', 2024)) t(edition, year)""",
}


def make_warehouse(path: Path, skip: tuple[str, ...] = (), extra: tuple[str, ...] = ()) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema quality")
        for name, sql in TABLES.items():
            if name not in skip:
                con.execute(sql)
        for sql in extra:
            con.execute(sql)
    return path


@pytest.fixture
def report(tmp_path) -> str:
    path = make_warehouse(tmp_path / "w.duckdb")
    out = write_report(tmp_path / "report.html", ReportOptions(country="JPN", element="REO"), path)
    return out.read_text()


def test_every_plot_carries_the_data_it_was_given(report):
    drawn = figures(report)
    assert set(drawn) == {"china-share", "supplier-mix", "sankey", "stockpile", "scenarios", "concentration"}
    mining = next(t for t in drawn["china-share"] if t["name"].startswith("Mining"))
    assert (mining["x"], mining["y"]) == ([2022, 2023], [70.0, 67.8])  # CHN's rows, one per year
    separation = next(t for t in drawn["china-share"] if t["name"].startswith("Separation"))
    assert separation["y"] == [92.0]
    bars = {(t["name"], tuple(t["x"])): t["y"] for t in drawn["supplier-mix"]}
    assert bars[("China", ("2018", "2024"))] == [58.0, 70.0]
    assert bars[("Vietnam", ("2018",))] == [14.0]
    # The share the source does not itemize completes each bar to 100 %.
    assert bars[("not itemized", ("2018", "2024"))] == pytest.approx([28.0, 30.0])
    (sankey,) = drawn["sankey"]
    assert sankey["link"]["value"] == [1000.0, 600.0, 400.0]  # 2023: the year reaching magnets
    assert sankey["node"]["label"][:2] == ["Mining: China", "Separation: China"]
    (stock,) = drawn["stockpile"]
    assert stock["x"] == [60.0, 85.7]
    lost = next(t for t in drawn["scenarios"] if t["name"] == "Supply lost")
    assert lost["y"] == [13000.0]  # the scenario without figures is listed in words instead
    hhi = next(t for t in drawn["concentration"] if t["name"].startswith("Mining"))
    assert hhi["y"] == [5155.6, 4876.7]


def test_hover_gives_source_and_definition_of_every_point(report):
    drawn = figures(report)
    mining = next(t for t in drawn["china-share"] if t["name"].startswith("Mining"))
    assert "Source: MCS2025: USGS Mineral Commodity Summaries 2025" in mining["hovertext"][1]
    assert "Definition: China&#x27;s tonnage over the world total" in mining["hovertext"][1]
    assert "% of world output" in mining["hovertext"][1]
    # A market share of unstated basis is not called a share of output.
    magnets = next(t for t in drawn["china-share"] if t["name"].startswith("Magnets"))
    assert "of the world market, as printed" in magnets["hovertext"][0]
    assert "not a share of output" in magnets["hovertext"][0]
    assert "Definition: Share of the global magnet market" in magnets["hovertext"][0]
    china = next(t for t in drawn["supplier-mix"] if t["name"] == "China")
    assert all("Source: " in text and "Definition: " in text for text in china["hovertext"])
    assert "Source: METI" in china["hovertext"][0]
    # A first-origin share traced through unrecorded imports says so; an immediate supplier not.
    texts = [text for t in drawn["supplier-mix"] if t["name"] == "China" for text in t["hovertext"]]
    cautioned = [text for text in texts if "Caution: traced through a stage" in text]
    assert len(cautioned) == 1 and "First origin" in cautioned[0]


def test_text_from_the_data_is_escaped(report):
    assert "<script>alert" not in report
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in report


def test_plotly_is_inlined_once_and_nothing_is_fetched(report):
    plotly_js = get_plotlyjs()
    assert report.count(plotly_js[:300]) == 1
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", report)


def test_words_where_there_is_nothing_to_draw(report):
    sentences = no_data_sentences(report)
    assert "No figures for refining (REO)" in sentences["china-share"]
    assert "magnet consumption not recorded" in report  # the scenario's data gap, in words
    assert "Test scenario without figures (magnets)" in report


def test_filters_choose_importer_element_and_year(tmp_path):
    path = make_warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(path), read_only=True) as con:
        usa = build_report(con, ReportOptions(country="USA", element="NdPr", year=2023), "test")
        later = build_report(con, ReportOptions(year=2024), "test")
        absent = build_report(con, ReportOptions(year=2019), "test")
    drawn = figures(usa)
    assert [t["name"] for t in drawn["supplier-mix"]] == ["China", "not itemized"]
    assert drawn["sankey"][0]["link"]["value"] == [200.0]
    sentences = no_data_sentences(usa)
    assert sentences["stockpile"] == "mart_stockpile_cover has no rows for USA."
    assert "for element NdPr" in sentences["china-share"]
    assert figures(later)["sankey"][0]["link"]["value"] == [1200.0]
    assert no_data_sentences(absent)["sankey"] == (
        "mart_sankey_flows has no flows of REO in 2019; years with flows: 2023, 2024 (choose one with --year)."
    )


def test_an_empty_warehouse_gives_a_sentence_per_section_and_no_axis(tmp_path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    with duckdb.connect(str(path), read_only=True) as con:
        document = build_report(con, ReportOptions(), "test")
    assert figures(document) == {}
    assert 'data-figure="' not in document
    sentences = no_data_sentences(document)
    assert set(sentences) == {section.anchor for section in SECTIONS}
    assert sentences["sankey"] == "This warehouse has no table mart_sankey_flows, so there is nothing to show here."
    assert "no table fct_mine_production" in document  # the sources section, per family


def test_a_missing_column_is_named_and_an_older_mart_without_optional_columns_still_draws(tmp_path):
    path = make_warehouse(tmp_path / "w.duckdb", extra=(
        "alter table mart_sankey_flows drop column value_t_reo",
        "alter table mart_stage_concentration drop column coverage_pct",
        "alter table mart_stage_concentration drop column entity_kind",
    ))
    with duckdb.connect(str(path), read_only=True) as con:
        document = build_report(con, ReportOptions(), "test")
    assert no_data_sentences(document)["sankey"].startswith(
        "mart_sankey_flows has no column value_t_reo, which this section needs")
    assert "china-share" in figures(document)


def test_the_marts_share_definition_is_used_where_it_has_one(tmp_path):
    gains_definition = ("update mart_stage_concentration set share_definition = "
                        "'Share of world separated oxide output' where stage = 'mining'")
    path = make_warehouse(tmp_path / "w.duckdb", extra=(gains_definition,))
    with duckdb.connect(str(path), read_only=True) as con:
        document = build_report(con, ReportOptions(), "test")
    mining = next(t for t in figures(document)["china-share"] if t["name"].startswith("Mining"))
    assert "Definition: Share of world separated oxide output" in mining["hovertext"][0]


def test_quality_sources_and_balance_issues_in_words(report):
    quality = report[report.index('id="quality"'):report.index('id="sources"')]
    assert "run-1" in quality and "expect_between(yoy_factor)" in quality
    assert "old_check_of_an_older_run" not in quality  # only the published run's checks
    assert "ambiguous unit" in quality
    sources = report[report.index('id="sources"'):]
    assert "MCS2024" in sources and "MCS2025" in sources and "2023-2024" in sources
    issues = report[report.index('id="balance-issues"'):report.index('id="quality"')]
    assert issues.index("WARN (2)") < issues.index("INFO (1)")
    assert issues.index("Japan 2020") < issues.index("United States 2021")  # the importer's first


def test_the_cli_writes_the_report(tmp_path, monkeypatch, capsys):
    path = make_warehouse(tmp_path / "w.duckdb")
    monkeypatch.setenv("REEFLOW_WAREHOUSE", str(path))
    out = tmp_path / "out" / "r.html"
    assert cli.main(["report", "--country", "jpn", "--element", "REO", "--out", str(out)]) == 0
    assert "sankey" in figures(out.read_text())
    with pytest.raises(SystemExit) as usage_error:
        cli.main(["report", "--country", "Japan", "--out", str(out)])
    assert usage_error.value.code == 2
    assert "not an ISO3 country code" in capsys.readouterr().err
