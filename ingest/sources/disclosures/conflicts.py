"""Figures against each other: the same figure stated twice in one vintage.

Two different values for one figure in one vintage are both quarantined (nothing here can tell
which is right); the same figure typed twice from the same page is quarantined once. The same
figure in different vintages is a restatement and is kept (every vintage stays queryable).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable


def figure_key(row: dict) -> tuple:
    """What makes two rows the same figure: who, what, when, and which vintage says so."""
    elements = ";".join(sorted((row["elements"] or "").split(";")))
    return (
        row["company_id"],
        row["facility_id"],
        row["stage"],
        row["product_basis"],
        elements,
        row["period_start"],
        row["period_end"],
        row["metric"],
        row["destination_iso3"],
        row["vintage"],
    )


def _comparable(row: dict) -> float:
    for column in ("quantity_t", "share_pct", "value_as_printed"):
        if row[column] is not None:
            return row[column]
    return math.nan


def _describe(row: dict) -> str:
    return (
        f"{row['company_id']} {row['facility_id']} {row['period_label']} {row['product_basis']} "
        f"{row['metric']}"
    )


def _line(row: dict) -> str:
    return f"line {row['row_number']}"


def find_conflicts(rows: list[dict], where: Callable[[dict], str] = _line) -> dict[int, str]:
    """Rows (by row_number) whose figure has a different value elsewhere in the same vintage.

    `where` names the other rows in the message: a register line, or a PDF page.
    """
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[figure_key(row)].append(row)
    reasons: dict[int, str] = {}
    for group in groups.values():
        values = {round(_comparable(row), 9) for row in group}
        if len(values) < 2:
            continue
        for row in group:
            others = ", ".join(
                f"{where(other)} ({other['value_as_printed']:g} {other['unit_as_printed']})"
                for other in group
                if other is not row
            )
            reasons[row["row_number"]] = (
                f"duplicate figure with a different value in the same vintage "
                f"{row['vintage'].isoformat()}: {_describe(row)} is {row['value_as_printed']:g} "
                f"{row['unit_as_printed']} here but {others}"
            )
    return reasons


def exact_repeats(rows: list[dict]) -> dict[int, str]:
    """The same figure typed twice from the same page of the same document."""
    seen: dict[tuple, int] = {}
    repeats: dict[int, str] = {}
    for row in rows:
        key = (*figure_key(row), row["document_title"], row["page"], round(_comparable(row), 9))
        if key in seen:
            repeats[row["row_number"]] = (
                f"repeats line {seen[key]}: the same figure from the same document and page"
            )
        else:
            seen[key] = row["row_number"]
    return repeats
