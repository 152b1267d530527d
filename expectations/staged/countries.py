"""The country reference (from country_converter) as staged, before dbt builds dim_countries.

Unlike the source datasets this one is never empty: it is generated on every run, so an empty or
shrunken table means the classification package broke, and that is an ERROR.
"""

import great_expectations as gx
import pandas as pd

from expectations.severity import error

ID_COLUMNS = ("iso3", "name")
# ISO 3166 has 249 codes; country_converter adds Kosovo and a few others, and reeflow its three
# reserved aggregates (WLD, OTH) and the code origin tracing derives (XXX).
MIN_ROWS, MAX_ROWS = 240, 270
# Fixed memberships (2020 onward: the EU after Brexit).
GROUP_SIZES = {"is_eu27": 27, "is_g7": 7}


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    for column in GROUP_SIZES:
        frame[f"{column}_members"] = int(frame[column].fillna(False).astype(bool).sum())
    return frame


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        gx.expectations.ExpectTableRowCountToBeBetween(
            min_value=MIN_ROWS, max_value=MAX_ROWS, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeUnique(column="iso3", meta=error()),
        # Three capitals: ISO 3166 alpha-3, or a reserved code (WLD, OTH, XXX).
        gx.expectations.ExpectColumnValuesToMatchRegex(
            column="iso3", regex=r"^[A-Z]{3}$", meta=error()
        ),
        gx.expectations.ExpectColumnValuesToMatchRegex(
            column="iso2", regex=r"^[A-Z]{2}$", meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="m49_code", min_value=0, max_value=999, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="name", meta=error()),
        *(
            gx.expectations.ExpectColumnValuesToBeBetween(
                column=f"{column}_members", min_value=size, max_value=size, meta=error()
            )
            for column, size in GROUP_SIZES.items()
        ),
    ]
    return gx.ExpectationSuite(name="staged_countries", expectations=expectations)
