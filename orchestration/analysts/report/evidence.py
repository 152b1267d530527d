"""What stands behind the figures: balance issues in words, the latest quality results, and the
edition or vintage of every source the warehouse uses."""

from __future__ import annotations

import duckdb

from orchestration.analysts.report.page import (
    NothingToShow,
    ReportOptions,
    bullet_list,
    html_table,
    paragraph,
)
from orchestration.analysts.report.reading import read_columns, table_columns

SEVERITY_ORDER = {"error": 0, "warn": 1, "info": 2}
ISSUES_SHOWN = 60  # the rest stay one query away: the page is for reading
FAILED_SHOWN = 40
SAMPLE_CHARS = 240


def balance_issues(con: duckdb.DuckDBPyConnection, options: ReportOptions) -> str:
    frame = read_columns(con, "mart_balance_issues", ["message", "severity"],
                         optional=["country_iso3", "year", "issue_kind"])
    rows = sorted(
        frame.to_dict("records"),
        key=lambda r: (r["country_iso3"] != options.country,
                       SEVERITY_ORDER.get(str(r["severity"]).lower(), 9), -(r["year"] or 0), r["message"]),
    )
    parts = [paragraph(f"{len(rows)} balances do not hold or chains do not add up; nothing is "
                       f"corrected or hidden. {options.country}'s come first.", "note")]
    for severity in sorted({str(r["severity"]).lower() for r in rows},
                           key=lambda s: SEVERITY_ORDER.get(s, 9)):
        chosen = [r["message"] for r in rows if str(r["severity"]).lower() == severity]
        parts.append(f"<h3>{severity.upper()} ({len(chosen)})</h3>" + bullet_list(chosen[:ISSUES_SHOWN]))
        if len(chosen) > ISSUES_SHOWN:
            parts.append(paragraph(f"... and {len(chosen) - ISSUES_SHOWN} more: "
                                   "`reeflow query \"select * from mart_balance_issues\"`.", "note"))
    return "".join(parts)


def _published_run(con: duckdb.DuckDBPyConnection) -> str | None:
    if "run_id" not in table_columns(con, "quality.publications"):
        return None
    row = con.execute("select run_id from quality.publications order by published_at desc limit 1").fetchone()
    return row[0] if row else None


def quality_results(con: duckdb.DuckDBPyConnection, options: ReportOptions) -> str:
    run_id = _published_run(con)
    frame = read_columns(
        con, "quality.check_results", ["run_id", "check_name", "severity", "passed"],
        optional=["asset", "checked_at", "unexpected_count", "sample"],
        where="run_id = ?" if run_id else "", params=[run_id] if run_id else [],
        selection=f"for the published run {run_id}" if run_id else "",
    )
    if not run_id:  # no publication record: the newest run that recorded checks
        latest = frame.sort_values("checked_at").iloc[-1]["run_id"]
        frame = frame[frame["run_id"] == latest]
        run_id = latest
    summary = [
        (severity, int(group["passed"].sum()), int((~group["passed"].astype(bool)).sum()))
        for severity, group in frame.groupby("severity")
    ]
    failed = frame[~frame["passed"].astype(bool)].sort_values(["severity", "check_name"])
    parts = [paragraph(f"Checks of the run that published this snapshot ({run_id}).", "note"),
             html_table(["severity", "passed", "failed"], summary)]
    if failed.empty:
        parts.append(paragraph("Every check passed."))
    else:
        parts.append(html_table(
            ["severity", "asset", "check", "rows failing", "sample"],
            [(r["severity"], r["asset"], r["check_name"], r["unexpected_count"],
              _short(r["sample"])) for r in failed.head(FAILED_SHOWN).to_dict("records")],
        ))
    parts.append(_quarantine(con))
    return "".join(parts)


def _short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= SAMPLE_CHARS else text[: SAMPLE_CHARS - 3] + "..."


def _quarantine(con: duckdb.DuckDBPyConnection) -> str:
    if not {"source_kind", "reason"} <= set(table_columns(con, "quality.quarantined_rows")):
        return paragraph("This warehouse does not record quarantined rows.", "no-data")
    counts = con.execute(
        "select source_kind, reason, count(*) as n from quality.quarantined_rows "
        "group by all order by n desc, source_kind, reason limit ?", [FAILED_SHOWN]
    ).fetchall()
    if not counts:
        return paragraph("No row is quarantined: every landed row was staged.")
    return "<h3>Quarantined rows</h3>" + html_table(["source", "reason", "rows"], counts)


# Each source family: the table, the columns that name an edition or vintage, and how to count.
SOURCE_FAMILIES = [
    ("USGS Mineral Commodity Summaries (world mine production)", "fct_mine_production",
     ["edition"], ["year"]),
    ("Published figures", "fct_published_figures", ["publication", "edition"], ["year"]),
    ("Company disclosures", "fct_company_production", ["publisher", "document_title", "vintage"], ["year"]),
    ("Trade records", "fct_trade_flows", ["source_kind"], ["year"]),
    ("Landed files", "quality.landed_files", ["source_kind", "original_name", "vintage"], []),
]


def sources(con: duckdb.DuckDBPyConnection, options: ReportOptions) -> str:
    parts = []
    for title, table, keys, spans in SOURCE_FAMILIES:
        try:
            frame = read_columns(con, table, keys, optional=spans)
        except NothingToShow as why:
            parts.append(f"<h3>{title}</h3>" + paragraph(str(why), "no-data"))
            continue
        for key in keys:  # a missing edition is a group of its own, shown blank
            frame[key] = frame[key].map(lambda value: "" if value is None else str(value))
        rows = []
        for key, group in frame.groupby(keys):
            years = [int(y) for y in group["year"] if y is not None] if "year" in spans else []
            span = f"{min(years)}-{max(years)}" if years else ""
            rows.append([*key, span, len(group)] if spans else [*key, len(group)])
        headers = [*keys, "years covered", "rows"] if spans else [*keys, "rows"]
        parts.append(f"<h3>{title}</h3>" + html_table(headers, rows))
    return "".join(parts)
