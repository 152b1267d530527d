"""Report PDFs: figures found by each company's declared rules, with page and matched text;
a figure the rules cannot find is reported, never guessed; unreadable PDFs are rejected.

The PDFs are made here with fpdf2 in the layout of the real reports (title block, highlights,
a production table with quarter columns); the figures are the companies' real ones.
"""

from __future__ import annotations

from datetime import date

import pytest
from fpdf import FPDF

from ingest.contract import FileRejected
from ingest.sources.disclosures import (
    DISCLOSURE_SCHEMA,
    load_all_pdf_rules,
    load_companies,
    load_pdf_rules,
    parse_report_pdf,
)
from ingest.sources.disclosures import pdf as disclosures_pdf
from ingest.staging import frame_to_table, stage_landed_files
from tests.builders import DISCLOSURE_TODAY, make_pdf


def lynas_quarterly(
    highlight_total: str = "2,722", ndpr: bool = True, table_total: str = "2,722"
) -> bytes:
    """Lynas quarterly report for Q1 FY25 in the layout of its real reports."""
    highlights = [
        "QUARTERLY REPORT",
        "FOR THE PERIOD ENDED 30 SEPTEMBER 2024",
        "30 October 2024",
        "HIGHLIGHTS",
        "Quarterly Sales Revenue: A$120.5m (Q4 FY24: A$136.6m)",
        f"Total REO production: {highlight_total} REOt (Q4 FY24: 2,188 tonnes)",
    ]
    if ndpr:
        highlights.append("NdPr production: 1,677 REOt (Q4 FY24: 1,504 tonnes)")
    highlights.append("Lynas Rare Earths Limited (ASX:LYC)")
    table = [
        "PRODUCTION AND SALES",
        ["", "Q1 FY25", "Q4 FY24", "Q3 FY24"],
        ["Total REO production (REOt)", table_total, "2,188", "3,545"],
    ]
    if ndpr:
        table.append(["NdPr production (REOt)", "1,677", "1,504", "1,724"])
    table.append(["Sales revenue (A$m)", "120.5", "136.6", "101.2"])
    return make_pdf([highlights, table])


def mp_full_year() -> bytes:
    """MP Materials' fourth-quarter and full-year 2024 results release."""
    first = [
        "MP Materials Reports Fourth Quarter and Full Year 2024 Results",
        "Achieved record production of 45,455 metric tons of REO in concentrate in 2024",
        "Produced record 1,294 metric tons of NdPr oxide in 2024",
        (
            "LAS VEGAS--(BUSINESS WIRE)--Feb. 20, 2025-- MP Materials Corp. (NYSE: MP) today "
            "announced its financial results for the fourth quarter and full year ended "
            "December 31, 2024."
        ),
        "Fourth Quarter 2024 Highlights",
        (
            'Produced 11,478 metric tons of rare earth oxides ("REO") in concentrate, a record for '
            "a quarter with a planned maintenance shutdown and sold 7,803 metric tons"
        ),
        "Produced 413 metric tons of NdPr oxide and sold 468 metric tons",
        "Full Year 2024 Highlights",
        "Produced record 45,455 metric tons of REO in concentrate",
        "Produced record 1,294 metric tons of NdPr oxide",
    ]
    kpis = [
        "Key Performance Indicators",
        ["", "Q4 2024", "Q4 2023"],
        ["REO Production Volume (MTs)", "11,478", "9,257"],
        ["REO Sales Volume (MTs)", "7,803", "7,133"],
    ]
    return make_pdf([first, kpis])


@pytest.fixture(scope="module")
def companies():
    return load_companies()


@pytest.fixture(scope="module")
def rules():
    return load_all_pdf_rules()


@pytest.fixture
def land_as() -> dict:
    return {"source": disclosures_pdf.SOURCE}


LYNAS = {"company": "lynas"}  # the hint a user gives when landing a report


def parse(landed, companies, rules):
    return parse_report_pdf(landed, companies, rules, today=DISCLOSURE_TODAY)


def figures(result) -> dict[tuple[str, str], tuple[float, int]]:
    return {
        (row.period_label, row.product_basis): (row.quantity_t, row.page)
        for row in result.rows.itertuples()
    }


# --- figures found, with their pages --------------------------------------------------------


def test_lynas_quarterly_figures_are_found_with_pages(land, companies, rules):
    result = parse(land(lynas_quarterly(), "lynas_q1fy25.pdf"), companies, rules)
    assert result.quarantined == []
    assert figures(result) == {
        ("Q1 FY25", "total_reo"): (2722.0, 1),  # highlights; the table repeats it on page 2
        ("Q4 FY24", "total_reo"): (2188.0, 1),  # the bracketed comparative
        ("Q1 FY25", "ndpr_oxide"): (1677.0, 1),
        ("Q4 FY24", "ndpr_oxide"): (1504.0, 1),
        ("Q3 FY24", "total_reo"): (3545.0, 2),  # only in the table
        ("Q3 FY24", "ndpr_oxide"): (1724.0, 2),
    }
    rows = result.rows.set_index(["period_label", "product_basis"])
    current = rows.loc[("Q1 FY25", "total_reo")]
    assert current["matched_text"] == "Total REO production: 2,722 REOt"
    assert (current["period_start"], current["period_end"]) == (date(2024, 7, 1), date(2024, 9, 30))
    assert current["method"] == "pdf_extracted" and current["basis_is_reo"]
    assert current["document_date"] == current["vintage"] == date(2024, 10, 30)
    assert current["document_title"] == "QUARTERLY REPORT FOR THE PERIOD ENDED 30 SEPTEMBER 2024"
    assert (current["company_id"], current["facility_id"], current["country_iso3"]) == (
        "lynas",
        "lynas_malaysia",
        "MYS",
    )
    table_row = rows.loc[("Q3 FY24", "total_reo")]
    assert (
        table_row["matched_text"]
        == "Q1 FY25 Q4 FY24 Q3 FY24 | Total REO production (REOt) 2,722 2,188 3,545"
    )
    assert rows.loc[("Q1 FY25", "ndpr_oxide")]["elements"] == "Nd;Pr"
    frame_to_table(result.rows, DISCLOSURE_SCHEMA)  # the rows fit the staged schema


def test_mp_results_release_figures_are_found(land, companies, rules):
    result = parse(land(mp_full_year(), "mp_q4_2024.pdf"), companies, rules)
    assert result.quarantined == []
    assert figures(result) == {
        ("Q4 2024", "concentrate_reo"): (11478.0, 1),
        ("Q4 2024", "ndpr_oxide"): (413.0, 1),
        ("2024", "concentrate_reo"): (45455.0, 1),
        ("2024", "ndpr_oxide"): (1294.0, 1),
        ("Q4 2023", "concentrate_reo"): (9257.0, 2),
    }
    stages = dict(zip(result.rows["product_basis"], result.rows["stage"], strict=False))
    assert stages == {"concentrate_reo": "mining", "ndpr_oxide": "separation"}
    assert set(result.rows["vintage"]) == {date(2025, 2, 20)}
    assert set(result.rows["document_title"]) == {
        "MP Materials Reports Fourth Quarter and Full Year 2024 Results"
    }


def test_lynas_annual_report_key_figures(land, companies, rules):
    content = make_pdf(
        [
            ["2024 Annual Report", "Lynas Rare Earths Limited"],
            [
                "$463.3m Sales Revenue",
                "10,908 tonnes Total REO production",
                "5,655 tonnes Total NdPr production",
                "Chair's Letter",
                (
                    "Dear Shareholder, I'm pleased to present the Lynas Rare Earths Annual Report "
                    "for the 2024 financial year."
                ),
            ],
        ]
    )
    result = parse(land(content, "lynas_ar2024.pdf"), companies, rules)
    assert result.quarantined == []
    assert figures(result) == {
        ("FY2024", "total_reo"): (10908.0, 2),
        ("FY2024", "ndpr_oxide"): (5655.0, 2),
    }
    # No release date printed: the vintage is the end of the latest period the report covers.
    assert set(result.rows["vintage"]) == {date(2024, 6, 30)}
    assert result.rows["document_date"].isna().all()


# --- never guessed ---------------------------------------------------------------------------


def test_a_figure_the_rules_cannot_find_is_reported_not_guessed(land, companies, rules):
    result = parse(
        land(lynas_quarterly(ndpr=False), "lynas_no_ndpr.pdf"), companies, rules
    )
    assert "ndpr_oxide" not in set(result.rows["product_basis"])
    [missing] = result.quarantined
    assert missing.reason == "rule ndpr_production (quarterly_report) matched nothing on any page"
    assert missing.message() == "lynas_no_ndpr.pdf: " + missing.reason
    assert len(result.rows) == 3  # total REO is still found


def test_two_different_values_for_one_figure_are_both_quarantined(land, companies, rules):
    content = lynas_quarterly(highlight_total="2,772")  # highlights disagree with the table
    result = parse(land(content, "lynas_conflict.pdf"), companies, rules)
    assert ("Q1 FY25", "total_reo") not in figures(result)
    reasons = [row.reason for row in result.quarantined]
    assert len(reasons) == 2
    assert all("duplicate figure with a different value" in reason for reason in reasons)
    assert "page 1: " in reasons[0] and "page 2 (2722 t REO)" in reasons[0]
    assert "page 1 (2772 t REO)" in reasons[1]


def test_a_table_row_that_does_not_line_up_with_its_header_is_reported(land, companies, rules):
    content = make_pdf(
        [
            [
                "QUARTERLY REPORT",
                "FOR THE PERIOD ENDED 30 SEPTEMBER 2024",
                "Lynas Rare Earths Limited",
                ["", "Q1 FY25", "Q4 FY24", "Q3 FY24"],
                ["Total REO production (REOt)", "2,722", "2,188"],
                ["NdPr production (REOt)", "1,677", "1,504", "1,724"],
            ]
        ]
    )
    result = parse(land(content, "lynas_ragged.pdf"), companies, rules)
    [problem] = result.quarantined
    assert problem.reason.startswith(
        "rule total_reo_production: page 1: row 'Total REO production (REOt) 2,722 2,188'"
    )
    assert "has 2 cells but the header 'Q1 FY25 Q4 FY24 Q3 FY24' names 3 periods" in problem.reason
    assert set(result.rows["product_basis"]) == {"ndpr_oxide"}


def test_a_figure_without_a_period_is_reported(land, companies, rules):
    content = make_pdf(
        [
            [
                "QUARTERLY REPORT",
                "Lynas Rare Earths",
                "Total REO production: 2,722 REOt",
                "NdPr production: 1,677 REOt",
            ]
        ]
    )
    result = parse(land(content, "lynas_undated.pdf"), companies, rules)
    assert result.rows.empty
    assert all(
        "the document's period (quarterly_report) is printed on no page" in row.reason
        for row in result.quarantined
    )


# --- unusable files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage without xref", "not a readable PDF"),
        (b"this is not a pdf at all", "not a readable PDF"),
    ],
)
def test_corrupted_or_empty_pdf_is_rejected(land, companies, rules, content, message):
    with pytest.raises(FileRejected, match=message):
        parse(land(content, "broken.pdf", request=LYNAS), companies, rules)


def test_truncated_pdf_is_rejected(land, companies, rules):
    content = lynas_quarterly()
    with pytest.raises(FileRejected, match="not a readable PDF"):
        parse(
            land(content[: len(content) // 3], "cut.pdf", request=LYNAS),
            companies,
            rules,
        )


def test_pdf_without_text_is_rejected(land, companies, rules):
    blank = FPDF()
    blank.add_page()
    with pytest.raises(FileRejected, match="no extractable text"):
        parse(land(bytes(blank.output()), "scan.pdf", request=LYNAS), companies, rules)


def test_a_report_of_no_known_company_or_kind_is_rejected(land, companies, rules):
    other = make_pdf([["QUARTERLY REPORT", "Iluka Resources", "Total REO production: 100 REOt"]])
    with pytest.raises(FileRejected, match="cannot tell whose report this is"):
        parse(land(other, "iluka.pdf"), companies, rules)
    slides = make_pdf([["Lynas Rare Earths investor presentation"]])
    with pytest.raises(FileRejected, match="page 1 is none of lynas's report kinds"):
        parse(land(slides, "slides.pdf"), companies, rules)


def test_staging_turns_a_rejected_pdf_into_a_quarantine_row(land, tmp_path):
    good = land(lynas_quarterly(), "lynas_q1fy25.pdf")
    bad = land(b"not a pdf", "broken.pdf", request=LYNAS)
    report = stage_landed_files(
        [good, bad],
        dataset=disclosures_pdf.DATASET,
        schema=DISCLOSURE_SCHEMA,
        parse=disclosures_pdf.parse,
        parser_version=disclosures_pdf.PARSER_VERSION,
        staged_dir=tmp_path / "staged",
    )
    assert (report.files_parsed, report.rows, report.quarantined) == (2, 6, 1)


# --- the rules files ---------------------------------------------------------------------------


def test_shipped_rules_load_for_both_companies(rules, companies):
    assert set(rules) == {"lynas", "mp_materials"}
    for company_rules in rules.values():
        company = companies[company_rules.company]
        for kind in company_rules.kinds:
            for rule in kind.rules:
                assert rule.facility in company.facilities
                assert rule.stage in company.facilities[rule.facility].stages


def test_a_rule_without_a_value_group_is_refused(tmp_path):
    path = tmp_path / "acme" / "pdf_rules.yml"
    path.parent.mkdir()
    path.write_text(
        "company: acme\ndocument_kinds:\n  - name: q\n    identify: 'REPORT'\n    rules:\n"
        "      - {id: reo, metric: production, product_basis: total_reo, unit: t, facility: f,\n"
        "         stage: mining, find: [{inline: 'REO (\\d+) t'}]}\n"
    )
    with pytest.raises(
        ValueError, match=r"rule reo: pattern .* needs named group\(s\) \['value'\]"
    ):
        load_pdf_rules(path)
