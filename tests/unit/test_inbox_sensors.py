"""The inbox sensors on a temporary inbox: a dropped file starts one run of the main job, a file
still being written waits, the same bytes dropped again start nothing."""

from __future__ import annotations

import os

import dagster as dg
import pytest

from ingest.catalog import SOURCE_KINDS, inbox_dir
from ingest.landing import land_file
from orchestration.definitions import defs
from orchestration.defs.schedules import main_job
from orchestration.defs.sensors.inbox import INBOX_TAG, inbox_sensor
from tests.inputs import USGS_2025

KIND = "usgs_mcs"
# A real release as a user would drop it (its next edition would look the same).
MCS_EXCERPT = USGS_2025.read_bytes()


class Ticks:
    """The sensor evaluated tick after tick, its cursor carried over as the daemon does."""

    def __init__(self, kind: str) -> None:
        self.sensor = inbox_sensor(kind)
        self.cursor: str | None = None

    def __call__(self) -> list[dg.RunRequest]:
        with dg.build_sensor_context(cursor=self.cursor, instance=dg.DagsterInstance.ephemeral()) as context:
            result = self.sensor.evaluate_tick(context)
        self.cursor = result.cursor
        return list(result.run_requests or [])


@pytest.fixture
def inbox(reeflow_env):
    folder = inbox_dir(KIND)
    folder.mkdir(parents=True)
    return folder


def test_a_dropped_file_starts_one_main_run_once_it_stopped_growing(inbox):
    tick = Ticks(KIND)
    assert tick() == []  # empty inbox
    (inbox / "mcs2026.csv").write_bytes(MCS_EXCERPT)
    assert tick() == []  # first seen: it may still be copying
    (request,) = tick()
    assert request.tags[INBOX_TAG] == KIND and request.run_key.startswith(f"inbox:{KIND}:")
    assert tick() == [] and tick() == []  # seen: nothing more


def test_a_file_still_being_written_waits_for_the_next_tick(inbox):
    tick = Ticks(KIND)
    growing = inbox / "mcs2026.csv"
    growing.write_bytes(MCS_EXCERPT[:100])
    assert tick() == []
    with open(growing, "ab") as handle:  # the copy goes on between two ticks
        handle.write(MCS_EXCERPT[100:])
    assert tick() == []  # changed since the last tick: not yet
    assert len(tick()) == 1


def test_the_same_bytes_dropped_twice_start_nothing_new(inbox):
    tick = Ticks(KIND)
    (inbox / "mcs2026.csv").write_bytes(MCS_EXCERPT)
    tick()
    assert len(tick()) == 1
    (inbox / "mcs2026 (copy).csv").write_bytes(MCS_EXCERPT)  # same bytes, another name
    assert tick() == [] and tick() == []
    (inbox / "mcs2026.csv").unlink()
    (inbox / "again.csv").write_bytes(MCS_EXCERPT)  # removed and dropped again
    assert tick() == [] and tick() == []
    (inbox / "other.csv").write_bytes(MCS_EXCERPT + b"\n")  # different bytes
    tick()
    assert len(tick()) == 1


def test_bytes_already_landed_start_nothing(inbox):
    (inbox / "mcs2026.csv").write_bytes(MCS_EXCERPT)
    land_file(inbox / "mcs2026.csv", source=KIND)  # e.g. `reeflow ingest file`, or a run
    tick = Ticks(KIND)
    assert tick() == [] and tick() == []


def test_a_large_file_is_hashed_once_not_on_every_tick(inbox, monkeypatch):
    from orchestration.defs.sensors import inbox as module

    hashed = []
    real = module._sha256
    monkeypatch.setattr(module, "_sha256", lambda path: hashed.append(path.name) or real(path))
    (inbox / "bulk.csv").write_bytes(MCS_EXCERPT)
    tick = Ticks(KIND)
    for _ in range(5):
        tick()
    assert hashed == ["bulk.csv"]
    stat = (inbox / "bulk.csv").stat()
    os.utime(inbox / "bulk.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched
    tick(), tick()
    assert hashed == ["bulk.csv", "bulk.csv"]


def test_one_sensor_per_inbox_each_starting_the_main_job_and_off_by_default():
    sensors = {sensor.name: sensor for sensor in defs.sensors}
    for kind in SOURCE_KINDS:
        sensor = sensors[f"inbox_{kind}"]
        assert sensor.job_name == main_job.name
        assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
