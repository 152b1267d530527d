"""`reeflow docs`: the dbt documentation site (lineage, models, columns) as static files that
open with no network, plus a check that the published file carries the same descriptions as
table and column comments (what BI tools show).

dbt runs the way the pipeline runs it (`reeflow-dbt`: the venv's dbt, the project's profiles,
started inside a data folder), with two differences: that folder is a temporary one holding a
copy of the published snapshot as its working database, so docs never open or lock the
pipeline's; and dbt writes to a temporary target folder, so the manifest Dagster loads is never
touched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest import settings
from orchestration.analysts import AnalystError
from orchestration.analysts.connection import open_published, published_path
from orchestration.dbt_launcher import launcher_path

DOCUMENTED_TYPES = ("model", "seed")
# A script or stylesheet fetched from elsewhere: the page would not work offline.
_REMOTE_ASSET = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//",
                           re.IGNORECASE)
# dbt docs load a tracking script when the project metadata allows usage statistics.
_TRACKING_OFF = '"send_anonymous_usage_stats": false'


@dataclass
class DocsResult:
    index: Path
    models: int = 0
    columns: int = 0
    undescribed: list[str] = field(default_factory=list)
    comments_missing: list[str] = field(default_factory=list)


def generate_docs(out_dir: Path | str | None = None, warehouse: Path | str | None = None) -> DocsResult:
    published = published_path(warehouse)
    out = Path(out_dir) if out_dir is not None else settings.data_dir() / "docs"
    if not published.is_file():
        raise AnalystError(f"no published warehouse at {published}: run `reeflow run` (or `make run`)")
    with tempfile.TemporaryDirectory(prefix="reeflow-docs-") as scratch:
        target = _run_dbt_docs(published, Path(scratch))
        page = (target / "static_index.html").read_text(encoding="utf-8")
        check_offline(page)
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        out.mkdir(parents=True, exist_ok=True)
        (out / "index.html").write_text(page, encoding="utf-8")
        for name in ("manifest.json", "catalog.json"):  # for tools that read dbt's artifacts
            shutil.copy2(target / name, out / name)
    result = DocsResult(index=out / "index.html")
    for node in documented_nodes(manifest):
        result.models += 1
        result.columns += len(node["columns"])
        result.undescribed += undescribed(node)
    with open_published(published) as con:
        result.comments_missing = comments_missing(con, manifest)
    return result


def _run_dbt_docs(published: Path, scratch: Path) -> Path:
    # dbt opens the working database of the data folder it starts in: a copy of the published one.
    copy = scratch / settings.DBT_WORK_DATABASE
    copy.parent.mkdir(parents=True)
    shutil.copy2(published, copy)
    target = scratch / "target"
    project = str(settings.DBT_PROJECT_DIR)
    env = {
        **os.environ,
        "REEFLOW_DATA_DIR": str(scratch),
        # No usage statistics: they would be sent now, and the page would load a tracker.
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [launcher_path(), "docs", "generate", "--static", "--quiet",
               "--project-dir", project, "--profiles-dir", project,
               "--target-path", str(target), "--log-path", str(scratch / "logs")]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not (target / "static_index.html").is_file():
        raise AnalystError(f"dbt docs generate failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return target


def check_offline(page: str) -> None:
    """Refuse a docs page that would reach the network when opened."""
    remote = _REMOTE_ASSET.search(page)
    if remote:
        raise AnalystError(f"the dbt docs page loads a remote asset ({remote.group(0)[:120]}): "
                           "it would not work offline")
    if _TRACKING_OFF not in page:
        raise AnalystError("the dbt docs page has usage tracking on (it would load a tracker when "
                           "opened); DBT_SEND_ANONYMOUS_USAGE_STATS=false did not take effect")


def documented_nodes(manifest: dict) -> list[dict]:
    project = manifest.get("metadata", {}).get("project_name")
    return sorted(
        (node for node in manifest["nodes"].values()
         if node["resource_type"] in DOCUMENTED_TYPES and node.get("package_name") == project),
        key=lambda node: node["unique_id"],
    )


def undescribed(node: dict) -> list[str]:
    missing = [] if node.get("description", "").strip() else [node["name"]]
    return missing + [f"{node['name']}.{name}" for name, column in node["columns"].items()
                      if not column.get("description", "").strip()]


def comments_missing(con: duckdb.DuckDBPyConnection, manifest: dict) -> list[str]:
    """Published tables and columns whose comment is not their dbt description."""
    tables = {(schema, name): (comment or "").strip() for schema, name, comment in con.execute(
        "select schema_name, table_name, comment from duckdb_tables()").fetchall()}
    columns = {(schema, table, name): (comment or "").strip() for schema, table, name, comment in
               con.execute("select schema_name, table_name, column_name, comment from duckdb_columns()").fetchall()}
    gaps = []
    for node in documented_nodes(manifest):
        key = (node["schema"], node.get("alias") or node["name"])
        if key not in tables:  # a view dropped at publishing (staging, intermediate)
            continue
        description = node.get("description", "").strip()
        if description and tables[key] != description:
            gaps.append(f"{key[0]}.{key[1]}")
        for name, column in node["columns"].items():
            text = column.get("description", "").strip()
            if text and columns.get((*key, name)) != text:
                gaps.append(f"{key[0]}.{key[1]}.{name}")
    return gaps
