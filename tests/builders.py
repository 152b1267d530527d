"""Trade inputs built in tests: Comtrade API records and answers, bulk-file lines, Japan's
customs lines. Every Comtrade record starts from the first record of a real API answer
(tests/fixtures/comtrade-api), so it has every field the API sends, spelled and typed as sent;
only the values a test is about are changed. They are test inputs, never shipped data.
"""

from __future__ import annotations

import json
from datetime import date

from fpdf import FPDF
from werkzeug import Response

from benchmarks.comtrade_bulk_generator import BULK_HEADER  # the real bulk-file header
from ingest.sources.comtrade import ComtradeClient
from tests.conftest import fixture_file

REAL_ANSWER = fixture_file("comtrade-api", "data_v1_get_C_A_HS__reporter156_period2010_TOTAL.json")
EMPTY_ANSWER = fixture_file("comtrade-api", "bulk_v1_get_C_A_HS__empty_response.json")
DATA_PATH = "/data/v1/get/C/A/HS"  # with a subscription key
PREVIEW_PATH = "/public/v1/preview/C/A/HS"  # without one
API_KEY = "k3y-5ecret-0123456789abcdef"  # made up; must never leave the request header
# Comtrade's texts for the rare-earth codes (its HS reference list, H6, without the code prefix).
HS_TEXTS = {
    "2846": "Compounds, inorganic or organic, of rare-earth metals; of yttrium or of scandium or "
            "of mixtures of these metals",
    "280530": "Earth-metals, rare; scandium and yttrium, whether or not intermixed or interalloyed",
    "284610": "Cerium compounds",
    "284690": "Compounds, inorganic or organic (excluding cerium), of rare-earth metals, of "
              "yttrium, scandium or of mixtures of these metals",
    "850511": "Magnets; permanent magnets and articles intended to become permanent magnets "
              "after magnetisation, of metal",
}


def real_answer() -> dict:
    """The real answer: China (156) 2010, all commodities, partners Argentina and Germany."""
    return json.loads(REAL_ANSWER.read_text(encoding="utf-8"))


def real_record() -> dict:
    """Its first record: China's 2010 imports from Argentina."""
    return real_answer()["data"][0]


def rare_earth(record: dict, kg: float | None, cmd: str = "280530") -> dict:
    """`record` made a line of HS code `cmd` weighed in kg (quantity = net weight)."""
    record.update(cmdCode=cmd, cmdDesc=HS_TEXTS.get(cmd), aggrLevel=len(cmd), isLeaf=len(cmd) == 6,
                  qtyUnitCode=8, qtyUnitAbbr="kg", qty=kg, netWgt=kg)
    return record


# The real response: China (156) 2010, partners Argentina (32) and Germany (276), M and X.
NET_WEIGHTS_KG = [1_250_000.0, 84_310.5, 3_020_000.0, 0.0]


def rare_earth_response() -> dict:
    """The real records as HS 280530 (rare-earth metals) with net weights filled in."""
    response = real_answer()
    for record, weight in zip(response["data"], NET_WEIGHTS_KG, strict=True):
        rare_earth(record, weight)
    return response


def record(*, reporter: int = 156, partner: int = 32, flow: str = "M", cmd: str = "280530",
           kg: float | None = 1000.0, usd: float | None = None, period: str = "2010",
           reporter_iso: str | None = None, partner_iso: str | None = None, **fields) -> dict:
    """A record of rare-earth trade between two Comtrade codes in `period` (YYYY or YYYYMM);
    ISO codes and names only where given, as in a bulk file. `fields` set any other field."""
    item = rare_earth(real_record(), kg, cmd)
    year, month = int(period[:4]), int(period[4:] or 0)
    item.update(
        freqCode="M" if month else "A", period=period, refYear=year,
        refMonth=month or 52, refPeriodId=year * 10_000 + (month or 1) * 100 + 1,  # 20100101
        reporterCode=reporter, reporterISO=reporter_iso, reporterDesc=None,
        partnerCode=partner, partnerISO=partner_iso, partnerDesc=None,
        flowCode=flow, flowDesc={"M": "Import", "X": "Export"}.get(flow),
    )
    if usd is not None:  # CIF for imports, FOB for exports, as reporters declare them
        item.update(primaryValue=usd, cifvalue=usd if flow == "M" else None,
                    fobvalue=usd if flow == "X" else None)
    item.update(fields)
    return item


def as_json(payload: dict) -> bytes:
    """JSON in the API's own layout (4-space indent, as in the recorded answers)."""
    return json.dumps(payload, indent=4).encode()


def api_answer(records: list[dict], error: str = "") -> bytes:
    """The API's envelope around `records`."""
    return as_json({"elapsedTime": "0.21 secs", "count": len(records), "data": records,
                    "error": error})


# --- bulk files -------------------------------------------------------------------------------

def bulk_cells(record: dict, header: tuple[str, ...] = BULK_HEADER) -> dict[str, str]:
    """A record as the text cells of a bulk-file line. The bulk header spells some names as the
    data-item dictionary does (`cifValue`, `isnetWgtEstimated`), records do not: matched
    case-insensitively. Null is an empty cell."""
    values = {name.lower(): value for name, value in record.items()}
    return {name: "" if values.get(name.lower()) is None else str(values[name.lower()])
            for name in header}


def bulk_line(cells: dict[str, str], delimiter: str = ",",
              header: tuple[str, ...] = BULK_HEADER) -> str:
    return delimiter.join(cells[name] for name in header)


def bulk_file(lines: list[str], delimiter: str = ",", header: tuple[str, ...] = BULK_HEADER) -> str:
    return "\n".join([delimiter.join(header), *lines]) + "\n"


def bulk_text(records: list[dict], delimiter: str = ",",
              header: tuple[str, ...] = BULK_HEADER) -> str:
    """Whole records as a bulk file (codes only: bulk files carry no ISO codes or names)."""
    lines = [bulk_line(bulk_cells(record, header), delimiter, header) for record in records]
    return bulk_file(lines, delimiter, header)


# --- Japan's customs statistics ---------------------------------------------------------------

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def japan_header(april: str = "Apr") -> list[str]:
    """The e-Stat "commodity by country" CSV header."""
    header = ["Exp or Imp", "Year", "HS", "Country", "Unit1", "Unit2",
              "Quantity1-Year", "Quantity2-Year", "Value-Year"]
    for month in MONTHS:
        label = april if month == "Apr" else month
        header += [f"Quantity1-{label}", f"Quantity2-{label}", f"Value-{label}"]
    return header


def japan_line(flow: str, hs: str, country: str, unit1: str, unit2: str,
               months: dict[int, tuple[str, str, str]]) -> list[str]:
    """One line: months maps 1..12 to (Quantity1, Quantity2, Value in thousand yen)."""
    cells = [flow, "2024", f"'{hs}'", country, unit1 or "  ", unit2]
    monthly = [months.get(month, ("0", "0", "0")) for month in range(1, 13)]
    totals = [str(sum(float(m[i]) for m in monthly if m[i].replace(".", "").isdigit()))
              for i in range(3)]
    cells += totals
    for quantity1, quantity2, value in monthly:
        cells += [quantity1, quantity2, value]
    return cells


# --- a local Comtrade server's client ------------------------------------------------------

class FakeTime:
    """clock + sleep that record waits instead of waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def json_response(content: bytes, status: int = 200, headers: dict | None = None) -> Response:
    return Response(content, status=status, headers=headers, content_type="application/json")


def make_client(httpserver, fake: FakeTime, key: str | None = None, **kwargs) -> ComtradeClient:
    return ComtradeClient(httpserver.url_for(""), key if key is not None else "",
                          sleep=fake.sleep, clock=fake.clock, **kwargs)


# --- the company disclosure register ---------------------------------------------------------

# A valid register row: Lynas FY2024 total REO as printed in its 2024 Annual Report.
DISCLOSURE_ROW = {
    "company": "lynas",
    "facility": "lynas_malaysia",
    "country_iso3": "MYS",
    "stage": "separation",
    "product_basis": "total_reo",
    "elements": "",
    "period": "FY2024",
    "metric": "production",
    "value": "10,908",
    "unit": "tonnes",
    "destination_iso3": "",
    "document_title": "Lynas Rare Earths 2024 Annual Report",
    "publisher": "Lynas Rare Earths Limited",
    "document_date": "",
    "url": "",
    "page": "3",
    "printed_page": "1",
    "vintage": "2024-06-30",
    "method": "register",
    "is_estimate": "false",
    "confidence": "high",
    "notes": "",
    "value_qualifier": "",  # blank: printed exactly
}
# The day the register rows are checked against (a vintage may not lie after it).
DISCLOSURE_TODAY = date(2026, 11, 24)


def make_pdf(pages: list[list]) -> bytes:
    """A producer's report as a PDF: each page a list of paragraphs (str) and table rows (list of
    cells)."""
    pdf = FPDF()
    for page in pages:
        pdf.add_page()
        for item in page:
            if isinstance(item, list):
                pdf.set_font("Helvetica", "", 9)
                for index, cell in enumerate(item):
                    pdf.cell(
                        75 if index == 0 else 30,
                        7,
                        cell,
                        border=1,
                        align="L" if index == 0 else "R",
                    )
                pdf.ln(7)
            else:
                bold = item.isupper()
                pdf.set_font("Helvetica", "B" if bold else "", 14 if bold else 10)
                pdf.multi_cell(0, 6, item, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
