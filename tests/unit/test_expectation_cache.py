"""A suite's outcomes are reused only for the same rows, the same code and the same day."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from expectations.outcome import ExpectationOutcome
from orchestration import expectation_cache

GUARD = "mart/fct_mine_production"
OUTCOMES = [ExpectationOutcome("fct_mine_production", "expect_column_values_to_not_be_null(year)", "ERROR",
                               True, 0, "[]")]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "country_iso3": ["CHN", "USA", None],
        "year": [2023, 2023, 2024],
        "production_t_reo": [255_000.0, 43_000.0, np.nan],
    })


def test_the_same_rows_in_another_order_have_the_same_key():
    frame = _frame()
    assert expectation_cache.key(GUARD, frame) == expectation_cache.key(GUARD, frame.iloc[::-1])


@pytest.mark.parametrize("change", ["value", "null filled", "row added", "row removed", "column renamed",
                                    "dtype", "other guard"])
def test_any_change_to_the_rows_or_the_guard_changes_the_key(change):
    frame, changed, guard = _frame(), _frame(), GUARD
    if change == "value":
        changed.loc[0, "production_t_reo"] = 270_000.0
    elif change == "null filled":
        changed.loc[2, "country_iso3"] = "MMR"
    elif change == "row added":
        changed = pd.concat([changed, changed.iloc[[0]]], ignore_index=True)
    elif change == "row removed":
        changed = changed.iloc[:2]
    elif change == "column renamed":
        changed = changed.rename(columns={"year": "period"})
    elif change == "dtype":
        changed["year"] = changed["year"].astype("int32")
    else:
        guard = "staged/usgs_mine_production"
    assert expectation_cache.key(guard, changed) != expectation_cache.key(GUARD, frame)


def test_the_code_and_the_day_are_part_of_the_key(monkeypatch):
    before = expectation_cache.key(GUARD, _frame())
    monkeypatch.setattr(expectation_cache, "code_digest", lambda: "a suite was edited")
    edited = expectation_cache.key(GUARD, _frame())
    assert edited != before

    class Tomorrow(date):
        @classmethod
        def today(cls):
            return date(2099, 1, 1)

    monkeypatch.setattr(expectation_cache, "date", Tomorrow)
    assert expectation_cache.key(GUARD, _frame()) != edited


def test_a_text_column_holding_other_objects_is_never_cached():
    frame = _frame()
    frame["country_iso3"] = ["CHN", 1, None]  # pandas would hash 1 like "1"
    assert expectation_cache.key(GUARD, frame) is None
    expectation_cache.store(GUARD, None, "run-1", OUTCOMES)  # nothing kept
    assert expectation_cache.lookup(GUARD, None) is None


def test_outcomes_are_found_again_under_their_key_only(reeflow_env):
    key = expectation_cache.key(GUARD, _frame())
    assert expectation_cache.lookup(GUARD, key) is None
    expectation_cache.store(GUARD, key, "run-1", OUTCOMES)
    found = expectation_cache.lookup(GUARD, key)
    assert found is not None and found.run_id == "run-1" and found.outcomes == OUTCOMES
    other = _frame()
    other.loc[0, "year"] = 2022
    assert expectation_cache.lookup(GUARD, expectation_cache.key(GUARD, other)) is None

