"""`reeflow docs`: the offline check of the dbt docs page, the description census, and the check
that published tables carry their dbt descriptions as comments."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.analysts import AnalystError
from orchestration.analysts.docs import (
    check_offline,
    comments_missing,
    documented_nodes,
    undescribed,
)

TRACKING_OFF = '<script>var metadata = {"send_anonymous_usage_stats": false};</script>'


@pytest.mark.parametrize("asset", [
    '<script src="https://cdn.example.org/angular.js"></script>',
    "<link rel=stylesheet href='//fonts.example.org/css'>",
    '<img alt="logo" src="http://example.org/logo.png">',
])
def test_a_page_loading_remote_assets_is_refused(asset):
    with pytest.raises(AnalystError, match="remote asset"):
        check_offline(f"<html>{asset}{TRACKING_OFF}</html>")


def test_a_page_with_tracking_on_is_refused():
    with pytest.raises(AnalystError, match="usage tracking on"):
        check_offline('<script>var metadata = {"send_anonymous_usage_stats": true};</script>')


def test_an_offline_page_passes_even_with_urls_in_its_text():
    check_offline(f'<html>{TRACKING_OFF}<a href="https://docs.getdbt.com">dbt</a>'
                  '<script>var u = "https://example.org";</script></html>')


def _node(name, description, columns, schema="main", resource_type="model"):
    return {"unique_id": f"{resource_type}.reeflow.{name}", "resource_type": resource_type,
            "package_name": "reeflow", "name": name, "alias": name, "schema": schema,
            "description": description,
            "columns": {column: {"description": text} for column, text in columns.items()}}


MANIFEST = {
    "metadata": {"project_name": "reeflow"},
    "nodes": {
        "model.reeflow.mart_x": _node("mart_x", "One row per year.", {"year": "Calendar year.",
                                                                      "value_t": "Tonnes, t REO."}),
        "model.reeflow.stg_y": _node("stg_y", "", {"a": ""}, schema="staging"),
        "seed.reeflow.stages": _node("stages", "The four stages.", {"stage": "Stage name."},
                                     schema="reference", resource_type="seed"),
        "test.reeflow.not_null": {"unique_id": "test.reeflow.not_null", "resource_type": "test",
                                  "package_name": "reeflow", "columns": {}},
        "model.other.z": {**_node("z", "", {}), "package_name": "other"},
    },
}


def test_described_models_and_columns_are_counted_and_the_rest_named():
    nodes = documented_nodes(MANIFEST)
    assert [node["name"] for node in nodes] == ["mart_x", "stg_y", "stages"]
    assert [gap for node in nodes for gap in undescribed(node)] == ["stg_y", "stg_y.a"]


def test_published_comments_are_compared_with_the_descriptions(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema reference")
        con.execute("create table mart_x (year integer, value_t double)")
        con.execute("comment on table mart_x is 'One row per year.'")
        con.execute("comment on column mart_x.year is 'Calendar year.'")
        con.execute("create table reference.stages (stage varchar)")
    with duckdb.connect(str(path), read_only=True) as con:
        # value_t lost its comment; the seed table lost both; stg_y is not published (a view).
        assert comments_missing(con, MANIFEST) == [
            "main.mart_x.value_t", "reference.stages", "reference.stages.stage",
        ]
