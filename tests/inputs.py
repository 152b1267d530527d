"""Input files for the fault tests, made from the embedded defaults (never from reference data)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ingest import settings
from ingest.sources import published_figures

USGS_2025 = settings.EMBEDDED_DIR / "usgs_mcs" / "mcs2025-raree_world.csv"
JAPAN_FIGURES = settings.EMBEDDED_DIR / "published_figures" / "japan.csv"


def embedded_figure_count() -> int:
    """Rows of the embedded published-figures register (one cited figure a row)."""
    files = sorted((settings.EMBEDDED_DIR / "published_figures").glob("*.csv"))
    return sum(len(path.read_text(encoding="utf-8-sig").splitlines()) - 1 for path in files)


def damaged(content: bytes) -> dict[str, tuple[bytes, str]]:
    """Damaged copies of a CSV: file name -> (bytes, what the quarantine reason must say)."""
    text = content.decode("utf-8-sig")
    # five bytes into a quoted field: a quote that opens one follows a comma
    cut_in_quote = content.index(b',"', len(content) // 2) + 6
    return {
        "cut_mid_line.csv": (content[: len(content) // 2], "is truncated"),
        "cut_in_quote.csv": (content[:cut_in_quote], "ends inside a quoted field"),
        "random.csv": (os.urandom(4096), "is not UTF-8"),
        "empty.csv": (b"", "is empty"),
        "utf16.csv": (text.encode("utf-16"), "is not UTF-8"),
        "latin1.csv": ((text + "\n").replace("Japan", "Japón").replace("China", "Chiná")
                       .encode("latin-1"), "is not UTF-8"),
        "nul.csv": (content[:300] + b"\x00" * 8 + content[300:], "NUL bytes"),
    }


# The published-figures register's header line, its columns in order.
REGISTER_HEADER = ",".join(published_figures.REQUIRED) + "\n"


def big_register(rows: int, bad_row: int | None = None) -> bytes:
    """A published-figures register of `rows` valid figures (CSV lines 2..rows+1); the figure on
    line `bad_row` has a letter O typed for a zero."""
    lines = []
    for line in range(2, rows + 2):
        value = "12O" if line == bad_row else str(line)
        lines.append(
            f"load_{line:05d},load_test,stockpile_t,JPN,,2020,2020,REO,all,{value},t,"
            f"synthetic figure for the fault tests,reeflow fault tests,line {line},2020,false,true,low,,"
            "exact,,t_basis_not_stated,,,,,\n"
        )
    return (REGISTER_HEADER + "".join(lines)).encode()


def sha256_of(path: Path) -> str:
    """The published file's fingerprint: equal means not a byte changed."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
