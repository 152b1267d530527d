"""Plotly figures as page fragments, and hover text built from escaped data."""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from orchestration.analysts.report.page import text

CHINA = "CHN"
# One colour per stage and per origin, the same in every chart of the page.
STAGE_COLOURS = {"mining": "#8c564b", "separation": "#1f77b4", "refining": "#9467bd",
                 "magnets": "#d62728", "all": "#52606d"}
ORIGIN_COLOURS = {CHINA: "#d62728", "XXX": "#9aa5b1", "WLD": "#bcccdc", "OTH": "#cbd2d9",
                  "not itemized": "#e4e7eb"}
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
           "#bcbd22", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a"]
HOVER_WIDTH = 90  # characters: long citations wrap instead of running off the screen


def colour_for(code: str, assigned: dict[str, str]) -> str:
    if code in ORIGIN_COLOURS:
        return ORIGIN_COLOURS[code]
    if code not in assigned:
        assigned[code] = PALETTE[len(assigned) % len(PALETTE)]
    return assigned[code]


def hover(title: str, *lines: tuple[str, object]) -> str:
    """Plotly hover text: a bold title, then "label: value" lines; data escaped, None left out.

    Plotly renders a small HTML subset in hover labels, so data goes in escaped and the only
    markup is the <b> and <br> added here.
    """
    parts = [f"<b>{text(title)}</b>"]
    for label, value in lines:
        if value is None or value == "":
            continue
        wrapped = textwrap.wrap(f"{label}: {value}", HOVER_WIDTH) or [""]
        parts.append("<br>".join(text(piece) for piece in wrapped))
    return "<br>".join(parts)


def wrapped_label(label: str, width: int = 28) -> str:
    """An axis label from the data: escaped, broken over lines so long names stay readable."""
    return "<br>".join(text(piece) for piece in textwrap.wrap(label, width)) or text(label)


def percent(value) -> str | None:
    return None if value is None else f"{float(value):.1f} %"


def tonnes(value, unit: str = "t") -> str | None:
    return None if value is None else f"{float(value):,.0f} {unit}"


def yes_no(value) -> str | None:
    return None if value is None else ("yes" if value else "no")


def figure_html(fig: go.Figure, name: str, height: int = 460, top: int = 50) -> str:
    """The figure's div and its call to the page's one copy of plotly.js."""
    fig.update_layout(template="plotly_white", height=height,
                      margin={"l": 60, "r": 30, "t": top, "b": 50},
                      hoverlabel={"align": "left"})
    return (f'<div class="figure" data-figure="{text(name)}">'
            + fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"fig-{name}",
                          config={"displaylogo": False, "responsive": True})
            + "</div>")
