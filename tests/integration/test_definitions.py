import dagster as dg


def test_definitions_load_with_groups_job_schedule_and_checks():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys() if graph.has(key)}
    assert {"ingest", "staging", "intermediate", "marts", "reference", "quality", "publish"} <= groups
    assert defs.resolve_job_def("reeflow_main") is not None
    assert {schedule.name for schedule in defs.schedules} == {
        "comtrade_monthly", "disclosures_quarterly", "reference_yearly"}
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert "gx_mart_stage_concentration" in checks
    assert any(name.startswith("unique_combination") for name in checks)  # dbt tests as checks
    publish = graph.get(dg.AssetKey(["published_warehouse"]))
    assert dg.AssetKey(["mart_stage_concentration"]) in publish.parent_keys


def test_every_staged_dataset_is_guarded_by_a_blocking_suite_and_a_freshness_check():
    from ingest.catalog import kinds_by_dataset
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    checks = {(key.asset_key.to_user_string(), key.name): key for key in graph.asset_check_keys}
    for dataset in [*kinds_by_dataset(), "countries"]:
        gx_check = checks[(f"ingest/{dataset}", f"gx_{dataset}")]
        assert graph.get_check_spec(gx_check).blocking
    for dataset in kinds_by_dataset():
        assert not graph.get_check_spec(checks[(f"ingest/{dataset}", "freshness")]).blocking


def test_dbt_tests_of_severity_error_surface_as_blocking_checks():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    spec = graph.get_check_spec(dg.AssetCheckKey(
        dg.AssetKey(["fct_mine_production"]),
        "unique_combination_fct_mine_production_edition__country_iso3__year"))
    assert spec.blocking
    assert graph.get_check_spec(dg.AssetCheckKey(
        dg.AssetKey(["fct_mine_production"]), "gx_fct_mine_production")).blocking


def test_the_main_job_never_fetches_and_the_fetch_job_is_partitioned_by_year():
    from orchestration.definitions import defs

    fetch = dg.AssetKey(["ingest", "comtrade_api_answers"])
    main = defs.resolve_job_def("reeflow_main")
    assert fetch not in main.asset_layer.selected_asset_keys
    assert dg.AssetKey(["ingest", "comtrade_records"]) in main.asset_layer.selected_asset_keys
    fetch_job = defs.resolve_job_def("comtrade_fetch")
    assert fetch_job.asset_layer.selected_asset_keys == {fetch}
    assert fetch_job.partitions_def.get_partition_keys()[0] == "2007"
    graph = defs.resolve_asset_graph()
    # The staged Comtrade dataset is downstream of the fetch, which writes no DuckDB file.
    assert fetch in graph.get(dg.AssetKey(["ingest", "comtrade_records"])).parent_keys
    assert graph.get(fetch).pools == {"comtrade_api"}
