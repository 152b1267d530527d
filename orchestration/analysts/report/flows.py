"""One element's flows from mine to magnet for one year (mart_sankey_flows)."""

from __future__ import annotations

import duckdb
import plotly.graph_objects as go

from orchestration.analysts.report.figures import STAGE_COLOURS, figure_html, hover, tonnes, yes_no
from orchestration.analysts.report.page import NothingToShow, ReportOptions
from orchestration.analysts.report.reading import read_columns

TABLE = "mart_sankey_flows"
LINK_KINDS = {
    "processing": "feeds a recorded output at the stage below",
    "end_use": "use, stock or onward flow nothing recorded below draws on",
    "not_traced": "ore whose destination is not recorded (not the miner's own use)",
    "exports_unreported": "exports whose destination is not reported",
    "element_trade_not_recorded": "the element's supply where its country's trade names no element: "
                                  "part of it may have left or come in by that trade",
}
LINK_COLOURS = {"processing": "rgba(31,119,180,0.35)", "end_use": "rgba(123,135,148,0.3)",
                "not_traced": "rgba(255,127,14,0.3)", "exports_unreported": "rgba(214,39,40,0.3)",
                "element_trade_not_recorded": "rgba(148,103,189,0.3)"}


def sankey(con: duckdb.DuckDBPyConnection, options: ReportOptions) -> str:
    frame = read_columns(
        con, TABLE, ["year", "element", "source_node", "target_node", "value_t_reo"],
        optional=["link_kind", "source_stage", "target_stage", "includes_estimate"],
        where="element = ? and value_t_reo > 0", params=[options.element],
        selection=f"for element {options.element}",
    )
    years = sorted(int(y) for y in frame["year"].unique())
    year = options.year if options.year is not None else default_year(frame)
    flows = frame[frame["year"] == year].sort_values("value_t_reo", ascending=False)
    if flows.empty:
        raise NothingToShow(
            f"{TABLE} has no flows of {options.element} in {year}; years with flows: "
            f"{', '.join(str(y) for y in years)} (choose one with --year)."
        )
    nodes = list(dict.fromkeys(list(flows["source_node"]) + list(flows["target_node"])))
    index = {node: i for i, node in enumerate(nodes)}
    stage_of = {**dict(zip(flows["target_node"], flows["target_stage"], strict=True)),
                **dict(zip(flows["source_node"], flows["source_stage"], strict=True))}
    links = flows.to_dict("records")
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": nodes, "pad": 14, "thickness": 16,
              "color": [STAGE_COLOURS.get(stage_of.get(node), "#bcccdc") for node in nodes],
              "hovertemplate": "%{label}: %{value:,.0f} t REO<extra></extra>"},
        link={"source": [index[row["source_node"]] for row in links],
              "target": [index[row["target_node"]] for row in links],
              "value": [float(row["value_t_reo"]) for row in links],
              "color": [LINK_COLOURS.get(row["link_kind"], "rgba(123,135,148,0.3)") for row in links],
              "customdata": [_hover(row) for row in links],
              "hovertemplate": "%{customdata}<extra></extra>"},
    ))
    fig.update_layout(title=f"{options.element} from mine to magnet, {year} (t REO)")
    return figure_html(fig, "sankey", height=max(420, 28 * len(nodes)))


def default_year(frame) -> int:
    """The latest year among those whose flows reach furthest down the chain: the most
    complete picture from mine to magnet, not a year with only mine output yet."""
    depth = frame.groupby("year")["source_stage"].nunique(dropna=True)
    return int(max(depth.index, key=lambda year: (depth[year], year)))


def _hover(row: dict) -> str:
    return hover(
        f"{row['source_node']} -> {row['target_node']}",
        ("Flow", tonnes(row["value_t_reo"], "t REO")),
        ("Kind", LINK_KINDS.get(row["link_kind"], row["link_kind"])),
        ("A balance behind it includes an estimate", yes_no(row["includes_estimate"])),
    )
