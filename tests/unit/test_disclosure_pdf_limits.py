"""Report PDFs are read within limits: a small file that unpacks into far more than a report
(pages sharing one huge compressed content stream, thousands of pages) is rejected with the limit
it passed, as soon as it passes it, and staging quarantines it and goes on; a real report reads
as before.

The oversized PDFs are made here the way the audit's generator made its 35 KB, 16-page,
30 MB-of-content file: every page draws the same Flate-compressed content stream.
"""

from __future__ import annotations

import zlib

import pandas as pd
import pypdf
import pytest

from ingest.contract import FileRejected
from ingest.sources.disclosures import DISCLOSURE_SCHEMA, load_all_pdf_rules, load_companies, parse_report_pdf
from ingest.sources.disclosures import pdf as disclosures_pdf
from ingest.staging import stage_landed_files
from tests.builders import DISCLOSURE_TODAY, make_pdf

LYNAS = {"company": "lynas"}


TITLE = b"BT /F1 10 Tf 12 TL 50 700 Td (Lynas Rare Earths Quarterly Report) Tj T* ET\n"


def shared_stream_pdf(pages: int, content: bytes, form: bytes = b"BT ET") -> bytes:
    """`pages` pages that all draw one compressed content stream, with the form XObject /Fm0."""

    def stream(head: bytes, data: bytes) -> bytes:
        packed = zlib.compress(data, 9)
        return head + b" /Length %d /Filter /FlateDecode >>\nstream\n%b\nendstream" % (len(packed), packed)

    kids = b" ".join(b"%d 0 R" % (6 + i) for i in range(pages))
    resources = b"/Resources << /Font << /F1 3 0 R >> /XObject << /Fm0 5 0 R >> >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%b] /Count %d >>" % (kids, pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        stream(b"<<", content),
        stream(b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] " + resources, form),
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] %b /Contents 4 0 R >>" % resources] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def text_lines(lines: int, chars: int) -> bytes:
    """The audit's page: its title, then `lines` lines of `chars` letters."""
    return TITLE + b"BT /F1 10 Tf 12 TL 50 680 Td\n" + b"(%b) Tj T*\n" % (b"A" * chars) * lines + b"ET\n"


# Lynas' Q1 FY25 quarterly report, as tests/unit/test_disclosures_pdf.py lays it out.
REPORT = make_pdf(
    [
        [
            "QUARTERLY REPORT",
            "FOR THE PERIOD ENDED 30 SEPTEMBER 2024",
            "30 October 2024",
            "Total REO production: 2,722 REOt (Q4 FY24: 2,188 tonnes)",
            "NdPr production: 1,677 REOt (Q4 FY24: 1,504 tonnes)",
            "Lynas Rare Earths Limited (ASX:LYC)",
        ],
        [
            "PRODUCTION AND SALES",
            ["", "Q1 FY25", "Q4 FY24", "Q3 FY24"],
            ["Total REO production (REOt)", "2,722", "2,188", "3,545"],
            ["NdPr production (REOt)", "1,677", "1,504", "1,724"],
        ],
    ]
)


@pytest.fixture
def land_as() -> dict:
    return {"source": disclosures_pdf.SOURCE}


@pytest.fixture
def pages_read(monkeypatch) -> list[int]:
    """The pages whose text pypdf began to extract: for each, how many strings it showed (Tj)."""
    shown: list[int] = []
    extract_text = pypdf.PageObject.extract_text

    def spy(page, *args, visitor_operand_before=None, **kwargs):
        shown.append(0)

        def visit(operator, *rest):
            shown[-1] += operator == b"Tj"
            if visitor_operand_before is not None:
                visitor_operand_before(operator, *rest)

        return extract_text(page, *args, visitor_operand_before=visit, **kwargs)

    monkeypatch.setattr(pypdf.PageObject, "extract_text", spy)
    return shown


def parse(landed):
    return parse_report_pdf(landed, load_companies(), load_all_pdf_rules(), today=DISCLOSURE_TODAY)


def rejection(land, content: bytes) -> str:
    with pytest.raises(FileRejected) as rejected:
        parse(land(content, "x.pdf", request=LYNAS))
    return str(rejected.value)


NOT_READ = "a disclosure's is far smaller: not read further"


def test_the_audits_16_page_file_is_rejected_before_a_page_is_parsed(land, pages_read):
    # 16 pages sharing 30 MB of content in 35 KB: read in full it took 263 s and 1.2 GB.
    audits = shared_stream_pdf(16, text_lines(500, 60_000))
    assert len(audits) < 40_000
    assert rejection(land, audits) == f"x.pdf: its content passes 16.0 MiB decompressed by page 1; {NOT_READ}"
    assert pages_read == []


def test_a_pdf_over_the_page_limit_is_rejected_before_a_page_is_read(land, pages_read):
    many = shared_stream_pdf(disclosures_pdf.MAX_PAGES + 1, text_lines(1, 10))
    assert rejection(land, many) == "x.pdf: more than 2,000 pages; a disclosure has a few hundred: not read"
    assert pages_read == []


def test_content_past_the_limit_is_rejected_before_the_page_that_passes_it_is_parsed(
    land, pages_read, monkeypatch
):
    monkeypatch.setattr(disclosures_pdf, "MAX_CONTENT_BYTES", 250_000)
    report = shared_stream_pdf(16, text_lines(1_000, 90))  # ~100 KB of content, counted for each page
    assert rejection(land, report) == f"x.pdf: its content passes 244.1 KiB decompressed by page 3; {NOT_READ}"
    assert len(pages_read) == 2


def test_text_past_the_total_limit_is_rejected_on_the_page_that_passes_it(land, pages_read, monkeypatch):
    monkeypatch.setattr(disclosures_pdf, "MAX_TEXT_CHARS", 12_000)
    report = shared_stream_pdf(16, text_lines(5, 1_000))  # some 5,000 characters a page
    assert rejection(land, report) == f"x.pdf: its text passes 12,000 characters by page 3; {NOT_READ}"
    assert pages_read == [6, 6, 3]  # page 3 up to its second line; pages 4 to 16 never read


def test_a_page_whose_text_passes_the_page_limit_is_not_read_to_its_end(land, pages_read, monkeypatch):
    monkeypatch.setattr(disclosures_pdf, "MAX_PAGE_CHARS", 2_500)
    report = shared_stream_pdf(4, text_lines(50, 1_000))
    assert rejection(land, report) == f"x.pdf: the text of page 1 passes 2,500 characters; {NOT_READ}"
    assert pages_read == [4]  # the title and three of its 50 lines


@pytest.mark.parametrize("draws", [2, 3])
def test_text_past_a_limit_inside_a_form_is_rejected(land, pages_read, monkeypatch, draws):
    # pypdf carries on past an error raised inside a form XObject: the page's next operator, or
    # the end of the page when the form was its last, raises it again.
    monkeypatch.setattr(disclosures_pdf, "MAX_PAGE_CHARS", 1_500)
    report = shared_stream_pdf(2, TITLE + b"/Fm0 Do\n" * draws, form=b"BT /F1 10 Tf (%b) Tj ET" % (b"A" * 1_000))
    assert rejection(land, report) == f"x.pdf: the text of page 1 passes 1,500 characters; {NOT_READ}"
    assert pages_read == [3]  # the title and two drawings of the form's line: never a third


def test_a_pdf_that_takes_too_long_to_read_is_rejected(land, pages_read, monkeypatch):
    # A form drawn 5,000 times a page has little content but costs pypdf ~0.5 ms a drawing.
    monkeypatch.setattr(disclosures_pdf, "MAX_SECONDS", 0.05)
    report = shared_stream_pdf(16, TITLE + b"/Fm0 Do\n" * 5_000, form=b"BT /F1 10 Tf (x) Tj ET")
    assert rejection(land, report).startswith("x.pdf: reading it takes over 0.05 s by page 1; ")
    assert len(pages_read) == 1 and pages_read[0] < 5_000


def test_staging_quarantines_an_oversized_pdf_and_goes_on(land, tmp_path):
    oversized = land(shared_stream_pdf(16, text_lines(500, 60_000)), "x.pdf", request=LYNAS)
    report = stage_landed_files(
        [oversized, land(REPORT, "q1fy25.pdf")],
        dataset=disclosures_pdf.DATASET,
        schema=DISCLOSURE_SCHEMA,
        parse=disclosures_pdf.make_parser(),
        parser_version=disclosures_pdf.PARSER_VERSION,
        staged_dir=tmp_path / "staged",
    )
    assert (report.files_parsed, report.rows, report.quarantined) == (2, 6, 1)
    (reason,) = pd.read_parquet(tmp_path / "staged" / "quarantine")["reason"]
    assert reason.startswith("file rejected: x.pdf: its content passes ")


def test_a_report_at_every_limit_reads_as_pypdf_reads_it(land, monkeypatch):
    reader = pypdf.PdfReader(land(REPORT, "q1fy25.pdf").path)
    texts = [page.extract_text() for page in reader.pages]
    # Limits cut to this report's own size (its text is at least the characters its strings show).
    monkeypatch.setattr(disclosures_pdf, "MAX_PAGES", len(texts))
    monkeypatch.setattr(
        disclosures_pdf, "MAX_CONTENT_BYTES", sum(len(page.get_contents().get_data()) for page in reader.pages)
    )
    monkeypatch.setattr(disclosures_pdf, "MAX_PAGE_CHARS", max(map(len, texts)))
    monkeypatch.setattr(disclosures_pdf, "MAX_TEXT_CHARS", sum(map(len, texts)))
    assert disclosures_pdf.extract_pages(REPORT, "q1fy25.pdf") == texts
    result = parse(land(REPORT, "q1fy25.pdf"))
    assert result.quarantined == []
    assert {(row.period_label, row.product_basis): (row.quantity_t, row.page) for row in result.rows.itertuples()} == {
        ("Q1 FY25", "total_reo"): (2722.0, 1),
        ("Q4 FY24", "total_reo"): (2188.0, 1),
        ("Q1 FY25", "ndpr_oxide"): (1677.0, 1),
        ("Q4 FY24", "ndpr_oxide"): (1504.0, 1),
        ("Q3 FY24", "total_reo"): (3545.0, 2),
        ("Q3 FY24", "ndpr_oxide"): (1724.0, 2),
    }
