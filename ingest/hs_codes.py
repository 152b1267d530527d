"""The HS6 lines reeflow keeps from trade files, read from the dbt seed so there is one list.

`dbt_project/seeds/hs_codes.csv` maps each HS6 line (by HS edition) to a stage and a content
factor; dbt joins trade rows to it. Staging keeps exactly those lines: the rare-earth specific
ones and the catch-all or mixed ones the seed carries for a stage (2530.90, 2612.20, 3606.90,
8505.11), because dbt decides per line what may be converted. Their 2- and 4-digit parents are
not kept: see `comtrade_bulk` for why.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from ingest import settings

HS_CODES_SEED = settings.DBT_PROJECT_DIR / "seeds" / "hs_codes.csv"


@lru_cache(maxsize=1)
def hs6_in_scope() -> frozenset[str]:
    """Every HS6 code of the seed, whatever the edition (the lines did not change 2007-2022)."""
    with open(HS_CODES_SEED, newline="", encoding="utf-8") as handle:
        codes = frozenset(row["hs6"].strip() for row in csv.DictReader(handle))
    malformed = sorted(code for code in codes if not (len(code) == 6 and code.isdigit()))
    if malformed:
        raise ValueError(f"{HS_CODES_SEED.name} holds codes that are not HS6: {malformed}")
    return codes
