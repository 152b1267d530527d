"""Publishing the warehouse: a complete snapshot file switched in atomically, and rollback.

dbt builds in a private working database. Publishing copies it into a NEW file written in the
DuckDB 1.4 storage format (what BI drivers ship), adds the quality results, keeps only tables
(staging and intermediate views read Parquet paths analysts should not need), and renames it over
the published path. A reader holding the old file open keeps reading the old snapshot until it
reconnects: rename never touches an open file's contents, and nothing ever writes the published
file in place. Plain Python, no Dagster: the CLI and the publish asset both call it.

`quality.publications` records the run that built the snapshot and the working database's path
relative to the data folder (never this machine's absolute path).
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
import pyarrow as pa

from ingest import settings
from ingest.sqlsafe import UnsafeSqlName, quote_identifier
from orchestration.check_results import CHECK_RESULTS_SCHEMA
from orchestration.failed_runs import FAILED_RUNS_SCHEMA, failed_runs_glob

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
    `dagster dev` run). Holding it, whatever a killed publish left beside the target is debris
    and is removed: the `.building` file and DuckDB's own files beside it (`.building.wal`,
    `.building.tmp/`)."""
    published.parent.mkdir(parents=True, exist_ok=True)
    with open(published.with_name(f".{published.name}.publish.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            for debris in published.parent.glob(f".{published.name}.*.building*"):
                if debris.is_dir():
                    shutil.rmtree(debris, ignore_errors=True)
                else:
                    debris.unlink(missing_ok=True)
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def remove_debris(published: Path | None = None) -> None:
    """Remove what a killed publish left, now (the next publish would remove it too)."""
    with _publish_lock(Path(published or settings.warehouse_path())):
        pass


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
            con.execute(f"drop schema if exists pub.{quote_identifier(schema)} cascade")
        views = con.execute(
            "select schema_name, view_name from duckdb_views() where database_name = 'pub' and not internal"
        ).fetchall()
        for schema, view in views:
            # Names read from the catalog itself: only their shape is checked (plain names).
            con.execute(f"drop view pub.{quote_identifier(schema)}.{quote_identifier(view)}")
        _load_check_results(con, check_results_glob)
        # Every failed run recorded so far (orchestration/failed_runs.py), present when empty.
        _load_quality_table(con, "failed_runs", FAILED_RUNS_SCHEMA, failed_runs_glob(), "failed_at, run_id")
        con.execute(
            "create or replace table pub.quality.publications as "
            "select ? as run_id, cast(? as timestamp) as published_at, ? as work_database",
            [run_id, datetime.now(UTC).replace(tzinfo=None), _portable(work_db)],
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


def _portable(work_db: Path) -> str:
    """The working database's path relative to the data folder, else its name: a snapshot
    copied to another machine must not carry this one's directory layout."""
    try:
        return work_db.resolve().relative_to(settings.data_dir()).as_posix()
    except ValueError:
        return work_db.name


def _load_check_results(con: duckdb.DuckDBPyConnection, pattern: str | None) -> None:
    """quality.check_results always exists: empty (with its columns) when no check ran yet."""
    _load_quality_table(con, "check_results", CHECK_RESULTS_SCHEMA, pattern, "checked_at, check_name")


def _load_quality_table(
    con: duckdb.DuckDBPyConnection, table: str, schema: pa.Schema, pattern: str | None, order_by: str
) -> None:
    """pub.quality.<table> from the Parquet files matching `pattern`, with `schema`'s columns
    even when there is none. `table` and `order_by` are constants of this module."""
    con.execute("create schema if not exists pub.quality")
    con.register(f"no_{table}", schema.empty_table())
    con.execute(f"create or replace table pub.quality.{table} as from no_{table}")
    if pattern and any(Path(pattern).parent.glob(Path(pattern).name)):
        con.execute(
            f"insert into pub.quality.{table} by name "
            f"select * from read_parquet(?, union_by_name = true) order by {order_by}",
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
