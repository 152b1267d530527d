"""Production figures found in producers' report PDFs by each company's declared rules.

A report PDF is landed under source `disclosure_pdf`. Its text is read page by page with pypdf;
the company's `pdf_rules.yml` says how its reports are recognised (quarterly report, results
release, annual report), where the reported period and the release date are printed, and, per
figure, the wording that finds it: an `inline` sentence pattern or a `table_row` label read
against the period columns of the table header above it. Every figure found keeps its page and
the text it was read from, then goes through the same checks as a register row
(`disclosures.validate_figure`).

Nothing is guessed: a rule that matches nothing is reported ("rule X matched nothing on any
page"), a table row whose cells do not line up with its header is reported, and two different
values for one figure are both quarantined.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import pypdf
import yaml
from pypdf.errors import PyPdfError

from ingest.landing import LandedFile, land_file
from ingest.periods import Period, PeriodError, parse_period, parse_printed_date, period_ending
from ingest.quarantine import QuarantinedRow
from ingest.sources import disclosures
from ingest.sources.disclosures import (
    DISCLOSURES_DIR,
    Company,
    FigureError,
    embedded_companies,
    figure_key,
    find_conflicts,
    rows_frame,
    validate_figure,
)
from ingest.staged import FileRejected, ParseResult

SOURCE = "disclosure_pdf"
DATASET = disclosures.DATASET  # the register's staged dataset: one table for dbt
# 2: rows carry the company's legal name (disclosures.DISCLOSURE_SCHEMA company_name).
PARSER_VERSION = 2

_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_EMPTY_CELL = {"-", "\u2013", "\u2014", "n/a", "na", "nm", "n.m."}


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


# --- the rules files -------------------------------------------------------------------------


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


# --- reading the PDF -------------------------------------------------------------------------


def extract_pages(content: bytes, name: str) -> list[str]:
    """Text of each page; FileRejected when the file is not a readable PDF with text."""
    if not content.strip():
        raise FileRejected(f"{name} is empty")
    try:
        reader = pypdf.PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileRejected(f"{name} is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileRejected:
        raise
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        OSError,
    ) as exc:
        # pypdf raises many kinds of error on damaged files; all mean the same here.
        raise FileRejected(f"{name} is not a readable PDF: {type(exc).__name__}: {exc}") from None
    if not pages:
        raise FileRejected(f"{name} has no pages")
    if not any(text.strip() for text in pages):
        raise FileRejected(f"{name} has no extractable text (a scanned report needs OCR first)")
    return pages


def _collapse(text: str) -> str:
    return " ".join(text.split())


# --- finding figures -------------------------------------------------------------------------


@dataclass
class Found:
    rule: FigureRule
    page: int
    period_label: str
    value_text: str
    matched_text: str


class RuleProblem(Exception):
    """A rule matched but what it matched cannot be read for certain."""


def _table_cells(rest: str) -> list[str | None]:
    """The cells after a row label: numbers, or markers of an empty cell ('-', 'n/a')."""
    if rest and not rest[0].isspace():
        raise RuleProblem(f"label runs on into {rest!r}")
    cells: list[str | None] = []
    for token in rest.split():
        if _NUMBER.fullmatch(token):
            cells.append(token)
        elif token.lower() in _EMPTY_CELL:
            cells.append(None)
        else:
            raise RuleProblem(f"cell {token!r} is not a number")
    return cells


def _find_in_table(rule: FigureRule, finder: Finder, page: int, text: str) -> list[Found]:
    found = []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        row = line.strip()
        match = finder.pattern.match(row)
        try:
            cells = _table_cells(row[match.end() :]) if match else []
        except RuleProblem:
            continue  # the label in a sentence ("Total REO production: 3,650 REOt"), not a row
        if not any(cells):
            continue
        header_line, periods = None, []
        for above in reversed(lines[:index]):
            periods = [_collapse(m["period"]) for m in finder.header.finditer(above)]
            if periods:
                header_line = above.strip()
                break
        if header_line is None:
            raise RuleProblem(f"page {page}: row {row!r} has no header line with periods above it")
        if len(cells) != len(periods):
            raise RuleProblem(
                f"page {page}: row {row!r} has {len(cells)} cells but the header {header_line!r} "
                f"names {len(periods)} periods; not guessing which figure is which"
            )
        for period_label, cell in zip(periods, cells, strict=True):
            if cell is not None:
                found.append(Found(rule, page, period_label, cell, f"{header_line} | {row}"))
    return found


def _find_inline(
    rule: FigureRule, finder: Finder, page: int, text: str, document_period: Callable[[str], Period]
) -> list[Found]:
    found = []
    for match in finder.pattern.finditer(_collapse(text)):
        groups = match.groupdict()
        if groups.get("period"):
            period_label = _collapse(groups["period"])
        else:
            try:
                period_label = document_period(finder.period_kind).label
            except PeriodError as exc:
                raise RuleProblem(f"page {page}: matched {match.group(0)!r} but {exc}") from None
        found.append(Found(rule, page, period_label, groups["value"], match.group(0)))
    return found


def _document_period(
    kind: DocumentKind, pages: list[str], company: Company
) -> Callable[[str], Period]:
    """Period the document reports (its first mention), for figures printed without one."""
    match = None
    if kind.period:
        # An annual report names its year in the Chair's letter, not always on page 1.
        match = next(filter(None, (kind.period.search(_collapse(text)) for text in pages)), None)

    def period(as_kind: str | None) -> Period:
        if match is None:
            raise PeriodError(f"the document's period ({kind.name}) is printed on no page")
        groups = match.groupdict()
        if groups.get("date"):
            end = parse_printed_date(groups["date"])
            return period_ending(end, company.fiscal, as_kind or kind.period_kind)
        label = (kind.period_label or "{label}").format(**groups)
        return parse_period(label, company.fiscal)

    return period


def _identify_company(
    landed: LandedFile, first_page: str, rules: dict[str, CompanyPdfRules]
) -> CompanyPdfRules:
    asked = (landed.request or {}).get("company")
    if asked:
        if asked not in rules:
            raise FileRejected(f"{landed.original_name}: no pdf_rules.yml for company {asked!r}")
        return rules[asked]
    matches = [rule for rule in rules.values() if rule.identify.search(first_page)]
    if len(matches) != 1:
        names = ", ".join(rule.company for rule in matches) or "none"
        raise FileRejected(
            f"{landed.original_name}: cannot tell whose report this is from page 1 "
            f"(matches: {names}); land it with request={{'company': ...}}"
        )
    return matches[0]


def _vintage(document_date: date | None, landed: LandedFile, found_ends: list[date]) -> date | None:
    if document_date:
        return document_date
    if landed.vintage:
        try:
            return date.fromisoformat(landed.vintage)
        except ValueError:
            pass  # a vintage like "2024" says too little; fall back to the periods
    # A report is at least as recent as the latest period it reports on.
    return max(found_ends) if found_ends else None


def parse_report_pdf(
    landed: LandedFile,
    companies: dict[str, Company],
    rules: dict[str, CompanyPdfRules],
    *,
    today: date | None = None,
) -> ParseResult:
    """Apply the company's rules to every page; figures found become DISCLOSURE_SCHEMA rows."""
    today = today or date.today()
    name = landed.original_name
    pages = extract_pages(Path(landed.path).read_bytes(), name)
    company_rules = _identify_company(landed, pages[0], rules)
    company = companies.get(company_rules.company)
    if company is None:
        raise FileRejected(f"{name}: company {company_rules.company!r} is not in companies.yml")
    kinds = [kind for kind in company_rules.kinds if kind.identify.search(pages[0])]
    if not kinds:
        known = ", ".join(kind.name for kind in company_rules.kinds)
        raise FileRejected(f"{name}: page 1 is none of {company.id}'s report kinds ({known})")

    quarantined: list[QuarantinedRow] = []

    def reject(reason: str, raw: str = "") -> None:
        quarantined.append(QuarantinedRow(landed.source, landed.file_id, name, None, reason, raw))

    found: list[Found] = []
    for kind in kinds:
        document_period = _document_period(kind, pages, company)
        for rule in kind.rules:
            hits, problems = [], []
            for finder in rule.finders:
                for page_number, text in enumerate(pages, start=1):
                    try:
                        if finder.layout == "table_row":
                            hits += _find_in_table(rule, finder, page_number, text)
                        else:
                            hits += _find_inline(rule, finder, page_number, text, document_period)
                    except RuleProblem as exc:
                        problems.append(str(exc))
            for problem in problems:
                reject(f"rule {rule.id}: {problem}")
            if not hits and not problems:
                reject(f"rule {rule.id} ({kind.name}) matched nothing on any page")
            found += hits

    title, document_date = _title_and_date(kinds, pages[0], name)
    rows = _validated_rows(
        found, company, company_rules, landed, title, document_date, today, reject
    )
    return ParseResult(rows=rows_frame(rows), quarantined=quarantined)


def _title_and_date(
    kinds: list[DocumentKind], first_page: str, name: str
) -> tuple[str, date | None]:
    title, document_date = None, None
    for kind in kinds:
        if title is None and kind.title and (match := kind.title.search(_collapse(first_page))):
            title = match.group(0)
        match = kind.document_date.search(first_page) if kind.document_date else None
        if document_date is None and match:
            try:
                document_date = parse_printed_date(match["date"])
            except PeriodError:
                pass  # an unreadable date leaves the vintage to the landing or the periods
    if title is None:
        title = next((line.strip() for line in first_page.splitlines() if line.strip()), name)
    return title, document_date


def _validated_rows(
    found: list[Found],
    company: Company,
    company_rules: CompanyPdfRules,
    landed: LandedFile,
    title: str,
    document_date: date | None,
    today: date,
    reject: Callable[[str, str], None],
) -> list[dict]:
    ends = []
    for hit in found:
        try:
            ends.append(parse_period(hit.period_label, company.fiscal).end)
        except PeriodError:
            pass
    vintage = _vintage(document_date, landed, ends)
    url = (landed.request or {}).get("url", "")
    rows: list[dict] = []
    seen: set[tuple] = set()
    for hit in sorted(found, key=lambda item: item.page):
        rule = hit.rule
        raw = {
            "company": company.id,
            "facility": rule.facility,
            "stage": rule.stage,
            "product_basis": rule.product_basis,
            "elements": rule.elements,
            "period": hit.period_label,
            "metric": rule.metric,
            "value": hit.value_text,
            "unit": rule.unit,
            "destination_iso3": rule.destination_iso3,
            "document_title": title,
            "publisher": company_rules.publisher,
            "document_date": document_date.isoformat() if document_date else "",
            "url": url,
            "page": str(hit.page),
            "vintage": vintage.isoformat() if vintage else "",
            "method": "pdf_extracted",
            "confidence": rule.confidence,
            "notes": f"rule {rule.id}" + (f"; {rule.notes}" if rule.notes else ""),
        }
        try:
            row = validate_figure(raw, {company.id: company}, today=today)
        except FigureError as exc:
            reject(f"rule {rule.id}: page {hit.page}: {exc}", hit.matched_text)
            continue
        # The same number printed twice (highlights and table) is one figure: keep the first page.
        key = (*figure_key(row), row["value_as_printed"])
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            {
                "file_id": landed.file_id,
                "row_number": len(rows) + 1,
                **row,
                "matched_text": hit.matched_text,
            }
        )
    conflicts = find_conflicts(rows, where=lambda row: f"page {row['page']}")
    for row in rows:
        if row["row_number"] in conflicts:
            reject(f"page {row['page']}: {conflicts[row['row_number']]}", row["matched_text"])
    return [row for row in rows if row["row_number"] not in conflicts]


# --- entry points ----------------------------------------------------------------------------


def make_parser(
    companies: dict[str, Company] | None = None, rules: dict[str, CompanyPdfRules] | None = None
) -> Callable[[LandedFile], ParseResult]:
    """A `parse(landed)` for stage_landed_files, bound to a company register and rules."""
    companies = companies if companies is not None else embedded_companies()
    rules = rules if rules is not None else embedded_pdf_rules()
    return lambda landed: parse_report_pdf(landed, companies, rules)


def parse(landed: LandedFile) -> ParseResult:
    """Parse a landed report PDF with the embedded register and rules (catalog entry point)."""
    return make_parser()(landed)


def land_report_pdf(
    path: Path,
    *,
    company: str | None = None,
    url: str | None = None,
    landing_dir: Path | None = None,
) -> tuple[LandedFile, bool]:
    """Land a report PDF, saying whose it is and where it came from when known."""
    request = {key: value for key, value in (("company", company), ("url", url)) if value}
    return land_file(Path(path), source=SOURCE, request=request, landing_dir=landing_dir)
