"""Publishing the warehouse: a complete snapshot file switched in atomically, and rollback.

dbt builds in a private working database. Publishing copies it into a NEW file written in the
DuckDB 1.4 storage format (what BI drivers ship), adds the quality results, keeps only tables
(staging and intermediate views read Parquet paths analysts should not need), and renames it over
the published path. A reader holding the old file open keeps reading the old snapshot until it
reconnects: rename never touches an open file's contents, and nothing ever writes the published
file in place. Plain Python, no Dagster: the CLI and the publish asset both call it.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest import settings
from ingest.sqlsafe import UnsafeSqlName, qualified_name, quote_identifier

BI_STORAGE_VERSION = "v1.4.0"
BUILD_ONLY_SCHEMAS = ("staging", "intermediate")
SNAPSHOTS_KEPT = 5
_STORAGE_VERSION = re.compile(r"^v\d+\.\d+\.\d+$")


@dataclass(frozen=True)
class PublishResult:
    path: Path
    previous_snapshot: Path | None
    tables: int


def snapshots_dir(published: Path) -> Path:
    return published.parent / "snapshots"


@contextmanager
def _publish_lock(published: Path) -> Iterator[None]:
    """One publish or rollback at a time per published file, whoever starts it (the CLI, a
    `dagster dev` run). Holding it, any `.building` file left beside the target is debris of a
    publish that was killed, and is removed."""
    published.parent.mkdir(parents=True, exist_ok=True)
    with open(published.with_name(f".{published.name}.publish.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            for debris in published.parent.glob(f".{published.name}.*.building"):
                debris.unlink(missing_ok=True)
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def publish(
    work_db: Path | None = None,
    published: Path | None = None,
    check_results_glob: str | None = None,
    run_id: str | None = None,
) -> PublishResult:
    work_db = Path(work_db or settings.work_database_path())
    published = Path(published or settings.warehouse_path())
    if not work_db.exists():
        raise FileNotFoundError(f"no working database at {work_db}: run the pipeline first")
    with _publish_lock(published):
        return _publish(work_db, published, check_results_glob, run_id)


def _publish(
    work_db: Path, published: Path, check_results_glob: str | None, run_id: str | None
) -> PublishResult:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    building = published.with_name(f".{published.name}.{stamp}.building")
    con = duckdb.connect()
    try:
        con.execute("attach ? as work (read_only)", [str(work_db)])
        # Not a bindable parameter: a constant, checked against DuckDB's version pattern.
        con.execute(f"attach ? as pub (storage_version '{_storage_version()}')", [str(building)])
        con.execute("copy from database work to pub")
        for schema in BUILD_ONLY_SCHEMAS:
            name = quote_identifier(schema, BUILD_ONLY_SCHEMAS)
            con.execute(f"drop schema if exists pub.{name} cascade")
        views = con.execute(
            "select schema_name, view_name from duckdb_views() where database_name = 'pub' and not internal"
        ).fetchall()
        for schema, view in views:
            con.execute(f"drop view pub.{qualified_name(schema, view, views)}")
        _load_check_results(con, check_results_glob)
        con.execute(
            "create or replace table pub.quality.publications as "
            "select ? as run_id, cast(? as timestamp) as published_at, ? as work_database",
            [run_id, datetime.now(UTC).replace(tzinfo=None), str(work_db)],
        )
        tables = con.execute(
            "select count(*) from duckdb_tables() where database_name = 'pub'"
        ).fetchone()[0]
        con.execute("detach pub")
    except Exception:
        building.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    _fsync(building)
    previous = _keep_previous(published, stamp)
    os.replace(building, published)
    _fsync_dir(published.parent)
    return PublishResult(path=published, previous_snapshot=previous, tables=tables)


def _storage_version() -> str:
    if not _STORAGE_VERSION.match(BI_STORAGE_VERSION):
        raise UnsafeSqlName(f"refusing storage version {BI_STORAGE_VERSION!r}")
    return BI_STORAGE_VERSION


def _load_check_results(con: duckdb.DuckDBPyConnection, pattern: str | None) -> None:
    con.execute("create schema if not exists pub.quality")
    if pattern and any(Path(pattern).parent.glob(Path(pattern).name)):
        con.execute(
            "create or replace table pub.quality.check_results as "
            "select * from read_parquet(?, union_by_name = true) order by checked_at, check_name",
            [pattern],
        )


def _keep_previous(published: Path, stamp: str) -> Path | None:
    """Hard-link the current snapshot into snapshots/ so `reeflow rollback` can restore it."""
    if not published.exists():
        return None
    folder = snapshots_dir(published)
    folder.mkdir(exist_ok=True)
    target = folder / f"{published.stem}.{stamp}.duckdb"
    try:
        os.link(published, target)
    except OSError:
        shutil.copy2(published, target)
    for stale in sorted(folder.glob(f"{published.stem}.*.duckdb"))[:-SNAPSHOTS_KEPT]:
        stale.unlink()
    return target


def list_snapshots(published: Path | None = None) -> list[Path]:
    published = Path(published or settings.warehouse_path())
    return sorted(snapshots_dir(published).glob(f"{published.stem}.*.duckdb"))


def rollback(published: Path | None = None) -> Path:
    """Switch the newest kept snapshot back in (atomically) and drop it from the list."""
    published = Path(published or settings.warehouse_path())
    with _publish_lock(published):
        snapshots = list_snapshots(published)
        if not snapshots:
            raise FileNotFoundError(f"no earlier snapshot of {published} to roll back to")
        newest = snapshots[-1]
        staging = published.with_name(f".{published.name}.rollback.building")
        shutil.copy2(newest, staging)
        _fsync(staging)
        os.replace(staging, published)
        newest.unlink()
        _fsync_dir(published.parent)
    return newest


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
