"""The validation worker gives the outcomes a check would compute itself, and a check falls back
to its own process when the worker is gone."""

from __future__ import annotations

import os
import time

import pandas as pd
import pytest

from expectations.registry import Guard, staged_guards
from ingest.catalog import read_dataset
from ingest.reference.countries import stage_countries
from orchestration import expectation_cache, validation_worker


@pytest.fixture
def countries(reeflow_env) -> pd.DataFrame:
    """The staged countries, one of them twice: the outcomes hold a failure too."""
    stage_countries()
    frame = read_dataset("countries")
    return pd.concat([frame, frame.head(1)], ignore_index=True)


@pytest.fixture
def worker():
    validation_worker.start()
    yield
    validation_worker.stop()


def test_the_worker_validates_as_the_check_would(worker, countries, monkeypatch):
    guard = staged_guards()["countries"]
    expected = guard.validate(countries)
    assert not all(o.passed for o in expected)

    def not_here(self, frame):
        raise AssertionError("validated in the test's process, not in the worker")

    monkeypatch.setattr(Guard, "validate", not_here)  # the worker's own process is untouched
    assert validation_worker.validate(guard, countries) == expected


def test_an_error_of_the_suite_is_raised_as_it_would_be_here(worker, countries):
    with pytest.raises(KeyError):
        validation_worker.validate(staged_guards()["countries"], countries.drop(columns="is_eu27"))
    assert validation_worker.running()


def test_a_dead_worker_means_validating_here(worker, countries, caplog):
    guard = staged_guards()["countries"]
    validation_worker.validate(guard, countries)  # the worker is up
    for pid in list(validation_worker._worker._processes):
        os.kill(pid, 9)
    time.sleep(0.2)
    assert validation_worker.validate(guard, countries) == guard.validate(countries)
    assert not validation_worker.running()
    assert "validation worker failed" in caplog.text


def test_a_worker_is_started_when_nothing_was_validated_today(reeflow_env):
    assert validation_worker.validation_likely()  # a fresh data folder
    expectation_cache.store("staged/countries", "k", "run-1", [])
    assert not validation_worker.validation_likely()
    kept = next(expectation_cache.cache_dir().glob("*.json"))
    yesterday = time.time() - 86400
    os.utime(kept, (yesterday, yesterday))
    assert validation_worker.validation_likely()  # the date is in every key: all miss today
