import dagster as dg


def test_definitions_load_with_groups_job_schedule_and_checks():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys() if graph.has(key)}
    assert {"ingest", "staging", "intermediate", "marts", "reference", "quality", "publish"} <= groups
    assert defs.resolve_job_def("reeflow_main") is not None
    assert defs.resolve_schedule_def("reeflow_weekly").cron_schedule == "0 5 * * 1"
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert "gx_mart_stage_concentration" in checks
    assert any(name.startswith("unique_combination") for name in checks)  # dbt tests as checks
    publish = graph.get(dg.AssetKey(["published_warehouse"]))
    assert dg.AssetKey(["mart_stage_concentration"]) in publish.parent_keys
