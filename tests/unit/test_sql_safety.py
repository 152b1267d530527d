"""Identifiers and paths that reach SQL are checked against allowlists; malicious ones are
refused before any SQL runs."""

import json
from pathlib import Path

import duckdb
import pytest
import yaml

from ingest import settings
from ingest.catalog import staged_glob
from ingest.sqlsafe import UnsafeSqlName, check_sql_path, qualified_name, quote_identifier

INJECTION = 'x"; create table pwned as select 1; --'
QUOTED = '"' + INJECTION.replace('"', '""') + '"'  # how an attacker would have created it


@pytest.mark.parametrize("name", [INJECTION, "a b", "", "1abc", "../etc", "a.b", "a'b", None])
def test_only_plain_identifiers_are_quoted(name):
    with pytest.raises(UnsafeSqlName):
        quote_identifier(name)


def test_an_identifier_outside_the_allowlist_is_refused():
    assert quote_identifier("fct_mine_production", ["fct_mine_production"]) == '"fct_mine_production"'
    with pytest.raises(UnsafeSqlName, match="not one of the known names"):
        quote_identifier("secrets", ["fct_mine_production"])
    with pytest.raises(UnsafeSqlName):
        qualified_name("main", "t", allowed=[("main", "u")])


@pytest.mark.parametrize("dataset", ["../../etc", "usgs_mine_production/../../x", "passwords"])
def test_staged_paths_come_only_from_the_catalog(reeflow_env, dataset):
    with pytest.raises(UnsafeSqlName):
        staged_glob(dataset)
    assert staged_glob("usgs_mine_production").endswith("staged/usgs_mine_production/*.parquet")


@pytest.mark.parametrize("path", ["/tmp/x'); copy (select 1) to '/tmp/y", "/tmp/a\nb", "/tmp/a;b"])
def test_paths_pasted_into_sql_text_are_refused(path):
    with pytest.raises(UnsafeSqlName, match="refusing path"):
        check_sql_path(path)
    assert check_sql_path("/tmp/reeflow data/x.duckdb") == "/tmp/reeflow data/x.duckdb"


def test_dbt_sql_names_no_path_of_this_machine():
    """dbt runs inside the data folder: its sources and profile name files relatively, so no
    data folder's name (quotes and all) ever reaches dbt's SQL text."""
    manifest = json.loads((settings.DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    sources = [source["relation_name"] for source in manifest["sources"].values()]
    assert sources and all(name.startswith("read_parquet('staged/") for name in sources), sources
    profile = yaml.safe_load((settings.DBT_PROJECT_DIR / "profiles.yml").read_text())
    assert profile["reeflow"]["outputs"]["dev"]["path"] == settings.DBT_WORK_DATABASE.as_posix()


def _database_with(path: Path, statement: str) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create table ok as select 1 as x")
        con.execute(statement)


def test_status_refuses_a_table_with_a_malicious_name(tmp_path):
    from orchestration.summary import _tables

    path = tmp_path / "w.duckdb"
    _database_with(path, f"create table {QUOTED} as select 1 as x")
    with duckdb.connect(str(path), read_only=True) as con, pytest.raises(UnsafeSqlName):
        _tables(con)


def test_publish_refuses_a_view_with_a_malicious_name_and_publishes_nothing(tmp_path):
    from orchestration import publishing

    work, published = tmp_path / "w.work.duckdb", tmp_path / "w.duckdb"
    _database_with(work, f"create view {QUOTED} as select 1 as x")
    with pytest.raises(UnsafeSqlName):
        publishing.publish(work_db=work, published=published)
    assert not published.exists()
    assert list(tmp_path.glob(".*.building")) == []


def test_the_checks_read_only_known_models_and_datasets(reeflow_env):
    from ingest.catalog import read_dataset
    from orchestration.defs.quality.expectation_checks import read_model

    work = settings.work_database_path()
    work.parent.mkdir(parents=True)
    _database_with(work, "create table main.fct_x as select 1 as x")
    assert read_model("fct_x").x.tolist() == [1]
    with pytest.raises(UnsafeSqlName):
        read_model("fct_y")
    with pytest.raises(UnsafeSqlName):
        read_model(INJECTION)
    with pytest.raises(UnsafeSqlName):
        read_dataset("../landing")
