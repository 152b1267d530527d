"""Production figures found in producers' report PDFs (source `disclosure_pdf`) by each
company's declared rules (pdf_rules.py).

A report PDF's text is read page by page with pypdf; the company's rules say which kind of
report it is, where the reported period and the release date are printed, and the wording that
finds each figure. Every figure found keeps its page and the text it was read from, then goes
through the same checks as a register row (figures.py).

Nothing is guessed: a rule that matches nothing is reported ("rule X matched nothing on any
page"), a table row whose cells do not line up with its header is reported, and two different
values for one figure are both quarantined.
"""

from __future__ import annotations

import contextlib
import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pypdf
from pypdf.errors import PyPdfError

from ingest.contract import FileRejected, Parser, ParseResult, QuarantinedRow, describe_bytes
from ingest.landing import LandedFile
from ingest.parsing.periods import (
    Period,
    PeriodError,
    parse_period,
    parse_printed_date,
    period_ending,
)
from ingest.sources.disclosures.companies import Company, embedded_companies
from ingest.sources.disclosures.conflicts import figure_key, find_conflicts
from ingest.sources.disclosures.figures import DATASET, FigureError, rows_frame, validate_figure
from ingest.sources.disclosures.pdf_rules import (
    CompanyPdfRules,
    DocumentKind,
    FigureRule,
    Finder,
    embedded_pdf_rules,
)

SOURCE = "disclosure_pdf"
# The kind's entry points for the catalog; its staged dataset is the one the register shares.
__all__ = ["DATASET", "PARSER_VERSION", "SOURCE", "make_parser", "parse", "parse_report_pdf"]
# 2: rows carry the company's legal name (figures.DISCLOSURE_SCHEMA company_name).
# 3: the staged schema gained value_qualifier (always exact here). 4: read within limits.
PARSER_VERSION = 4

_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_EMPTY_CELL = {"-", "\u2013", "\u2014", "n/a", "na", "nm", "n.m."}


# --- reading the PDF -------------------------------------------------------------------------

# What one report may make us read: a small file can unpack into far more (16 pages sharing one
# 30 MB compressed content stream fit in 35 KB), and nothing is staged until the parse ends. pypdf
# decompresses (up to its own 75 MB a stream) and parses a whole content stream before any of it
# can be seen, so a page's content is counted before the page is read (once per page that uses
# it: each parses it again) and its text while it is read, stopping at the first limit passed.
# What they cannot count (a form drawn 5,000 times a page, fonts read again for each page) the
# time limit stops, late by at most one stream's parse. It is generous because a file it stops is
# quarantined until the parser changes: a real report must not meet it on a slow, busy machine.
# Worst case found with the other limits alone: 249 s; 470 MB for one stream at pypdf's own
# limit of 2 million tokens (its densest content parses at ~0.5 MB/s).
MAX_PAGES = 2_000  # an annual report runs to a few hundred pages
MAX_CONTENT_BYTES = 16 << 20  # decompressed, a long report's pages hold a few MB
MAX_PAGE_CHARS = 100_000  # a page of small-print tables holds some 10,000 characters
MAX_TEXT_CHARS = 10_000_000  # a 500-page annual report holds some 3 million characters
MAX_SECONDS = 120  # ~35 ms a page on two small reports here: some 10 s for 300 pages (estimated)
_SHOWS_TEXT = {b"Tj", b"TJ", b"'", b'"'}  # the operators whose strings are the page's text


def extract_pages(content: bytes, name: str) -> list[str]:
    """Text of each page; FileRejected when the file is not a readable PDF with text, or holds
    more than a report could (MAX_PAGES and the other limits above)."""
    if not content.strip():
        raise FileRejected(f"{name} is empty")
    try:
        reader = pypdf.PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileRejected(f"{name} is encrypted")
        if len(reader.pages) > MAX_PAGES:
            raise FileRejected(f"{name}: more than {MAX_PAGES:,} pages; a disclosure has a few hundred: not read")
        pages = _read_pages(reader, name)
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


def _read_pages(reader: pypdf.PdfReader, name: str) -> list[str]:
    """Each page's text, rejecting the file at the first limit it passes."""
    pages: list[str] = []
    content_bytes = shown = page_start = 0
    started = time.monotonic()
    not_read = "a disclosure's is far smaller: not read further"

    def check() -> None:
        number = len(pages) + 1
        if shown - page_start > MAX_PAGE_CHARS:
            raise FileRejected(f"{name}: the text of page {number} passes {MAX_PAGE_CHARS:,} characters; {not_read}")
        if shown > MAX_TEXT_CHARS:
            raise FileRejected(f"{name}: its text passes {MAX_TEXT_CHARS:,} characters by page {number}; {not_read}")
        if time.monotonic() - started > MAX_SECONDS:
            raise FileRejected(
                f"{name}: reading it takes over {MAX_SECONDS} s by page {number}; a disclosure takes a few: "
                "not read further"
            )

    def count(operator: bytes, operands: list, *_matrices: object) -> None:
        # pypdf calls this before each operator, a form's too; it goes on past an error inside a
        # form, but this raises again at the page's next operator.
        nonlocal shown
        if operator in _SHOWS_TEXT:  # the strings shown, before pypdf decodes them (TJ: in a list)
            items = operands[0] if operands and isinstance(operands[0], list) else operands
            shown += sum(len(item) for item in items if isinstance(item, (str, bytes)))
        check()

    for page in reader.pages:
        contents = page.get_contents()
        content_bytes += len(contents.get_data()) if contents is not None else 0
        if content_bytes > MAX_CONTENT_BYTES:
            raise FileRejected(
                f"{name}: its content passes {describe_bytes(MAX_CONTENT_BYTES)} decompressed "
                f"by page {len(pages) + 1}; {not_read}"
            )
        page_start = shown
        text = page.extract_text(visitor_operand_before=count) or ""
        check()  # a limit passed in the page's last form, or while reading its fonts
        pages.append(text)
    return pages


def _collapse(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    text: str  # as extracted, line by line: table rows are read from lines
    flat: str  # whitespace collapsed to single spaces, once per page: inline patterns run on it

    @classmethod
    def of(cls, number: int, text: str) -> Page:
        return cls(number, text, _collapse(text))


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


def _find_in_table(rule: FigureRule, finder: Finder, page: Page) -> list[Found]:
    found = []
    lines = page.text.splitlines()
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
            raise RuleProblem(
                f"page {page.number}: row {row!r} has no header line with periods above it"
            )
        if len(cells) != len(periods):
            raise RuleProblem(
                f"page {page.number}: row {row!r} has {len(cells)} cells but the header {header_line!r} "
                f"names {len(periods)} periods; not guessing which figure is which"
            )
        for period_label, cell in zip(periods, cells, strict=True):
            if cell is not None:
                found.append(Found(rule, page.number, period_label, cell, f"{header_line} | {row}"))
    return found


def _find_inline(
    rule: FigureRule, finder: Finder, page: Page, document_period: Callable[[str], Period]
) -> list[Found]:
    found = []
    for match in finder.pattern.finditer(page.flat):
        groups = match.groupdict()
        if groups.get("period"):
            period_label = _collapse(groups["period"])
        else:
            try:
                period_label = document_period(finder.period_kind).label
            except PeriodError as exc:
                raise RuleProblem(
                    f"page {page.number}: matched {match.group(0)!r} but {exc}"
                ) from None
        found.append(Found(rule, page.number, period_label, groups["value"], match.group(0)))
    return found


def _document_period(
    kind: DocumentKind, pages: list[Page], company: Company
) -> Callable[[str], Period]:
    """Period the document reports (its first mention), for figures printed without one."""
    match = None
    if kind.period:
        # An annual report names its year in the Chair's letter, not always on page 1.
        match = next(filter(None, (kind.period.search(page.flat) for page in pages)), None)

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
            f"(matches: {names}); land it saying whose it is: "
            "reeflow ingest file PATH --format disclosure_pdf --company COMPANY_ID"
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
    pages = [
        Page.of(number, text)
        for number, text in enumerate(extract_pages(Path(landed.path).read_bytes(), name), 1)
    ]
    first = pages[0]
    company_rules = _identify_company(landed, first.text, rules)
    company = companies.get(company_rules.company)
    if company is None:
        raise FileRejected(f"{name}: company {company_rules.company!r} is not in companies.yml")
    kinds = [kind for kind in company_rules.kinds if kind.identify.search(first.text)]
    if not kinds:
        known = ", ".join(kind.name for kind in company_rules.kinds)
        raise FileRejected(f"{name}: page 1 is none of {company.id}'s report kinds ({known})")

    quarantined: list[QuarantinedRow] = []

    def reject(reason: str, raw: str = "") -> None:
        quarantined.append(QuarantinedRow.of(landed, None, reason, raw))

    found: list[Found] = []
    for kind in kinds:
        document_period = _document_period(kind, pages, company)
        for rule in kind.rules:
            hits, problems = [], []
            for finder in rule.finders:
                for page in pages:
                    try:
                        if finder.layout == "table_row":
                            hits += _find_in_table(rule, finder, page)
                        else:
                            hits += _find_inline(rule, finder, page, document_period)
                    except RuleProblem as exc:
                        problems.append(str(exc))
            for problem in problems:
                reject(f"rule {rule.id}: {problem}")
            if not hits and not problems:
                reject(f"rule {rule.id} ({kind.name}) matched nothing on any page")
            found += hits

    title, document_date = _title_and_date(kinds, first, name)
    rows = _validated_rows(
        found, company, company_rules, landed, title, document_date, today, reject
    )
    return ParseResult(rows=rows_frame(rows), quarantined=quarantined)


def _title_and_date(
    kinds: list[DocumentKind], first_page: Page, name: str
) -> tuple[str, date | None]:
    title, document_date = None, None
    for kind in kinds:
        if title is None and kind.title and (match := kind.title.search(first_page.flat)):
            title = match.group(0)
        match = kind.document_date.search(first_page.text) if kind.document_date else None
        if document_date is None and match:
            # an unreadable date leaves the vintage to the landing or the periods
            with contextlib.suppress(PeriodError):
                document_date = parse_printed_date(match["date"])
    if title is None:
        title = next((line.strip() for line in first_page.text.splitlines() if line.strip()), name)
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
        with contextlib.suppress(PeriodError):
            ends.append(parse_period(hit.period_label, company.fiscal).end)
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
) -> Parser:
    """A `parse(landed)` for stage_landed_files, bound to a company register and rules."""
    companies = companies if companies is not None else embedded_companies()
    rules = rules if rules is not None else embedded_pdf_rules()
    return lambda landed: parse_report_pdf(landed, companies, rules)


def parse(landed: LandedFile) -> ParseResult:
    """Parse a landed report PDF with the embedded register and rules (catalog entry point)."""
    return make_parser()(landed)
