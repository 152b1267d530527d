"""Diversification projects as staged: one row per project and source.

The parser checks each row (stages, countries, qualifiers, a locator); across rows, prepare()
checks that the rows of one project agree on what they are about: two sources may print
different numbers for a project, but a project id naming two different projects' stages (no
stage in common) is a typing error (ERROR).
"""

import great_expectations as gx
import pandas as pd

from expectations.severity import error

ID_COLUMNS = ("project_id", "source_publication", "file_id", "row_number")


def _stages(text) -> frozenset[str]:
    return frozenset(str(text).split(";")) if isinstance(text, str) and text else frozenset()


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    stages = frame["stage"].map(_stages)
    # Stages every row of the project shares (rows that name none do not count).
    common = stages.where(stages.map(bool)).groupby(frame["project_id"]).transform(
        lambda sets: len(frozenset.intersection(*sets.dropna())) if sets.notna().any() else 1
    )
    frame["stages_in_common"] = common.astype(float)
    return frame


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="stages_in_common", min_value=1, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="source_locator", meta=error()),
    ]
    return gx.ExpectationSuite(name="staged_diversification_projects", expectations=expectations)
