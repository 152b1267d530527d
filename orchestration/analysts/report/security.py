"""Supply security for the chosen importer: stockpile days of cover (mart_stockpile_cover) and
the disruption scenarios' shortfalls (mart_disruption_scenarios)."""

from __future__ import annotations

import duckdb
import plotly.graph_objects as go

from orchestration.analysts.report.figures import figure_html, hover, percent, tonnes, wrapped_label
from orchestration.analysts.report.page import NothingToShow, ReportOptions, bullet_list, paragraph
from orchestration.analysts.report.reading import country_names, name_of, read_columns

SHORTFALL_STEPS = {
    "lost_supply_t": ("Supply lost", "#d62728"),
    "shortfall_after_stockpile_t": ("Shortfall after stockpile drawdown", "#ff7f0e"),
    "shortfall_after_rerouting_t": ("Shortfall after re-routing", "#1f77b4"),
}


def stockpile_cover(con: duckdb.DuckDBPyConnection, options: ReportOptions) -> str:
    frame = read_columns(
        con, "mart_stockpile_cover",
        ["year", "country_iso3", "element", "stage", "days_of_cover"],
        optional=["cut_origin_iso3", "days_of_cover_if_cut", "cut_origin_share_pct", "share_period_label",
                  "origin_basis", "share_definition", "stockpile_t", "consumption_t_per_year",
                  "consumption_basis", "stockpile_source", "share_source"],
        where="country_iso3 = ? and days_of_cover is not null", params=[options.country],
        selection=f"for {options.country}",
    )
    names = country_names(con)
    bars: dict[str, tuple[float, str]] = {}  # label -> (days, hover); rows repeat per cut origin
    for row in frame.sort_values("year").to_dict("records"):
        scope = f"{row['year']} {row['element']} ({row['stage']})"
        bars.setdefault(f"{scope}: whole stockpile", (float(row["days_of_cover"]), hover(
            f"{float(row['days_of_cover']):,.0f} days of consumption",
            ("Stockpile", tonnes(row["stockpile_t"])),
            ("Consumption", tonnes(row["consumption_t_per_year"], "t a year")),
            ("Consumption basis", row["consumption_basis"]),
            ("Source", row["stockpile_source"]),
        )))
        if row["cut_origin_iso3"] is None or row["days_of_cover_if_cut"] is None:
            continue
        cut = name_of(names, row["cut_origin_iso3"])
        label = (f"{scope}: if {cut} is cut off (share {row['share_period_label']}, "
                 f"{(row['origin_basis'] or '').replace('_', ' ')})")
        bars.setdefault(label, (float(row["days_of_cover_if_cut"]), hover(
            f"{float(row['days_of_cover_if_cut']):,.0f} days if {cut}'s share is lost",
            (f"{cut}'s share", percent(row["cut_origin_share_pct"])),
            ("Share definition", row["share_definition"]),
            ("Share source", row["share_source"]),
            ("Stockpile source", row["stockpile_source"]),
        )))
    labels = list(bars)
    fig = go.Figure(go.Bar(
        y=[wrapped_label(label, 60) for label in labels], x=[bars[label][0] for label in labels],
        orientation="h", marker_color="#1f77b4",
        hovertext=[bars[label][1] for label in labels], hoverinfo="text",
    ))
    fig.update_layout(title=f"How long {name_of(names, options.country)}'s stockpile lasts",
                      xaxis={"title": "days of cover"}, yaxis={"autorange": "reversed"})
    return figure_html(fig, "stockpile", height=160 + 45 * len(labels))


def scenarios(con: duckdb.DuckDBPyConnection, options: ReportOptions) -> str:
    frame = read_columns(
        con, "mart_disruption_scenarios",
        ["scenario_id", "scenario_name", "importer_iso3", "stage", *SHORTFALL_STEPS],
        optional=["description", "data_gap", "reference_value", "reference_unit",
                  "reference_publication", "reference_definition", "shortfall_pct_of_consumption",
                  "duration_days", "scenario_source", "share_source"],
        where="importer_iso3 = ?", params=[options.country],
        selection=f"for importer {options.country}",
    ).sort_values(["scenario_id", "stage"])
    rows = frame.to_dict("records")
    drawable = [r for r in rows if any(r[column] is not None for column in SHORTFALL_STEPS)]
    notes = [f"{r['scenario_name']} ({r['stage']}): {r['data_gap']}" for r in rows if r["data_gap"]]
    references = list(dict.fromkeys(
        f"{r['scenario_name']}: {r['reference_definition'] or 'published estimate'} "
        f"{r['reference_value']:,.0f} {r['reference_unit'] or ''} ({r['reference_publication']})"
        for r in rows if r["reference_value"] is not None
    ))
    parts = []
    if drawable:
        labels = [wrapped_label(f"{r['scenario_name']} [{r['stage']}]") for r in drawable]
        fig = go.Figure()
        for column, (title, colour) in SHORTFALL_STEPS.items():
            fig.add_trace(go.Bar(
                x=labels, y=[r[column] for r in drawable], name=title, marker_color=colour,
                hovertext=[_scenario_hover(r, title, column) for r in drawable], hoverinfo="text",
            ))
        fig.update_layout(barmode="group", title="Disruption scenarios: supply lost and what is left short",
                          yaxis={"title": "tonnes"}, xaxis={"tickangle": 0, "automargin": True})
        parts.append(figure_html(fig, "scenarios", height=520))
    else:
        parts.append(paragraph("No scenario has a computed shortfall yet (see the data gaps below).",
                               "no-data"))
    if references:
        parts.append("<h3>Published loss estimates beside them</h3>" + bullet_list(references))
    if notes:
        parts.append("<h3>Data gaps</h3>" + bullet_list(notes))
    if not (drawable or references or notes):
        raise NothingToShow(f"The scenarios for {options.country} have neither figures nor notes.")
    return "".join(parts)


def _scenario_hover(row: dict, title: str, column: str) -> str:
    return hover(
        f"{title}: {tonnes(row[column]) or 'not computed'}",
        ("Scenario", row["scenario_name"]),
        ("Stage", row["stage"]),
        ("What it assumes", row["description"]),
        ("Duration", None if row["duration_days"] is None else f"{row['duration_days']} days"),
        ("Shortfall, share of consumption", percent(row["shortfall_pct_of_consumption"])),
        ("Scenario source", row["scenario_source"]),
        ("Share source", row["share_source"]),
    )
