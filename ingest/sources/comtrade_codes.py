"""ISO3 <-> UN Comtrade country codes for building API requests.

Comtrade numbers countries by M49, except where its coverage differs from M49's (the USA is 842
with Puerto Rico, not 840; France 251; India 699; ...). Those exceptions live in one table, the
dbt seed `comtrade_country_codes.csv`, which staging also uses to place records by code.
"""

from __future__ import annotations

import csv
from functools import cache

from ingest import settings
from ingest.countries import country_table

SEED = settings.DBT_PROJECT_DIR / "seeds" / "comtrade_country_codes.csv"


@cache
def _exceptions() -> dict[str, int]:
    with open(SEED, newline="", encoding="utf-8") as handle:
        return {row["country_iso3"]: int(row["comtrade_code"]) for row in csv.DictReader(handle)}


def comtrade_code(code: str) -> str:
    """A Comtrade country code for an ISO3 code (or a numeric code, passed through)."""
    text = code.strip().upper()
    if text.isdigit():
        return str(int(text))
    exceptions = _exceptions()
    if text in exceptions:
        return str(exceptions[text])
    table = country_table()
    match = table.loc[(table["iso3"] == text) & table["m49_code"].notna(), "m49_code"]
    if match.empty:
        raise ValueError(f"unknown country {code!r}: give an ISO3 code (JPN) or a Comtrade code (392)")
    return str(int(match.iloc[0]))
