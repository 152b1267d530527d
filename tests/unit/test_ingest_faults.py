"""One bad input never stops ingest (issue 14, items 1-3): a parser that fails in any way
quarantines its file whole and the other files stage; a file over its kind's size limit is never
parsed; an inbox file that cannot land is reported and left, the others land; DuckDB is bounded
and spills inside the data folder; a bulk file whose first lines miss its layout is rejected
before the scan."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingest import catalog, duckdb_session, settings
from ingest.catalog import SOURCE_KINDS, inbox_dir, land_defaults, land_input, stage
from ingest.contract import FileRejected, FileTooLarge, ParseResult
from ingest.landing import read_manifest
from ingest.sources.comtrade import api, bulk, parse_comtrade_bulk, parse_comtrade_json
from tests.builders import api_answer, bulk_cells, bulk_file, bulk_line, record
from tests.inputs import JAPAN_FIGURES, USGS_2025

# `land` lands into the data folder, where catalog.stage reads the manifest.
pytestmark = pytest.mark.usefixtures("reeflow_env")


@pytest.fixture
def land_as() -> dict:
    return {"landing_dir": None}


def _quarantine() -> dict[str, str]:
    """file name -> reason of every whole-file quarantine row."""
    rows = pq.read_table(settings.staged_dir() / "quarantine").to_pylist()
    return {row["file_name"]: row["reason"] for row in rows if row["row_number"] is None}


def _failing_inside(kind, failure: Exception):
    """The kind with a parser that fails on `crash.*` and finds nothing in other files."""

    def parse(landed):
        if landed.original_name.startswith("crash"):
            raise failure
        return ParseResult(rows=kind.schema.empty_table(), quarantined=[])

    if kind.write is not None:
        return dataclasses.replace(kind, write=lambda landed, target: parse(landed))
    return dataclasses.replace(kind, parse=parse)


@pytest.mark.parametrize("name", sorted(SOURCE_KINDS))
def test_an_unexpected_exception_in_any_parser_quarantines_that_file_only(land, name):
    kind = _failing_inside(SOURCE_KINDS[name], ZeroDivisionError("injected: division by zero"))
    land(b"first file", "crash.csv", source=name)
    land(b"second file", "good.csv", source=name)
    report = stage(kind)
    assert (report.files_parsed, report.quarantined) == (2, 1)
    assert _quarantine() == {"crash.csv": "file rejected: its parser failed with "
                                          "ZeroDivisionError: injected: division by zero"}
    staged = sorted(p.name for p in (settings.staged_dir() / kind.dataset).glob("*.v*.parquet"))
    assert len(staged) == 2  # the failed file is staged empty: later runs do not parse it again
    assert stage(kind).files_skipped == 2


def test_a_full_disk_is_not_the_file_s_fault_and_stops_staging(land):
    kind = _failing_inside(SOURCE_KINDS["usgs_mcs"], OSError(errno.ENOSPC, "No space left"))
    land(b"x", "crash.csv", source="usgs_mcs")
    with pytest.raises(OSError, match="No space left"):
        stage(kind)
    assert not list((settings.staged_dir() / kind.dataset).glob("*.v*.parquet"))


QUOTE = '"'
LONG_CELL = "x" * 200_000  # over textfiles.MAX_CELL_CHARS (the csv module's old field limit)
EMBEDDED_CSV = {  # a real file of each hand-typed CSV kind, its first data line a figure
    "usgs_mcs": USGS_2025,
    "published_aggregate": JAPAN_FIGURES,
    "usgs_mcs_prices": settings.EMBEDDED_DIR / "prices" / "usgs_mcs_prices.csv",
    "company_prices": settings.EMBEDDED_DIR / "company_metrics" / "realized_prices.csv",
    "diversification_projects": settings.EMBEDDED_DIR / "diversification" / "projects.csv",
    "disclosure_register": settings.EMBEDDED_DIR / "disclosures" / "lynas" / "figures.csv",
}


@pytest.mark.parametrize("name", sorted(EMBEDDED_CSV))
@pytest.mark.parametrize("cell", [LONG_CELL, f"{QUOTE}{LONG_CELL[:100_000]}\n{LONG_CELL}{QUOTE}"],
                         ids=["plain", "quoted over two lines"])
def test_a_cell_of_megabytes_quarantines_its_row_and_the_rest_of_the_file_stages(land, name, cell):
    lines = EMBEDDED_CSV[name].read_text(encoding="utf-8-sig").splitlines(keepends=True)
    kind = SOURCE_KINDS[name]
    without_it = kind.parse(land("".join(lines[:1] + lines[2:]), "without_line_2.csv", source=name))
    lines[1] = lines[1].replace(",", f",{cell},", 1)
    result = kind.parse(land("".join(lines), "long_cell.csv", source=name))

    assert len(result.rows) == len(without_it.rows) > 0
    assert len(result.quarantined) == len(without_it.quarantined) + 1
    [bad] = [row for row in result.quarantined if row.reason.startswith("a cell of")]
    assert bad.reason == f"a cell of {len(cell.strip(QUOTE)):,} characters, over the 131,072 a " \
                         "cell may hold (a typed figure or name is under 1 KB): row not read"
    # Each parser's own numbering: a register's line where the record ends, a disclosure
    # register's line where it begins, a USGS table's record number.
    ends_on_line_3 = cell.startswith(QUOTE) and name not in ("disclosure_register", "usgs_mcs")
    assert bad.row_number == (3 if ends_on_line_3 else 2)
    assert len(bad.raw) < 10_100 and bad.raw.endswith(" characters in all)")


@pytest.mark.parametrize("name", ["usgs_mcs", "disclosure_register"])
def test_a_column_name_of_megabytes_rejects_the_file_in_a_reason_cut_short(land, name):
    lines = EMBEDDED_CSV[name].read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lines[0] = lines[0].rstrip("\r\n") + f",{LONG_CELL},{LONG_CELL}\n"  # unknown, and named twice
    land("".join(lines), "long_header.csv", source=name)
    stage(SOURCE_KINDS[name])
    reason = _quarantine()["long_header.csv"]
    assert reason.startswith("file rejected: ") and "xxxx" in reason
    assert len(reason) < 2_100 and reason.endswith(" characters in all)")


DEEP = b'{"data": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
DEEP_IN_A_RECORD = b'{"data": [{"cmdCode": ' + b"[" * 200_000 + b"]" * 200_000 + b"}]}"


@pytest.mark.parametrize("name", ["comtrade_api", "comtrade_bulk"])
@pytest.mark.parametrize("content", [DEEP, DEEP_IN_A_RECORD], ids=["data", "record"])
def test_json_nested_200000_deep_is_rejected_and_the_good_answer_stages(land, name, content):
    land(content, "deep.json", source=name)
    land(api_answer([record()]), "good.json", source=name)
    report = stage(SOURCE_KINDS[name])
    assert report.rows == 1
    assert "nested too deeply" in _quarantine()["deep.json"]


def test_a_file_over_its_kind_s_limit_is_quarantined_unread(land):
    kind = SOURCE_KINDS["usgs_mcs"]
    land(b"a" * (kind.max_bytes + 1), "huge.csv", source=kind.name)
    stage(kind)
    assert _quarantine()["huge.csv"] == (
        "file rejected: huge.csv is 8.0 MiB, over the 8.0 MiB limit for usgs_mcs files: "
        "not a file of this kind, or split it")


def test_every_kind_has_a_size_limit():
    assert all(kind.max_bytes for kind in SOURCE_KINDS.values())


def test_an_inbox_file_that_cannot_land_is_reported_and_the_others_land(monkeypatch):
    kind = SOURCE_KINDS["usgs_mcs"]
    inbox = inbox_dir(kind.name)
    inbox.mkdir(parents=True)
    (inbox / "a_too_large.csv").write_bytes(b"a" * (kind.max_bytes + 1))
    long_name = "b_" + "mcs2025-raree_world-" * 12 + ".csv"  # 244 bytes: over 255 with the id
    (inbox / long_name).write_bytes(USGS_2025.read_bytes())
    (inbox / "c_unreadable.csv").write_bytes(b"x")
    (inbox / "d_good.csv").write_bytes(JAPAN_FIGURES.read_bytes())
    # Unreadable whoever runs the test (root reads a file whatever its mode).
    land_file = catalog.land_file

    def refusing_one(path, **kwargs):
        if path.name == "c_unreadable.csv":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return land_file(path, **kwargs)

    monkeypatch.setattr(catalog, "land_file", refusing_one)
    refused = []
    landed = land_defaults(kind, include_embedded=False,
                           on_refused=lambda path, reason: refused.append((path.name, reason)))
    names = sorted(entry.original_name for entry, _ in landed)
    assert ("c_unreadable.csv", "PermissionError") in [(n, r.split(":")[0]) for n, r in refused]
    assert names == [long_name, "d_good.csv"]
    too_large = ("a_too_large.csv is 8.0 MiB, over the 8.0 MiB limit for usgs_mcs files: "
                 "not a file of this kind, or split it")
    assert refused[0] == ("a_too_large.csv", too_large)
    assert (inbox / "a_too_large.csv").exists()  # left for the user to see
    [entry] = [e for e in read_manifest(source=kind.name) if e.original_name == long_name]
    assert len(Path(entry.path).name.encode()) <= 250 and Path(entry.path).read_bytes()


def test_land_input_refuses_a_file_over_the_limit(tmp_path):
    big = tmp_path / "release.csv"
    big.write_bytes(b"a" * (SOURCE_KINDS["usgs_mcs"].max_bytes + 1))
    with pytest.raises(FileTooLarge, match=r"over the 8\.0 MiB limit for usgs_mcs"):
        land_input(SOURCE_KINDS["usgs_mcs"], big)
    assert read_manifest() == []


def test_duckdb_is_bounded_and_spills_in_the_data_folder_and_dead_runs_spill_goes():
    root = duckdb_session.scratch_root()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    left = root / f"{dead}-1" / "duckdb_temp_storage_DEFAULT-0.tmp"
    left.parent.mkdir(parents=True)
    left.write_bytes(b"spill of a killed run")
    alive = root / f"{os.getppid()}-1"
    alive.mkdir()
    with duckdb_session.connect() as con:
        limit, temp = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
    assert limit in ("256.0 MiB", "244.1 MiB")  # DuckDB prints it in its own unit
    assert Path(temp).parent == root and Path(temp).name.startswith(f"{os.getpid()}-")
    assert not left.parent.exists() and alive.exists()


def _noise_lines(count: int) -> list[str]:
    return ["VGhpcyBpcyBub3QgYSBDb210cmFkZSBsaW5lLCBqdXN0IGJhc2U2NCBub2lzZQ=="] * count


def test_a_bulk_file_whose_first_lines_miss_the_layout_is_rejected_before_the_scan(land, monkeypatch):
    monkeypatch.setattr(bulk, "HEAD_BYTES", 16 << 10)
    # After the first lines, a byte that is not UTF-8: a whole scan would stop there and say so.
    text = bulk_file(_noise_lines(3000)).encode() + b"\xff\xfe,,\n"
    with pytest.raises(FileRejected, match=r"of the first \d+ lines do not have the header's 33 cells"):
        parse_comtrade_bulk(land(text, "noise.csv", source="comtrade_bulk"))


def test_a_bulk_file_with_a_few_cut_lines_among_good_ones_is_not_rejected(land, monkeypatch):
    monkeypatch.setattr(bulk, "HEAD_BYTES", 16 << 10)
    good = bulk_line(bulk_cells(record(cmd="280530")))
    lines = [good] * 300 + _noise_lines(20) + [good] * 300
    result = parse_comtrade_bulk(land(bulk_file(lines), "mixed.csv", source="comtrade_bulk"))
    assert (len(result.rows), len(result.quarantined)) == (600, 20)


def test_an_api_answer_is_read_a_batch_of_records_at_a_time(land, monkeypatch):
    monkeypatch.setattr(api, "BATCH_RECORDS", 500)
    records = [record(partner=i % 250, kg=float(i)) for i in range(20_000)]
    records[7777]["netWgt"] = -1
    content = api_answer(records)
    landed = land(content, "big_answer.json", source="comtrade_api")
    tracemalloc.start()
    try:
        result = api.stage_comtrade_json(landed, landed_target := Path(landed.path).with_suffix(".pq"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.rows_written == 19_999 and pq.read_table(landed_target).num_rows == 19_999
    [bad] = result.quarantined
    assert bad.row_number == 7778 and json.loads(bad.raw)["netWgt"] == -1
    # json.loads of the whole answer holds several times its size; here a batch at a time.
    assert peak < len(content) / 4, (peak, len(content))


@pytest.mark.parametrize("content, reason", [
    (b'{"data": [{"cmdCode": "280530"}', "truncated or invalid JSON"),
    (b'{"data": [1, 2]}', "data holds something other than records"),
    (b'{"count": 0}', "no data list"),
    (b'[]', "expected '{' at the start of an answer"),
    (b'{"data": [], "error": "quota exceeded"}', "answered with an error: quota exceeded"),
    (b'{"data": []} {"data": []}', "extra data after the answer"),
    (b'\xef\xbb\xbf{"data": [], "error": ""}', None),  # a byte-order mark is fine
])
def test_malformed_answers_are_rejected_with_the_reason(land, content, reason):
    landed = land(content, "answer.json", source="comtrade_api")
    if reason is None:
        assert parse_comtrade_json(landed).rows.empty
        return
    with pytest.raises(FileRejected, match=reason):
        parse_comtrade_json(landed)


def test_a_files_quarantined_rows_are_read_from_its_own_quarantine_files_only(land):
    # `reeflow ingest file` prints them: it must not read (nor trip on) every other file's.
    bad_line = bulk_line(bulk_cells(record(netWgt=-1.0)))
    first = land(bulk_file([bad_line, bad_line]), "first.csv", source="comtrade_bulk")
    second = land(bulk_file([bad_line]), "second.csv", source="comtrade_bulk")
    stage(SOURCE_KINDS["comtrade_bulk"])
    total, shown = catalog.quarantined_rows(first.file_id, limit=1)
    assert (total, shown) == (2, [(1, "negative netWgt -1")])
    # Another file's quarantine file, unreadable: only a read of it could fail.
    [other] = [path for path in (settings.staged_dir() / "quarantine").iterdir()
               if second.file_id in path.name]
    other.write_bytes(b"not parquet")
    assert catalog.quarantined_rows(first.file_id, limit=5)[0] == 2
    assert catalog.quarantined_rows("0" * 16, limit=5) == (0, [])
