"""`reeflow ingest file --format disclosure_pdf --company ID`: a report whose page 1 does not
say whose it is is read with that company's rules; without the option the quarantine reason
says how to give it."""

from __future__ import annotations

from ingest.catalog import read_dataset
from orchestration import cli
from tests.builders import make_pdf
from tests.inputs import USGS_2025

# Lynas' Q1 FY25 quarterly report with no company name on page 1 (as a cover page may be).
UNSIGNED = make_pdf(
    [
        [
            "QUARTERLY REPORT",
            "FOR THE PERIOD ENDED 30 SEPTEMBER 2024",
            "30 October 2024",
            "Total REO production: 2,722 REOt (Q4 FY24: 2,188 tonnes)",
            "NdPr production: 1,677 REOt (Q4 FY24: 1,504 tonnes)",
        ]
    ]
)


def test_company_option_names_whose_report_it_is(reeflow_env, tmp_path, capsys):
    path = tmp_path / "q1fy25.pdf"
    path.write_bytes(UNSIGNED)
    # Rejected whole: the command fails and says why.
    assert cli.main(["ingest", "file", str(path), "--format", "disclosure_pdf"]) == cli.EXIT_FAILED
    err = capsys.readouterr().err
    assert "staged 0 rows, quarantined 1" in err and "cannot tell whose report this is" in err
    (reason,) = read_dataset("quarantine")["reason"]
    assert "cannot tell whose report this is" in reason and "--company COMPANY_ID" in reason

    args = ["ingest", "file", str(path), "--format", "disclosure_pdf", "--company", "lynas"]
    assert cli.main(args) == 0
    assert "staged 4 rows, quarantined 0" in capsys.readouterr().err
    figures = read_dataset("company_disclosures")
    assert set(figures["company_id"]) == {"lynas"} and set(figures["page"]) == {1}


def test_company_option_is_refused_for_other_kinds(reeflow_env, capsys):
    args = ["ingest", "file", str(USGS_2025), "--format", "usgs_mcs", "--company", "lynas"]
    assert cli.main(args) == cli.EXIT_USAGE
    assert "--company applies to --format disclosure_pdf only" in capsys.readouterr().err
