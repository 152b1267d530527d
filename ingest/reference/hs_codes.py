"""The HS codes reeflow keeps from trade files, read from the dbt seeds so there is one list.

`dbt_project/seeds/hs_codes.csv` maps each HS6 line (by HS edition) to a stage and a content
factor, `hs_headings.csv` the few 4-digit headings that are rare earths as a whole (2846); dbt
joins trade rows to exactly these codes. Staging keeps the same codes: the rare-earth specific
lines and the catch-all or mixed ones the seed carries for a stage (2530.90, 2612.20, 3606.90,
8505.11), because dbt decides per line what may be converted, and the listed headings, which dbt
uses only where a reporter did not give their subheadings. Other parents (chapters 25, 26, 28,
36, 85; headings 2530, 2612, 2805, 3606, 8505) are sums that hold mostly goods that are not
rare earths: they are not kept.
"""

from __future__ import annotations

from functools import lru_cache

from ingest.reference.seeds import seed_column


def _column(seed: str, name: str, digits: int) -> frozenset[str]:
    codes = frozenset(seed_column(seed, name))
    malformed = sorted(code for code in codes if not (len(code) == digits and code.isdigit()))
    if malformed:
        raise ValueError(f"{seed}.csv holds codes that are not {digits}-digit: {malformed}")
    return codes


@lru_cache(maxsize=1)
def hs6_in_scope() -> frozenset[str]:
    """Every HS6 line of the seed, whatever the edition (the lines did not change 2007-2022)."""
    return _column("hs_codes", "hs6", 6)


@lru_cache(maxsize=1)
def headings_in_scope() -> frozenset[str]:
    """The 4-digit headings that are rare earths as a whole (the hs_headings seed)."""
    return _column("hs_headings", "heading", 4)


def codes_in_scope() -> frozenset[str]:
    """What staging keeps of a trade file: the seed's HS6 lines and its whole headings."""
    return hs6_in_scope() | headings_in_scope()
