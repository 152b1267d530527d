"""ISO3 <-> UN Comtrade country codes for building API requests.

Comtrade numbers countries by M49, except where its coverage differs from M49's (the USA is 842
with Puerto Rico, not 840; France 251; India 699; ...). Those exceptions live in one table, the
dbt seed `comtrade_country_codes.csv`, which staging also uses to place records by code.
"""

from __future__ import annotations

from functools import cache

from ingest.reference.countries import country_table
from ingest.reference.seeds import seed_rows


@cache
def _codes_by_iso3() -> dict[str, int]:
    # M49 codes of every country, then Comtrade's own exceptions on top.
    table = country_table().dropna(subset=["m49_code"])
    codes = {iso3: int(m49) for iso3, m49 in zip(table["iso3"], table["m49_code"], strict=True)}
    codes.update({row["country_iso3"]: int(row["comtrade_code"]) for row in seed_rows("comtrade_country_codes")})
    return codes


def comtrade_code(code: str) -> str:
    """A Comtrade country code for an ISO3 code (or a numeric code, passed through)."""
    text = code.strip().upper()
    if text.isdigit():
        return str(int(text))
    if text not in _codes_by_iso3():
        raise ValueError(f"unknown country {code!r}: give an ISO3 code (JPN) or a Comtrade code (392)")
    return str(_codes_by_iso3()[text])
