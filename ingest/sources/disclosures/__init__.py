"""Company disclosures: producers' own reported production, sales, capacity and offtake.

Two source kinds feed one staged dataset (`company_disclosures`):
- register.py (source `disclosure_register`): figures typed from company reports, one CSV per
  company under `ingest/embedded/disclosures/<company>/`, each citing document, page, vintage;
- pdf.py (source `disclosure_pdf`): figures found in report PDFs by each company's declared
  rules (pdf_rules.py reads `pdf_rules.yml`).
Every figure is checked by figures.py (a pydantic model) against the company register
(companies.py: fiscal calendars, facilities and their stages) and staged or quarantined with
its reason; conflicts.py quarantines two values for one figure in one vintage. Import the
shared names from here, or a kind's entry points from its module.
"""

from ingest.sources.disclosures.companies import (
    COMPANIES_FILE,
    DISCLOSURES_DIR,
    Company,
    Facility,
    embedded_companies,
    load_companies,
)
from ingest.sources.disclosures.conflicts import figure_key, find_conflicts
from ingest.sources.disclosures.figures import (
    CONFIDENCE,
    DATASET,
    DISCLOSURE_SCHEMA,
    METHODS,
    METRICS,
    PRODUCT_STAGES,
    REGISTER_COLUMNS,
    Figure,
    FigureError,
    validate_figure,
)
from ingest.sources.disclosures.pdf import parse_report_pdf
from ingest.sources.disclosures.pdf_rules import load_all_pdf_rules, load_pdf_rules
from ingest.sources.disclosures.register import parse_register

__all__ = [
    "COMPANIES_FILE",
    "CONFIDENCE",
    "DATASET",
    "DISCLOSURES_DIR",
    "DISCLOSURE_SCHEMA",
    "METHODS",
    "METRICS",
    "PRODUCT_STAGES",
    "REGISTER_COLUMNS",
    "Company",
    "Facility",
    "Figure",
    "FigureError",
    "embedded_companies",
    "figure_key",
    "find_conflicts",
    "load_all_pdf_rules",
    "load_companies",
    "load_pdf_rules",
    "parse_register",
    "parse_report_pdf",
    "validate_figure",
]
