"""Damaged input files (cut short, random bytes, empty, UTF-16, latin-1, NUL bytes) for the USGS
MCS and published-figures kinds: each is quarantined whole with a reason naming it; a file with
one bad row among thousands loses that row only."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from ingest.landing import land_bytes
from ingest.sources import published_figures, usgs_mcs
from ingest.staging import stage_landed_files
from tests.inputs import JAPAN_FIGURES, USGS_2025, big_register, damaged

USGS = USGS_2025.read_bytes()
FIGURES = JAPAN_FIGURES.read_bytes()
KINDS = {"usgs": (usgs_mcs, USGS), "figures": (published_figures, FIGURES)}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_damaged_files_are_quarantined_whole_naming_the_file(tmp_path, kind):
    module, content = KINDS[kind]
    files = damaged(content)
    entries = [land_bytes(data, source=module.SOURCE, name=name, landing_dir=tmp_path / "l")[0]
               for name, (data, _) in files.items()]
    report = stage_landed_files(entries, dataset=module.DATASET, schema=module.SCHEMA,
                                parse=module.parse, parser_version=1, staged_dir=tmp_path / "s")
    assert (report.files_parsed, report.rows) == (len(files), 0)
    quarantine = pq.read_table(tmp_path / "s" / "quarantine").to_pylist()
    reasons = {row["file_name"]: row["reason"] for row in quarantine}
    assert set(reasons) == set(files)
    for name, (_, expected) in files.items():
        assert reasons[name].startswith(f"file rejected: {name} ") and expected in reasons[name]


def test_a_usgs_table_cut_at_a_line_end_lacks_its_world_total_and_is_rejected(tmp_path):
    lines = USGS.splitlines(keepends=True)
    entry, _ = land_bytes(b"".join(lines[:6]), source="usgs_mcs", name="cut.csv",
                          landing_dir=tmp_path)
    result = stage_landed_files([entry], dataset="usgs_mine_production", schema=usgs_mcs.SCHEMA,
                                parse=usgs_mcs.parse, parser_version=1, staged_dir=tmp_path / "s")
    assert result.rows == 0 and result.quarantined == 1
    (row,) = pq.read_table(tmp_path / "s" / "quarantine").to_pylist()
    assert "cut.csv has no usable World total row" in row["reason"]


def test_a_complete_register_without_a_final_line_break_still_loads(tmp_path):
    entry, _ = land_bytes(FIGURES.rstrip(b"\n"), source="published_aggregate", name="j.csv",
                          landing_dir=tmp_path)
    result = published_figures.parse(entry)
    assert len(result.rows) == 19 and result.quarantined == []


def test_one_bad_row_among_thousands_is_quarantined_with_its_line(tmp_path):
    entry, _ = land_bytes(big_register(5000, bad_row=3210), source="published_aggregate",
                          name="big.csv", landing_dir=tmp_path)
    result = published_figures.parse(entry)
    assert len(result.rows) == 4999
    (bad,) = result.quarantined
    assert (bad.row_number, bad.file_name) == (3210, "big.csv")
    assert "'12O' is not a number" in bad.reason
    assert "load_03210" not in set(result.rows.figure_id)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_column_named_twice_rejects_the_file(tmp_path, kind):
    # A tester's finding: a repeated 'topic' column staged every figure with the second, empty one.
    module, content = KINDS[kind]
    header, rest = content.split(b"\n", 1)
    end = b"\r" if header.endswith(b"\r") else b""
    second = header.rstrip(b"\r").split(b",")[1]
    entry, _ = land_bytes(header.rstrip(b"\r") + b"," + second.lower() + end + b"\n" + rest,
                          source=module.SOURCE, name="twice.csv", landing_dir=tmp_path)
    result = stage_landed_files([entry], dataset=module.DATASET, schema=module.SCHEMA,
                                parse=module.parse, parser_version=1, staged_dir=tmp_path / "s")
    assert result.rows == 0 and result.quarantined == 1
    (row,) = pq.read_table(tmp_path / "s" / "quarantine").to_pylist()
    assert f"column {second.lower().decode()!r} is in the header twice (columns 2 and" in row["reason"]
