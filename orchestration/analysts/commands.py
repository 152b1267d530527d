"""The analysts' `reeflow` subcommands: report, query, docs. `orchestration.cli` registers them
with one call, so the CLI module only wires them in; it prints an AnalystError as one line and
exits 2, as for its own usage errors."""

from __future__ import annotations

import argparse

from orchestration.printable import say


def _country(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO3 country code (e.g. JPN)")
    return code


def cmd_report(args: argparse.Namespace) -> int:
    from orchestration.analysts.report import ReportOptions, write_report

    options = ReportOptions(country=args.country, element=args.element, year=args.year)
    path = write_report(args.out, options)
    say(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, opens offline)")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from orchestration.analysts.query import run_query

    result = run_query(args.sql, fmt=args.format, out=args.out)
    if args.out:
        say(f"wrote {result.rows} rows to {args.out}")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from orchestration.analysts.docs import generate_docs

    result = generate_docs(args.out)
    say(f"wrote {result.index}: {result.models} models and seeds, {result.columns} columns")
    if result.undescribed:
        shown = ", ".join(result.undescribed[:15]) + (" ..." if len(result.undescribed) > 15 else "")
        say(f"warning: {len(result.undescribed)} models or columns have no description: {shown}")
    if result.comments_missing:
        say(f"warning: {len(result.comments_missing)} published tables or columns lack their "
             f"description as a comment: {', '.join(result.comments_missing[:15])}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="one self-contained HTML report from the published warehouse")
    report.add_argument("--country", type=_country, default="JPN",
                        help="importer for the supplier mix, stockpile and scenarios (ISO3, default JPN)")
    report.add_argument("--element", default="REO",
                        help="element or aggregate for shares, HHI and the Sankey (REO, NdPr, Nd, ...)")
    report.add_argument("--year", type=int, help="the Sankey's year (default: the latest that reaches "
                        "furthest down the chain)")
    report.add_argument("--out", default="report.html", help="the HTML file to write (default report.html)")
    report.set_defaults(handler=cmd_report)

    query = commands.add_parser("query", help="run one read-only SQL statement on the published warehouse")
    query.add_argument("sql", help="one SELECT (or DESCRIBE, SHOW, SUMMARIZE, EXPLAIN) statement")
    query.add_argument("--format", default="table", choices=["table", "csv", "json", "parquet"],
                       help="table (terminal), csv, json (JSON Lines) or parquet (needs --out)")
    query.add_argument("--out", help="write the result here, streamed (default: standard output)")
    query.set_defaults(handler=cmd_query)

    docs = commands.add_parser("docs", help="dbt docs (lineage, models, columns) as static offline files")
    docs.add_argument("--out", help="folder for index.html (default: REEFLOW_DATA_DIR/docs)")
    docs.set_defaults(handler=cmd_docs)
