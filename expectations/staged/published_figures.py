"""Published aggregates as staged: single cited figures (quotas, shares, stockpile days).

The parser already refuses a row without a publication, a stage or unit outside its lists, or a
percentage above 100; this suite checks the staged result against the reference model (stages
and elements from the seeds) and the figures against each other: the shares one publication
gives for the parts of one whole (Japan's imports by partner, world magnet output by country)
cannot add up to more than 100 % beyond their rounding.
"""

from datetime import date

import great_expectations as gx
import pandas as pd

from expectations.reference import CONFIDENCE_LEVELS, stages
from expectations.rules import group_total
from expectations.severity import error
from ingest.sources.published_figures import FORWARD_LATEST_YEAR, FORWARD_QUALIFIERS, UNITS, element_regex

ID_COLUMNS = ("figure_id", "file_id", "row_number")
# What makes shares parts of one whole: the same figure definition from the same publication.
SHARE_GROUP = ["topic", "metric", "year", "period_label", "element", "stage", "definition",
               "publication", "edition", "whole"]
# Shares are printed rounded (to 1 % or 0.1 %): each part may be up to half a point high.
ROUNDING_PER_SHARE_PCT = 0.5
AT_MOST_TRUE_VALUE = ["exact", "approximately", "more_than", "at_least", "range"]


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    is_share = frame["unit"] == "percent"
    frame["share_pct"] = frame["value"].where(is_share)
    frame["share_high_pct"] = frame["value_high"].where(is_share)
    # A target, forecast or potential may be about a year to come; any other figure may not.
    is_forward = frame["value_qualifier"].isin(FORWARD_QUALIFIERS)
    frame["data_year"] = frame["year"].where(~is_forward)
    # Shares by partner are parts of the subject's whole (Japan's imports); shares without a
    # partner are the subjects' parts of a world total (China's share of magnet output).
    frame["whole"] = frame["subject_iso3"].where(frame["partner_iso3"].notna(), "(world)")
    # A figure landed again after a correction supersedes the earlier landing (dbt keeps the
    # latest): count each figure once, at its smaller value, so a correction never adds up
    # with the figure it corrects.
    # Only values at or below the true share can show parts above their whole: point values,
    # lower bounds and a range's low end, never an upper bound, a target or a potential.
    at_most_true = frame["value_qualifier"].isin(AT_MOST_TRUE_VALUE)
    shares = frame[is_share & at_most_true].sort_values("value").drop_duplicates("figure_id")
    total, count = group_total(shares, value="value", by=SHARE_GROUP)
    # Above 0: the parts add up to more than the whole plus their rounding.
    frame["parts_excess_pct"] = total - (100 + ROUNDING_PER_SHARE_PCT * count)
    return frame


def build_suite() -> gx.ExpectationSuite:
    expectations = [
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="stage", value_set=[*stages(), "all"], meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeInSet(column="unit", value_set=sorted(UNITS), meta=error()),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="confidence", value_set=CONFIDENCE_LEVELS, meta=error()
        ),
        # An element symbol list from the seeds ("Nd;Pr"), an aggregate (REO, NdPr) or a scope
        # wider than the rare earths (rare_metals).
        gx.expectations.ExpectColumnValuesToMatchRegex(column="element", regex=element_regex(), meta=error()),
        gx.expectations.ExpectColumnValuesToBeBetween(column="value", min_value=0, meta=error()),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="share_pct", min_value=0, max_value=100, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="share_high_pct", min_value=0, max_value=100, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="year", min_value=1950, max_value=FORWARD_LATEST_YEAR, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="data_year", min_value=1950, max_value=date.today().year + 2, meta=error()
        ),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="publication", meta=error()),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="figure_id", meta=error()),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="parts_excess_pct", max_value=0, meta=error()
        ),
    ]
    return gx.ExpectationSuite(name="staged_published_figures", expectations=expectations)
