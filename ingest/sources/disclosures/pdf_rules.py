"""Each company's `pdf_rules.yml`: how its report PDFs are recognised and where each figure is
printed in them. Read and checked here (a bad pattern or a rule without a `value` group fails at
load, naming the rule); applied by pdf.py.

A document kind (quarterly report, results release, annual report) is recognised on page 1 and
says where the reported period and the release date are printed. A rule finds one figure by one
or more finders: an `inline` sentence pattern (groups `value`, optionally `period`), run on each
page's text with whitespace collapsed, or a `table_row` label read against the period columns
of the nearest header line above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ingest.sources.disclosures.companies import DISCLOSURES_DIR


@dataclass(frozen=True)
class Finder:
    """One way a figure is printed: a sentence (`inline`) or a table row (`table_row`)."""

    layout: str  # inline | table_row
    pattern: re.Pattern  # inline: groups `value` (+ optional `period`); table_row: the row label
    header: re.Pattern | None = None  # table_row: finds the column periods (group `period`)
    period_kind: str | None = None  # inline without `period`: derive from the document's period


@dataclass(frozen=True)
class FigureRule:
    id: str
    metric: str
    product_basis: str
    unit: str
    facility: str
    stage: str
    finders: tuple[Finder, ...]
    elements: str = ""
    destination_iso3: str = ""
    confidence: str = "high"
    notes: str = ""


@dataclass(frozen=True)
class DocumentKind:
    name: str
    identify: re.Pattern  # searched in page 1 (multiline)
    rules: tuple[FigureRule, ...]
    title: re.Pattern | None = None
    period: re.Pattern | None = None  # group `date`, or groups formatted into `period_label`
    period_kind: str = "quarter"
    period_label: str | None = None  # e.g. "FY{year}" for "for the 2024 financial year"
    document_date: re.Pattern | None = None  # group `date`, searched in page 1


@dataclass(frozen=True)
class CompanyPdfRules:
    company: str
    publisher: str
    identify: re.Pattern
    kinds: tuple[DocumentKind, ...]


def _regex(text: str, where: str, flags: int = 0, groups: tuple[str, ...] = ()) -> re.Pattern:
    try:
        pattern = re.compile(text, flags)
    except (re.error, TypeError) as exc:
        raise ValueError(f"{where}: bad regular expression {text!r}: {exc}") from None
    missing = [name for name in groups if name not in pattern.groupindex]
    if missing:
        raise ValueError(f"{where}: pattern {text!r} needs named group(s) {missing}")
    return pattern


def _finder(spec: dict, where: str) -> Finder:
    if "inline" in spec:
        return Finder(
            "inline",
            _regex(spec["inline"], where, groups=("value",)),
            period_kind=spec.get("period_from_document"),
        )
    if "table_row" in spec:
        table = spec["table_row"]
        return Finder(
            "table_row",
            _regex(table["label"], where),
            header=_regex(table["header"], where, groups=("period",)),
        )
    raise ValueError(f"{where}: a finder is `inline: <regex>` or `table_row: {{label, header}}`")


def _rule(spec: dict, where: str) -> FigureRule:
    rule_id = str(spec.get("id") or "")
    where = f"{where}, rule {rule_id or '?'}"
    required = ("metric", "product_basis", "unit", "facility", "stage", "find")
    missing = [name for name in required if not spec.get(name)]
    if not rule_id or missing:
        raise ValueError(f"{where}: needs id and {missing}")
    return FigureRule(
        id=rule_id,
        metric=spec["metric"],
        product_basis=spec["product_basis"],
        unit=spec["unit"],
        facility=spec["facility"],
        stage=spec["stage"],
        finders=tuple(_finder(finder, where) for finder in spec["find"]),
        elements=spec.get("elements") or "",
        destination_iso3=spec.get("destination_iso3") or "",
        confidence=spec.get("confidence", "high"),
        notes=spec.get("notes") or "",
    )


def _kind(spec: dict, where: str) -> DocumentKind:
    name = str(spec.get("name") or "")
    where = f"{where}, document kind {name or '?'}"
    period = spec.get("period") or {}
    rules = tuple(_rule(rule, where) for rule in spec.get("rules") or [])
    ids = [rule.id for rule in rules]
    if not name or not rules or len(set(ids)) != len(ids):
        raise ValueError(f"{where}: needs a name and rules with unique ids")
    return DocumentKind(
        name=name,
        identify=_regex(spec["identify"], where, re.MULTILINE),
        rules=rules,
        title=_regex(spec["title"], where) if spec.get("title") else None,
        period=_regex(period["pattern"], where) if period.get("pattern") else None,
        period_kind=period.get("kind", "quarter"),
        period_label=period.get("label"),
        document_date=(
            _regex(spec["document_date"], where, re.MULTILINE, ("date",))
            if spec.get("document_date")
            else None
        ),
    )


def load_pdf_rules(path: Path) -> CompanyPdfRules:
    """Read one company's pdf_rules.yml; raise ValueError naming the rule that is wrong."""
    path = Path(path)
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    where = f"{path.parent.name}/{path.name}"
    if not spec.get("company") or not spec.get("document_kinds"):
        raise ValueError(f"{where}: needs company and document_kinds")
    return CompanyPdfRules(
        company=spec["company"],
        publisher=spec.get("publisher") or spec["company"],
        identify=_regex(spec.get("identify") or re.escape(spec["company"]), where),
        kinds=tuple(_kind(kind, where) for kind in spec["document_kinds"]),
    )


def load_all_pdf_rules(root: Path = DISCLOSURES_DIR) -> dict[str, CompanyPdfRules]:
    """Every company's pdf_rules.yml under `root`, by company id."""
    rules = [load_pdf_rules(path) for path in sorted(Path(root).glob("*/pdf_rules.yml"))]
    return {rule.company: rule for rule in rules}


@lru_cache(maxsize=1)
def embedded_pdf_rules() -> dict[str, CompanyPdfRules]:
    return load_all_pdf_rules(DISCLOSURES_DIR)
