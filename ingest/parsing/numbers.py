"""Numbers that parse but cannot be figures: NaN, infinities and absurd magnitudes.

Python's float() and DuckDB's casts read "nan", "inf" and "1e308" as numbers. Staged, NaN turns
into a NULL ("not available") and infinity or 1e308 passes every range check that has no upper
bound, so every parser refuses them at parse time and quarantines the row with the reason.
"""

from __future__ import annotations

import math
import re
from functools import cache

# One billion tonnes: about 2,500 times the world's yearly rare-earth output (~390,000 t REO in
# 2024, USGS MCS 2025) and more than ten times the world's reserves (~90 Mt). No tonnage of any
# source reeflow reads can come near it; a larger number is a typing or unit error.
MAX_TONNES = 1e9
# 10^15 of any currency unit or count: more than the world's yearly GDP in US dollars (~1e14)
# and Japan's in yen (~6e14). A single trade record, price or value above it is an error.
MAX_AMOUNT = 1e15


@cache  # asked for each number of a customs file
def grouped_thousands(separator: str = ",", decimal: str = ".") -> str:
    """The pattern (Python and DuckDB) of a number whose thousands are grouped by `separator`:
    '10,908', '1,250.5'; with '.' and ',' (a German file) '1.250,5'."""
    return rf"[+-]?[0-9]{{1,3}}({re.escape(separator)}[0-9]{{3}})+({re.escape(decimal)}[0-9]+)?"


# A comma in a number is read only as a thousands separator ('10,908', '1,250.5'); a decimal
# comma ('12,5') would otherwise become 125, ten times the figure.
THOUSANDS_SEPARATED = grouped_thousands()


def without_thousands_commas(text: str, what: str) -> str:
    """`text` with its thousands separators dropped; ValueError naming `what` for a comma that
    is not one (a decimal comma, a list)."""
    if "," in text and not re.fullmatch(THOUSANDS_SEPARATED, text.strip()):
        raise ValueError(f"{what} {text!r} has a comma that is not a thousands separator "
                         "(write a decimal comma as a point)")
    return text.replace(",", "")


def plausible(value: float, what: str, limit: float) -> float:
    """`value` if it is finite and within +-`limit`; else ValueError naming `what`."""
    if not math.isfinite(value):
        raise ValueError(f"{what} {value!r} is not a finite number")
    if abs(value) > limit:
        raise ValueError(f"{what} {value:g} is beyond {limit:g}: not a plausible figure")
    return value
