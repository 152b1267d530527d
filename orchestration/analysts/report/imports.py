"""The chosen importer's supplier mix (mart_import_dependency): stacked shares per period,
immediate supplier beside first origin, one row of charts per element and stage."""

from __future__ import annotations

import duckdb
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from orchestration.analysts.report.figures import colour_for, figure_html, hover, percent, yes_no
from orchestration.analysts.report.page import ReportOptions
from orchestration.analysts.report.reading import country_names, name_of, read_columns, stage_order

TABLE = "mart_import_dependency"
BASES = {"immediate_supplier": "Immediate supplier (where it was shipped from)",
         "first_origin": "First origin (where it was mined)"}
NOT_ITEMIZED = "not itemized"
# Said on a first-origin share traced through a stage whose imports no record of its own holds.
INCOMPLETE_TRACE = ("traced through a stage whose imports no record of the country's own holds: "
                    "it assumes nothing else came in, so the first origin may be wrong")
ROW_HEIGHT = 330


def _periods(frame: pd.DataFrame) -> list[str]:
    ordered = frame[["year", "period_label"]].drop_duplicates().sort_values(["year", "period_label"])
    return list(ordered["period_label"])


def _with_remainder(cell: pd.DataFrame) -> pd.DataFrame:
    """Add the share the source does not itemize, so each bar reaches 100 % and says so."""
    extra = []
    for _period, rows in cell.groupby("period_label", sort=False):
        rest = 100.0 - sum(float(v) for v in rows["origin_share_pct"])
        if rest > 0.05:
            first = rows.iloc[0].to_dict()
            extra.append({**first, "origin_iso3": NOT_ITEMIZED, "origin_share_pct": rest,
                          "origin_method": "100 % less the shares the source itemizes"})
    return pd.concat([cell, pd.DataFrame(extra)], ignore_index=True) if extra else cell


def supplier_mix(con: duckdb.DuckDBPyConnection, options: ReportOptions) -> str:
    frame = read_columns(
        con, TABLE,
        ["importer_iso3", "period_label", "year", "element", "stage", "origin_basis", "origin_iso3",
         "origin_share_pct", "definition", "source_citation"],
        optional=["source_kind", "origin_method", "is_estimate", "coverage_pct", "imports_t_reo", "hs6",
                  "is_first_origin_trace_complete"],
        where="importer_iso3 = ? and origin_share_pct is not null", params=[options.country],
        selection=f"for importer {options.country}",
    )
    # One bar per period: a stage's shares over all its lines, not each HS line's on top of them.
    frame = frame[frame["hs6"].isna()] if "hs6" in frame else frame
    names = country_names(con)
    chain = stage_order(con)
    cells = (frame[["element", "stage"]].drop_duplicates()
             .assign(_order=lambda f: f["stage"].map(lambda s: chain.index(s) if s in chain else -1))
             .sort_values(["element", "_order"]))
    rows = [(e, s) for e, s in zip(cells["element"], cells["stage"], strict=True)]
    bases = [b for b in BASES if b in set(frame["origin_basis"])] + sorted(
        set(frame["origin_basis"]) - set(BASES))
    periods = _periods(frame)
    fig = make_subplots(
        rows=len(rows), cols=len(bases), shared_yaxes=True, vertical_spacing=0.12,
        subplot_titles=[f"{e}, {s}: {BASES.get(b, b)}" for e, s in rows for b in bases],
    )
    colours: dict[str, str] = {}
    in_legend: set[str] = set()
    for r, (element, stage) in enumerate(rows, start=1):
        for c, basis in enumerate(bases, start=1):
            cell = frame[(frame["element"] == element) & (frame["stage"] == stage)
                         & (frame["origin_basis"] == basis)]
            if cell.empty:  # say so inside the empty panel rather than draw bare axes
                fig.update_xaxes(visible=False, row=r, col=c)
                fig.update_yaxes(visible=False, row=r, col=c)
                fig.add_annotation(text=f"no {BASES.get(basis, basis).split(' (')[0].lower()} figures",
                                   showarrow=False, row=r, col=c, x=0.5, y=0.5,
                                   xref="x domain", yref="y domain")
                continue
            cell = _with_remainder(cell)
            for origin, series in cell.groupby("origin_iso3", sort=False, dropna=False):
                label = name_of(names, origin)
                fig.add_trace(go.Bar(
                    x=list(series["period_label"]), y=[float(v) for v in series["origin_share_pct"]],
                    name=label, legendgroup=label, showlegend=label not in in_legend,
                    marker_color=colour_for(origin, colours),
                    hovertext=[_hover(row, label, options.country, names) for row in series.to_dict("records")],
                    hoverinfo="text",
                ), row=r, col=c)
                in_legend.add(label)
            fig.update_xaxes(categoryorder="array", categoryarray=periods, type="category", row=r, col=c)
    fig.update_yaxes(title_text="share of imports (%)", range=[0, 100], col=1)
    fig.update_layout(barmode="stack",
                      title=f"Where {name_of(names, options.country)}'s rare-earth imports come from")
    # Room above the panels: the chart title sits over the first row's panel titles.
    return figure_html(fig, "supplier-mix", height=160 + ROW_HEIGHT * len(rows), top=100)


def _hover(row: dict, label: str, importer: str, names: dict[str, str]) -> str:
    return hover(
        f"{label}: {float(row['origin_share_pct']):.1f} % of {name_of(names, importer)}'s imports, "
        f"{row['period_label']}",
        ("Basis", BASES.get(row["origin_basis"], row["origin_basis"])),
        ("Definition", row["definition"]),
        ("Method", row["origin_method"]),
        ("Source", row["source_citation"]),
        ("Share of imports itemized by the source", percent(row["coverage_pct"])),
        ("Includes an estimate", yes_no(row["is_estimate"])),
        ("Caution", _trace_caution(row.get("is_first_origin_trace_complete"))),
    )


def _trace_caution(complete) -> str | None:
    """The caution for a first-origin share whose trace is known to be incomplete (False only:
    null means nothing was traced, or an immediate supplier)."""
    if complete is None or pd.isna(complete) or bool(complete):
        return None
    return INCOMPLETE_TRACE
