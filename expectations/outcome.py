"""One expectation's (or dbt test's, or freshness rule's) result, as callers store it.

Kept apart from runner.py so that storing and reading results never imports
great-expectations (seconds of start-up): only a run that validates a frame pays for it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExpectationOutcome:
    suite: str
    expectation: str  # type plus its column(s), e.g. expect_column_values_to_be_between(share_pct)
    severity: str
    passed: bool
    unexpected_count: int
    sample: str  # a few offending values (with the row's id columns when given), for the analyst
