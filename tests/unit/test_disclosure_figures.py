"""The figure model (pydantic): every unreadable column of a figure is named in one readable
reason; the rules that tie columns together run once every column reads."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.sources.disclosures import Figure, FigureError, load_companies, validate_figure
from tests.builders import DISCLOSURE_ROW, DISCLOSURE_TODAY


@pytest.fixture(scope="module")
def companies():
    return load_companies()


def test_every_unreadable_column_is_named_in_one_reason(companies):
    row = {**DISCLOSURE_ROW, "value": "10,9O8", "page": "p.3", "confidence": "sure"}
    with pytest.raises(FigureError) as raised:
        validate_figure(row, companies, today=DISCLOSURE_TODAY)
    assert str(raised.value) == (
        "value '10,9O8' is not a plain number like 10908 or 10,908; "
        "page 'p.3' is not a page number; "
        "confidence 'sure' is not one of high, medium, low"
    )  # readable reasons in column order, not pydantic's report


def test_a_rule_across_columns_waits_for_readable_columns(companies):
    # The stage does not fit the product, and the page is unreadable: only the page is named,
    # since the cross-column rules run once every column reads.
    row = {**DISCLOSURE_ROW, "product_basis": "metal", "page": "p.3"}
    with pytest.raises(FigureError, match=r"^page 'p\.3' is not a page number$"):
        validate_figure(row, companies, today=DISCLOSURE_TODAY)
    with pytest.raises(FigureError, match=r"^product_basis metal belongs to stage refining"):
        validate_figure({**row, "page": "3"}, companies, today=DISCLOSURE_TODAY)


def test_a_valid_figure_gives_its_staged_row(companies):
    figure = Figure.model_validate(DISCLOSURE_ROW, context={"companies": companies, "today": DISCLOSURE_TODAY})
    staged = figure.staged()
    assert (staged["company_name"], staged["quantity_t"], staged["vintage"]) == (
        companies["lynas"].legal_name, 10908.0, date(2024, 6, 30))
    assert (staged["period_start"], staged["period_end"]) == (date(2023, 7, 1), date(2024, 6, 30))
    assert staged["page"] == 3 and staged["basis_is_reo"] and staged["elements"] is None
