"""Dagster's SQLite event log with its connections kept open: a stored event costs well under a
millisecond instead of 10-80 ms.

Dagster's own `SqliteEventLogStorage` opens and closes a connection for every event. In WAL mode
every commit fsyncs, and the last connection to close checkpoints the file (more fsyncs). A
`reeflow run` on the embedded data stores about 900 events (a materialization per dbt model, an
evaluation per dbt test, and a "planned" event for each), most of them copied into the cross-run
index too: measured on the 2-core machine, 46 s of an 88 s run went there (issue 13).

This subclass keeps a few connections per database file open for the life of the process, with
`synchronous=NORMAL`, SQLite's advice for WAL: a committed event survives the process being
killed; only an OS crash or power loss may undo the last few, never corrupt the file. It
checkpoints a file at most once a second, because the `dg dev` UI follows a live run by
watching that file change. Reading, writing, schema and migrations stay Dagster's own: only
`run_connection` and `index_connection`, the two connection hooks every SQL event log storage
implements, are replaced. Selected in orchestration/dagster.yaml (`event_log_storage`).
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import sqlalchemy as sa

# Documented for dagster.yaml (`event_log_storage: module: dagster._core.storage.event_log`);
# Dagster's top-level package does not re-export the storage classes.
from dagster._core.storage.event_log import SqliteEventLogStorage

from ingest import settings

INDEX_SHARD = "index"  # Dagster's cross-run database, history/runs/index.db
FILES_KEPT_OPEN = 8  # a long-lived `dg dev` reads many runs' files: the least recent are closed
CHECKPOINT_EVERY_S = 1.0
BUSY_TIMEOUT_S = 30  # as Dagster's own SQLite storages wait for another process's lock


def default_base_dir() -> str:
    """Where Dagster keeps per-run event logs by default, so earlier runs stay visible."""
    return str(settings.dagster_home() / "history" / "runs")


def _synchronous_normal(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class KeptOpenSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str | None = None, inst_data=None):
        # Set first: Dagster's constructor already connects when it creates a new index.
        self._engines: OrderedDict[str, sa.Engine] = OrderedDict()
        self._checkpointed_at: dict[str, float] = {}
        self._engines_lock = threading.RLock()
        self._engines_pid = os.getpid()
        super().__init__(base_dir or default_base_dir(), inst_data)

    @classmethod
    def config_type(cls):
        return {"base_dir": dg.Field(dg.StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def run_connection(self, run_id: str | None = None):
        return self._kept_open(run_id)

    def index_connection(self):
        return self._kept_open(INDEX_SHARD)

    @contextmanager
    def _kept_open(self, shard: str) -> Iterator[sa.Connection]:
        with self._engines_lock:
            engine = self._engine(shard)
            with engine.connect() as conn, conn.begin():
                yield conn
            if time.monotonic() - self._checkpointed_at.get(shard, 0.0) >= CHECKPOINT_EVERY_S:
                with engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
                self._checkpointed_at[shard] = time.monotonic()

    def _engine(self, shard: str) -> sa.Engine:
        if os.getpid() != self._engines_pid:  # a forked child: the parent's connections are not ours
            self._engines.clear()
            self._engines_pid = os.getpid()
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        # The first connection goes through Dagster's own path: it creates the file and schema.
        with super().index_connection() if shard == INDEX_SHARD else super().run_connection(shard):
            pass
        engine = sa.create_engine(
            self.conn_string_for_shard(shard),
            poolclass=sa.pool.QueuePool,
            connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
        )
        sa.event.listen(engine, "connect", _synchronous_normal)
        self._engines[shard] = engine
        while len(self._engines) > FILES_KEPT_OPEN:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    def dispose(self) -> None:
        with self._engines_lock:
            for engine in self._engines.values():
                engine.dispose()  # the last close checkpoints each file
            self._engines.clear()
        super().dispose()
