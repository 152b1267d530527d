"""The dbt seeds of disclosure assumptions agree with the company register they come from.

`deposit_element_distribution.csv` and `ndpr_split.csv` are the dbt side of what
`ingest/embedded/disclosures/companies.yml` records per facility; these tests keep the two from
drifting apart and the assumptions honestly labelled.
"""

from __future__ import annotations

import csv
import itertools

import pandas as pd
import pytest

from expectations.registry import mart_guards
from expectations.runner import validate
from ingest.sources.disclosures import load_companies
from tests.conftest import REPO_ROOT

SEEDS = REPO_ROOT / "dbt_project" / "seeds"


def _rows(name: str) -> list[dict[str, str]]:
    with open(SEEDS / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def facilities():
    return {
        facility.id: facility
        for company in load_companies().values()
        for facility in company.facilities.values()
    }


def test_distribution_seed_matches_companies_yml(facilities):
    seed = _rows("deposit_element_distribution.csv")
    for facility_id in {row["facility_id"] for row in seed}:
        published = facilities[facility_id].element_distribution
        assert published is not None, f"{facility_id}: no distribution in companies.yml"
        current = {
            row["component"]: float(row["share_pct_of_treo"])
            for row in seed
            if row["facility_id"] == facility_id and row["is_current"] == "true"
        }
        previous = {
            row["component"]: float(row["share_pct_of_treo"])
            for row in seed
            if row["facility_id"] == facility_id and row["is_current"] == "false"
        }
        assert current == {k: float(v) for k, v in published["shares_pct"].items()}
        expected_previous = (published.get("previously_published") or {}).get("shares_pct") or {}
        assert previous == {k: float(v) for k, v in expected_previous.items()}
    # Facilities without a published distribution (Lynas's) have no rows: their REO is not split.
    assert {f for f, facility in facilities.items() if facility.element_distribution is None}.isdisjoint(
        {row["facility_id"] for row in seed}
    )


def test_each_year_takes_the_distribution_of_the_filing_that_covers_it():
    # Mountain Pass: the FY2020 10-K's split for 2020 and before, the FY2021-FY2025 10-Ks' from
    # 2021; a facility's distributions never cover the same year twice.
    spans: dict[str, set[tuple[str, float, float]]] = {}
    for row in _rows("deposit_element_distribution.csv"):
        start = float(row["applies_from_year"]) if row["applies_from_year"] else float("-inf")
        end = float(row["applies_to_year"]) if row["applies_to_year"] else float("inf")
        assert start <= end, row
        spans.setdefault(row["facility_id"], set()).add((row["published_in"], start, end))
    for facility_id, filings in spans.items():
        assert len({published_in for published_in, _, _ in filings}) == len(filings), facility_id
        ordered = sorted(filings, key=lambda filing: filing[1])
        for (_, _, end), (_, start, _) in itertools.pairwise(ordered):
            assert end < start, facility_id
        # the current distribution is the one for the latest years
        assert ordered[-1][2] == float("inf")
    assert spans["mountain_pass"] == {("10-K FY2020", float("-inf"), 2020.0),
                                      ("10-K FY2021-FY2025", 2021.0, float("inf"))}


def test_distribution_rows_are_labelled_and_cited():
    for row in _rows("deposit_element_distribution.csv"):
        assert row["is_estimate"] == "true" and row["is_illustrative"] == "false"
        assert row["source"] and row["confidence"] in ("high", "medium", "low")
        # Only an element symbol or NdPr may be split out; SEG+ (several elements) maps to nothing.
        assert row["element_code"] in ("Ce", "La", "Nd", "Pr", "NdPr", ""), row
        assert (row["element_code"] == "") == (row["component"] == "SEG+")


def test_ndpr_split_uses_the_company_figures_or_a_labelled_default(facilities):
    rows = _rows("ndpr_split.csv")
    by_facility = {row["facility_id"]: row for row in rows}
    assert set(by_facility) <= set(facilities) | {""}
    # Mountain Pass: MP's own Nd and Pr shares of TREO (the FY2020 10-K split).
    mountain_pass = by_facility["mountain_pass"]
    printed = facilities["mountain_pass"].element_distribution["previously_published"]["shares_pct"]
    assert (float(mountain_pass["nd_parts"]), float(mountain_pass["pr_parts"])) == (
        float(printed["Nd"]),
        float(printed["Pr"]),
    )
    # The default is an assumption and must say so.
    default = by_facility[""]
    assert default["is_estimate"] == "true" and default["confidence"] == "low"
    assert "assumption" in default["source"].lower()
    assert all(row["is_estimate"] == "true" for row in rows)


def test_facility_feeds_seed_matches_companies_yml(facilities):
    # The dbt side of the `feed` entries: Lynas Malaysia separates Mt Weld's concentrate.
    seed = {row["facility_id"]: row for row in _rows("facility_feeds.csv")}
    fed = {facility_id: facility for facility_id, facility in facilities.items() if facility.feed}
    assert set(seed) == set(fed) and "lynas_malaysia" in seed
    for facility_id, row in seed.items():
        facility, feed = fed[facility_id], fed[facility_id].feed
        feeder = facilities[feed["from_facility"]]
        assert (row["country_iso3"], row["feed_facility_id"], row["feed_country_iso3"], row["feed_stage"]) == (
            facility.country_iso3, feeder.id, feeder.country_iso3, feed["stage"])
        assert row["stage"] in facility.stages and row["feed_product"] == feed["product"]
        # the feed's tonnage is never disclosed here: every booked feed is an estimate
        assert row["is_estimate"] == "true" and row["source"].startswith(feed["source"].split(";")[0])


def _production_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "quantity_t_element": [84.9975, None, 64.305],
            "quantity_t_reo": [100.0, 1000.0, 75.0],
            "period_start": pd.to_datetime(["2024-01-01"] * 3),
            "period_end": pd.to_datetime(["2024-12-31"] * 3),
            "stage": ["separation", "mining", "separation"],
            "metric": ["production"] * 3,
            "element": ["NdPr", "REO", "Nd"],
            "document_title": ["report"] * 3,
            "vintage": pd.to_datetime(["2025-02-01"] * 3),
            "country_iso3": ["USA"] * 3,
            "year": [2024] * 3,
            "page": [1, 2, 3],
        }
    )


def test_company_production_suite_passes_good_rows_and_catches_bad_ones():
    suite = mart_guards()["fct_company_production"].build_suite()
    assert all(outcome.passed for outcome in validate(_production_frame(), suite))

    bad = _production_frame()
    bad.loc[0, "quantity_t_element"] = 120.0  # more metal than oxide
    bad.loc[2, "period_end"] = pd.Timestamp("2023-12-31")  # ends before it starts
    failed = {o.expectation: o.unexpected_count for o in validate(bad, suite) if not o.passed}
    assert failed == {
        "expect_column_pair_values_a_to_be_greater_than_b(quantity_t_reo, quantity_t_element)": 1,
        "expect_column_pair_values_a_to_be_greater_than_b(period_end, period_start)": 1,
    }
