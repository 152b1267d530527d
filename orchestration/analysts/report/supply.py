"""World supply by stage (mart_stage_concentration): China's share over time, and the HHI."""

from __future__ import annotations

import duckdb
import pandas as pd
import plotly.graph_objects as go

from ingest.sources.published_figures import PCT_BASIS_NOT_STATED
from orchestration.analysts.report.figures import (
    STAGE_COLOURS,
    figure_html,
    hover,
    percent,
    yes_no,
)
from orchestration.analysts.report.page import ReportOptions, paragraph
from orchestration.analysts.report.reading import read_columns, stage_order

TABLE = "mart_stage_concentration"
KIND_LABELS = {
    "usgs_mcs": "USGS MCS country tonnages",
    "published_aggregate": "published share",
    "company_disclosure": "company disclosures",
    "trade_records": "trade records",
}
KIND_DEFINITIONS = {
    "usgs_mcs": "China's tonnage over the world total, both from the latest USGS Mineral "
                "Commodity Summaries edition for the year",
    "published_aggregate": "the share as the publication prints it",
    "company_disclosure": "world total from USGS; producers' own reported output itemized",
}
DASHES = ["solid", "dash", "dot", "dashdot", "longdash"]
# US DOJ/FTC Merger Guidelines (2023), section 2.1 (Guideline 1): an HHI above 1,800 is
# a "highly concentrated" market. A yardstick for reading the chart, not a finding.
HIGHLY_CONCENTRATED_HHI = 1_800


def _stage_rows(con: duckdb.DuckDBPyConnection, options: ReportOptions, value: str) -> pd.DataFrame:
    """One row per stage, kind of evidence and year: the CHN row where there is one (it
    carries the citation of China's figure), else any row of the group (HHI and China's share
    are the same on every row of a group)."""
    frame = read_columns(
        con, TABLE,
        ["year", "stage", "element", "source_kind", "country_iso3", value, "source_citation"],
        optional=["entity_kind", "coverage_pct", "is_hhi_lower_bound", "is_estimate", "share_definition",
                  "share_basis", "top_producer_iso3", "top_producer_share_pct", "countries_itemized"],
        where=f'element = ? and "{value}" is not null', params=[options.element],
        selection=f"with a {value} for element {options.element}",
    )
    # Company rows repeat the country picture with a company itemized; one view per group.
    frame = frame[frame["entity_kind"].isna() | (frame["entity_kind"] == "country")]
    frame = frame.assign(_not_china=frame["country_iso3"] != "CHN")
    frame = frame.sort_values(["_not_china", "year"]).drop_duplicates(["stage", "source_kind", "year"])
    return frame.sort_values("year").drop(columns="_not_china")


def _kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def _traces(frame: pd.DataFrame, stages: list[str], value: str, hover_for) -> tuple[go.Figure, list[str]]:
    fig = go.Figure()
    kinds = sorted(frame["source_kind"].unique(), key=lambda k: list(KIND_LABELS).index(k)
                   if k in KIND_LABELS else len(KIND_LABELS))
    missing = []
    for stage in stages + sorted(set(frame["stage"]) - set(stages)):
        rows = frame[frame["stage"] == stage]
        if rows.empty:
            missing.append(stage)
            continue
        for kind in kinds:
            series = rows[rows["source_kind"] == kind]
            if series.empty:
                continue
            # Every year in the span, None where there is no figure: the line breaks at a gap
            # instead of drawing a trend nobody published.
            by_year = {int(row["year"]): row for row in series.to_dict("records")}
            years = list(range(min(by_year), max(by_year) + 1))
            fig.add_trace(go.Scatter(
                x=years, y=[float(by_year[y][value]) if y in by_year else None for y in years],
                mode="lines+markers", name=f"{stage.capitalize()} ({_kind_label(kind)})",
                line={"color": STAGE_COLOURS.get(stage), "dash": DASHES[kinds.index(kind) % len(DASHES)]},
                marker={"size": 9},
                hovertext=[hover_for(by_year[y]) if y in by_year else "" for y in years],
                hoverinfo="text",
            ))
    return fig, missing


def _missing_note(missing: list[str], element: str) -> str:
    if not missing:
        return ""
    return paragraph(f"No figures for {', '.join(missing)} ({element}) in this warehouse.", "no-data")


def _definition(row: dict) -> str:
    return row.get("share_definition") or KIND_DEFINITIONS.get(row["source_kind"], row["source_kind"])


def _is_output_share(row: dict) -> bool:
    """False for a printed share whose basis the source does not state (the magnet market
    shares): it is no share of output."""
    return row.get("share_basis") != PCT_BASIS_NOT_STATED


def china_share(con: duckdb.DuckDBPyConnection, options: ReportOptions) -> str:
    frame = _stage_rows(con, options, "china_share_pct")

    def hover_for(row: dict) -> str:
        of_what = "of world output" if _is_output_share(row) else "of the world market, as printed"
        return hover(
            f"China, {row['stage']}, {row['year']}: {float(row['china_share_pct']):.1f} % {of_what}",
            ("Definition", _definition(row)),
            ("Basis", f"{row['element']}, t REO" if _is_output_share(row)
             else "not stated by the source (by weight or by value): not a share of output"),
            ("Source", row["source_citation"]),
            ("Kind of evidence", _kind_label(row["source_kind"])),
            ("World total covered by itemized producers", percent(row["coverage_pct"])),
            ("Includes an estimate", yes_no(row["is_estimate"])),
        )

    fig, missing = _traces(frame, stage_order(con), "china_share_pct", hover_for)
    fig.update_layout(title=f"China's share of each stage worldwide, {options.element}",
                      yaxis={"title": "China's share (%)", "range": [0, 100]},
                      xaxis={"title": "year", "dtick": 1})
    return figure_html(fig, "china-share") + _missing_note(missing, options.element)


def concentration(con: duckdb.DuckDBPyConnection, options: ReportOptions) -> str:
    frame = _stage_rows(con, options, "hhi")

    def hover_for(row: dict) -> str:
        lower = " (a lower bound: not every producer is itemized)" if row["is_hhi_lower_bound"] else ""
        return hover(
            f"HHI {float(row['hhi']):,.0f}{lower}",
            ("Stage, year", f"{row['stage']}, {row['year']}"),
            ("Top producer", f"{row['top_producer_iso3']} {percent(row['top_producer_share_pct'])}"
             if row["top_producer_iso3"] else None),
            ("Producers itemized", row["countries_itemized"]),
            ("World total covered", percent(row["coverage_pct"])),
            ("Definition", "sum of squared country shares in %, 0-10,000; " + _definition(row)),
            ("Source", row["source_citation"]),
        )

    fig, missing = _traces(frame, stage_order(con), "hhi", hover_for)
    fig.add_hline(y=HIGHLY_CONCENTRATED_HHI, line_dash="dot", line_color="#7b8794",
                  annotation_text="1,800: 'highly concentrated' (US Merger Guidelines 2023)",
                  annotation_position="top left")
    fig.update_layout(title=f"Concentration of world output by stage (HHI), {options.element}",
                      yaxis={"title": "HHI (0-10,000)", "range": [0, 10_000]},
                      xaxis={"title": "year", "dtick": 1})
    return figure_html(fig, "concentration") + _missing_note(missing, options.element)

