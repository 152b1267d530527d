"""dbt's unit tests run here, in CI (`make test`), not in every production `reeflow run`.

They check the models' SQL on fixed inputs, which production data does not change, so the
run's `dbt build` leaves them out (orchestration/defs/transform/dbt.py). This runs every one of
them on the working database of a run of the embedded data (dbt reads the column types of each
model's inputs from it): a failing unit test fails `make test`.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from ingest import settings
from orchestration.dbt_launcher import launcher_path
from tests.integration.embedded_warehouse import embedded_warehouse_env

pytestmark = pytest.mark.integration


def test_every_dbt_unit_test_passes(tmp_path_factory):
    env = embedded_warehouse_env(tmp_path_factory)
    scratch = tmp_path_factory.mktemp("dbt-unit-tests")
    project = str(settings.DBT_PROJECT_DIR)
    done = subprocess.run(
        [launcher_path(), "test", "--select", "test_type:unit", "--project-dir", project,
         "--profiles-dir", project, "--target-path", str(scratch / "target"), "--log-path", str(scratch)],
        env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:]
    manifest = json.loads((scratch / "target" / "manifest.json").read_text())
    results = json.loads((scratch / "target" / "run_results.json").read_text())["results"]
    # The run's on-run-end hook (descriptions as comments) is a result too: not a unit test.
    ran = {result["unique_id"]: result["status"] for result in results
           if not result["unique_id"].startswith("operation.")}
    assert manifest["unit_tests"] and set(ran) == set(manifest["unit_tests"])
    assert set(ran.values()) == {"pass"}
