"""`reeflow report`: one self-contained HTML page of plots and plain sentences built from the
published warehouse. Each section is one function in a module of this package."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.analysts.connection import open_published, published_path
from orchestration.analysts.report import evidence, flows, imports, security, supply
from orchestration.analysts.report.page import ReportOptions, Section, page, render_section
from orchestration.analysts.report.reading import table_columns

SECTIONS = [
    Section("china-share", "China's share of each stage over time", supply.china_share),
    Section("supplier-mix", "The importer's supplier mix: immediate supplier and first origin",
            imports.supplier_mix),
    Section("sankey", "From mine to magnet: one element's flows in one year", flows.sankey),
    Section("stockpile", "Stockpile: days of cover", security.stockpile_cover),
    Section("scenarios", "Disruption scenarios: shortfalls", security.scenarios),
    Section("concentration", "Concentration of each stage (HHI)", supply.concentration),
    Section("balance-issues", "Balances that do not hold, in words", evidence.balance_issues),
    Section("quality", "Latest quality results", evidence.quality_results),
    Section("sources", "Sources: edition and vintage of everything used", evidence.sources),
]


def _snapshot_line(con: duckdb.DuckDBPyConnection) -> str:
    if {"run_id", "published_at"} <= set(table_columns(con, "quality.publications")):
        row = con.execute(
            "select run_id, published_at from quality.publications order by published_at desc limit 1"
        ).fetchone()
        if row:
            return f"Snapshot published {row[1]:%Y-%m-%d %H:%M} UTC by run {row[0]}."
    return "This warehouse does not say when it was published (no quality.publications)."


def build_report(con: duckdb.DuckDBPyConnection, options: ReportOptions, source: str) -> str:
    year = str(options.year) if options.year is not None else "the latest reaching furthest down the chain"
    meta = [
        f"Built from {source}. {_snapshot_line(con)}",
        f"Importer: {options.country}. Element: {options.element}. Sankey year: {year}.",
        "Hover over a point, bar or flow for its source and definition.",
    ]
    rendered = [(section, render_section(con, options, section)) for section in SECTIONS]
    return page("reeflow: rare-earth supply chain report", meta, rendered)


def write_report(out: Path | str, options: ReportOptions, warehouse: Path | str | None = None) -> Path:
    target = Path(out)
    with open_published(warehouse) as con:
        document = build_report(con, options, str(published_path(warehouse)))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(document, encoding="utf-8")
    return target


__all__ = ["SECTIONS", "ReportOptions", "build_report", "write_report"]
