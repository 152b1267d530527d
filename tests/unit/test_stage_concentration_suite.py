"""mart_stage_concentration's GX suite: a group's country shares add up to at most the whole."""

from __future__ import annotations

import pandas as pd

from expectations.registry import mart_guards


def _frame(rows: list[tuple[str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"year": 2021, "stage": "magnets", "element": "REO", "source_kind": "published_aggregate",
             "entity_kind": "country", "country_iso3": iso3, "share_pct": share, "share_basis": basis}
            for iso3, share, basis in rows
        ]
    )


def test_shares_of_different_bases_are_different_wholes():
    # Fuji Keizai's market shares (basis not stated) beside a share of world output for the same
    # year: 84 + 15 and 90 are two wholes, not 189 % of one.
    guard = mart_guards()["mart_stage_concentration"]
    two_bases = _frame([("CHN", 84, "pct_basis_not_stated"), ("JPN", 15, "pct_basis_not_stated"),
                        ("CHN", 90, "pct_of_world_output")])
    assert all(outcome.passed for outcome in guard.validate(two_bases))
    one_basis = _frame([("CHN", 84, "pct_of_world_output"), ("JPN", 15, "pct_of_world_output"),
                        ("KOR", 90, "pct_of_world_output")])
    assert not all(outcome.passed for outcome in guard.validate(one_basis))
