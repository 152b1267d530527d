"""The page around the sections: one HTML file, plotly.js inlined once, every data text escaped.

A section is a function (connection, options) -> HTML. When it has nothing to draw it raises
`NothingToShow` with a sentence saying why, and the page prints that sentence instead of an
empty axis.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import duckdb
from plotly.offline import get_plotlyjs


@dataclass(frozen=True)
class ReportOptions:
    country: str = "JPN"  # the importer of the supplier-mix, stockpile and scenario sections
    element: str = "REO"  # the element of the share, concentration and Sankey sections
    year: int | None = None  # the Sankey's year; None: the latest with flows


class NothingToShow(Exception):
    """A section has no data; the message is the sentence the reader sees instead."""


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    build: Callable[[duckdb.DuckDBPyConnection, ReportOptions], str]


def text(value) -> str:
    """Any value from the data, escaped for HTML."""
    return html.escape("" if value is None else str(value), quote=True)


def paragraph(sentence: str, css_class: str = "") -> str:
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<p{attribute}>{text(sentence)}</p>"


def html_table(headers: Sequence[str], rows: Iterable[Sequence], css_class: str = "data") -> str:
    head = "".join(f"<th>{text(name)}</th>" for name in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{text(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def bullet_list(items: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{text(item)}</li>" for item in items) + "</ul>"


def render_section(con: duckdb.DuckDBPyConnection, options: ReportOptions, section: Section) -> str:
    try:
        body = section.build(con, options)
    except NothingToShow as why:
        body = paragraph(str(why), "no-data")
    return (f'<section id="{text(section.anchor)}" data-section="{text(section.anchor)}">'
            f"<h2>{text(section.title)}</h2>{body}</section>")


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1200px;
       padding: 0 1.5rem 3rem; color: #1f2933; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #d9e2ec; padding-bottom: 0.2rem; margin-top: 2.5rem; }
.meta { color: #52606d; } .no-data { color: #8a4b08; font-style: italic; }
.note { color: #52606d; font-size: 0.92rem; }
table.data { border-collapse: collapse; font-size: 0.9rem; margin: 0.5rem 0 1rem; }
table.data th, table.data td {
  border: 1px solid #d9e2ec; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top;
}
table.data th { background: #f0f4f8; }
nav ol { columns: 2; }
"""


def page(title: str, meta_lines: Sequence[str], sections_html: Sequence[tuple[Section, str]]) -> str:
    contents = "".join(
        f'<li><a href="#{text(section.anchor)}">{text(section.title)}</a></li>'
        for section, _ in sections_html
    )
    meta = "".join(paragraph(line, "meta") for line in meta_lines)
    body = "".join(rendered for _, rendered in sections_html)
    # plotly.js once for the whole page, inline: the file must open with no network at all.
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{text(title)}</title><style>{STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head>'
        f"<body><h1>{text(title)}</h1>{meta}<nav><ol>{contents}</ol></nav>{body}</body></html>\n"
    )
