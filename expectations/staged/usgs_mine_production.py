"""USGS MCS world mine production as staged: every edition, every country and year, in t REO.

Rules that need several rows are computed by prepare():
- the itemized countries of an edition-year must add up to its world total within dbt's
  `world_total_tolerance_pct` (USGS rounds the total). An excess is an ERROR, as in the dbt test
  `assert_mine_production_sums_to_world_total`; a shortfall is a WARN, because several editions
  itemize fewer countries than the total covers;
- a country's production changing more than YEAR_ON_YEAR_FACTOR from one year to the next within
  an edition is flagged (WARN).
"""

import great_expectations as gx
import pandas as pd

from expectations.reference import dbt_var
from expectations.rules import parts_over_total_pct, year_on_year_factor
from expectations.severity import error, warn

ID_COLUMNS = ("edition", "country_iso3", "year", "file_id")
# Real year-on-year changes of a producer stay within about 4x (Thailand 2023->2024: 3,600 t ->
# 13,000 t; Burma 2022->2023: 12,000 t -> 38,000 t); a footnote digit fused into a number or a
# kt/t slip multiplies by 10 or 1,000. Beyond 5x a human should look (WARN, not a block: such
# jumps are sometimes real and later revised, e.g. Vietnam 2022 in MCS2023, 4,300 t after 400 t,
# revised to 1,200 t in MCS2024).
YEAR_ON_YEAR_FACTOR = 5
# Below 1,000 t (about 0.25 % of world output) a single mine opening or closing swings a country
# many-fold (Brazil 140 t -> 20 t in 2024) without moving any share by more than a quarter point.
YEAR_ON_YEAR_FLOOR_T = 1_000
# The largest national output ever reported is China's 270,000 t (2024); a country row above
# 2 Mt is a transcription error whatever the year (same bound as the fct_mine_production suite).
MAX_COUNTRY_T = 2_000_000


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    countries = ~frame["is_world_total"].astype(bool) & (frame["country_iso3"] != "OTH")
    frame["yoy_factor"] = year_on_year_factor(
        frame,
        value="production_t_reo",
        year="year",
        by=["edition", "country_iso3"],
        floor=YEAR_ON_YEAR_FLOOR_T,
        where=countries,
    )
    frame["countries_pct_of_world"] = parts_over_total_pct(
        frame,
        value="production_t_reo",
        is_total=frame["is_world_total"].astype(bool),
        by=["edition", "year"],
    )
    world_rows = frame["is_world_total"].astype(int).groupby(
        [frame["edition"], frame["year"]]
    ).transform("sum")
    frame["world_rows_in_edition_year"] = world_rows
    return frame


def build_suite() -> gx.ExpectationSuite:
    tolerance = float(dbt_var("world_total_tolerance_pct"))
    expectations = [
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="production_t_reo", min_value=0, max_value=MAX_COUNTRY_T, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="reserves_t_reo", min_value=0, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToMatchRegex(
            column="edition", regex=r"^MCS\d{4}$", meta=error()
        ),
        gx.expectations.ExpectColumnValuesToMatchRegex(
            column="country_iso3", regex=r"^[A-Z]{3}$", meta=error()
        ),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="country_iso3", meta=error()),
        # An edition reports earlier years only (MCS2025 gives 2023 and 2024).
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="edition_year", column_B="year", or_equal=False, meta=error()
        ),
        # Exactly one world total per edition and year: none means a cut-off table, two mean the
        # same edition landed twice with different bytes (its rows would count double).
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="world_rows_in_edition_year", min_value=1, max_value=1, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="countries_pct_of_world", max_value=100 + tolerance, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="countries_pct_of_world", min_value=100 - tolerance, meta=warn()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="yoy_factor", max_value=YEAR_ON_YEAR_FACTOR, meta=warn()
        ),
    ]
    return gx.ExpectationSuite(name="staged_usgs_mine_production", expectations=expectations)
