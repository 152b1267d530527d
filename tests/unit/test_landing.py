import errno
import hashlib
import os
import tracemalloc

import pyarrow.parquet as pq
import pytest

from ingest import landing
from ingest.contract import QUARANTINE_SCHEMA
from ingest.landing import MANIFEST_NAME, land_bytes, land_file, read_manifest
from ingest.staging import stage_landed_files


def test_landing_is_content_addressed_and_idempotent(tmp_path):
    first, new = land_bytes(b"a,b\n1,2\n", source="usgs_mcs", name="x.csv", landing_dir=tmp_path)
    again, new_again = land_bytes(b"a,b\n1,2\n", source="usgs_mcs", name="renamed.csv",
                                  landing_dir=tmp_path)
    assert new and not new_again
    assert again == first
    assert first.file_id == first.sha256[:16]
    assert len(read_manifest(tmp_path)) == 1


def test_the_same_request_answered_again_is_a_no_op(tmp_path):
    request = {"query": {"reporterCode": "392", "period": "2023"}}
    first, _ = land_bytes(b"{}", source="comtrade_api", name="a.json", request=request, landing_dir=tmp_path)
    again, new = land_bytes(b"{}", source="comtrade_api", name="a.json", request=request, landing_dir=tmp_path)
    assert not new and again == first
    assert read_manifest(tmp_path)[0].request == request


def test_two_requests_with_identical_answers_are_both_recorded(tmp_path):
    # Two empty answers: each request keeps its own manifest row, so a resume skips both.
    empty = b'{"count": 0, "data": []}'
    first, _ = land_bytes(empty, source="comtrade_api", name="a.json",
                          request={"query": {"period": "2022"}}, landing_dir=tmp_path)
    second, new = land_bytes(empty, source="comtrade_api", name="b.json",
                             request={"query": {"period": "2023"}}, landing_dir=tmp_path)
    assert new and second.file_id != first.file_id and second.sha256 == first.sha256
    assert [entry.request["query"]["period"] for entry in read_manifest(tmp_path)] == ["2022", "2023"]


def test_files_landed_in_one_run_keep_the_order_they_landed_in(tmp_path):
    # "The latest landing wins" (dbt macro is_latest_landing) orders by fetched_at: a tester's
    # correction landed in the same second as the file it corrects lost to it on its hash.
    entries = [land_bytes(f"figure,{n}\n".encode(), source="published_aggregate", name=f"{n}.csv",
                          landing_dir=tmp_path)[0] for n in range(5)]
    stamps = [entry.fetched_at for entry in entries]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_landed_files_are_read_only_and_changed_content_lands_beside(tmp_path):
    first, _ = land_bytes(b"v1", source="usgs_mcs", name="x.csv", landing_dir=tmp_path)
    second, new = land_bytes(b"v2", source="usgs_mcs", name="x.csv", landing_dir=tmp_path)
    assert new and second.path != first.path
    assert oct(os.stat(first.path).st_mode & 0o777) == "0o444"
    with open(first.path, "rb") as landed:
        assert landed.read() == b"v1"


def test_a_torn_manifest_line_from_a_killed_run_is_skipped(tmp_path):
    land_bytes(b"v1", source="usgs_mcs", name="x.csv", landing_dir=tmp_path)
    with open(tmp_path / MANIFEST_NAME, "a") as manifest:
        manifest.write('{"file_id": "abc", "sou')
    assert len(read_manifest(tmp_path)) == 1
    _, new = land_bytes(b"v2", source="usgs_mcs", name="y.csv", landing_dir=tmp_path)
    assert new


def test_source_names_are_validated(tmp_path):
    with pytest.raises(ValueError, match="invalid source name"):
        land_bytes(b"x", source="../etc", name="x", landing_dir=tmp_path)


def write_pattern(path, size: int) -> bytes:
    """A file of `size` bytes that differ along its length (so a misplaced chunk would show)."""
    block = bytes(range(256)) * 4096  # 1 MiB
    content = b"".join(block[i % 251:] + block[: i % 251] for i in range(size // len(block)))
    path.write_bytes(content)
    return content


def test_land_file_hash_and_copy_equal_the_file_and_relanding_is_a_no_op(tmp_path):
    source = tmp_path / "COMTRADE-FINAL-CA.csv"
    content = write_pattern(source, 24 << 20)
    entry, new = land_file(source, source="comtrade_bulk", landing_dir=tmp_path / "landing")
    assert new
    assert entry.sha256 == hashlib.sha256(content).hexdigest()
    assert entry.size_bytes == len(content)
    with open(entry.path, "rb") as landed:
        assert landed.read() == content
    assert oct(os.stat(entry.path).st_mode & 0o777) == "0o444"
    again, new_again = land_file(source, source="comtrade_bulk", landing_dir=tmp_path / "landing")
    assert not new_again and again == entry
    assert len(read_manifest(tmp_path / "landing")) == 1
    assert os.listdir(tmp_path / "landing" / "comtrade_bulk") == [os.path.basename(entry.path)]


@pytest.mark.parametrize("link", ["1", "0"])
def test_land_file_memory_stays_flat_whatever_the_file_size(tmp_path, monkeypatch, link):
    monkeypatch.setenv("REEFLOW_LAND_BY_LINK", link)  # hashed through a link, or copied
    source = tmp_path / "big.csv"
    write_pattern(source, 64 << 20)
    tracemalloc.start()
    try:
        land_file(source, source="comtrade_bulk", landing_dir=tmp_path / "landing")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20  # a whole-file read would hold 64 MiB


def _land_same_size_first(tmp_path, size: int) -> None:
    """A landing of another file of `size` bytes: the next file of that size is hashed first
    and copied by the kernel (the path of an inbox file landed again)."""
    other = tmp_path / "other.csv"
    other.write_bytes(b"x" * size)
    land_file(other, source="comtrade_bulk", landing_dir=tmp_path / "landing")


def test_land_file_copies_in_chunks_where_the_kernel_cannot(tmp_path, monkeypatch):
    def unsupported(*args):
        raise OSError(errno.EXDEV, "cross-device copy not supported")

    monkeypatch.setattr(os, "copy_file_range", unsupported)
    source = tmp_path / "f.csv"
    _land_same_size_first(tmp_path, 20 << 20)
    content = write_pattern(source, 20 << 20)  # more than two fallback chunks
    entry, new = land_file(source, source="comtrade_bulk", landing_dir=tmp_path / "landing")
    assert new
    with open(entry.path, "rb") as landed:
        assert hashlib.sha256(landed.read()).hexdigest() == hashlib.sha256(content).hexdigest()


class _Wrapped:
    """A file handle with one method replaced by a subclass (a fault injected into landing)."""

    def __init__(self, handle):
        self.handle = handle

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()


def _appending_after_first_read(path):
    """open() for landing.py: the source grows after its first chunk is read, as a download
    still being written does."""
    real_open = open

    class Growing(_Wrapped):
        reads = 0

        def readinto(self, buffer):
            self.reads += 1
            if self.reads == 2:
                with real_open(path, "ab") as still_writing:
                    still_writing.write(b"3,4\n")
            return self.handle.readinto(buffer)

    def fake_open(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        return Growing(handle) if str(file) == str(path) and "r" in mode else handle

    return fake_open


def test_a_new_file_that_changes_while_landing_is_refused(tmp_path, monkeypatch):
    source = tmp_path / "download.csv"
    source.write_bytes(b"a,b\n1,2\n")
    monkeypatch.setattr(landing, "open", _appending_after_first_read(source), raising=False)
    with pytest.raises(ValueError, match="changed while"):
        land_file(source, source="comtrade_bulk", landing_dir=tmp_path / "landing")
    assert read_manifest(tmp_path / "landing") == []
    assert os.listdir(tmp_path / "landing" / "comtrade_bulk") == []


def test_a_file_that_changes_between_its_hash_and_its_copy_is_refused(tmp_path, monkeypatch):
    source = tmp_path / "download.csv"
    source.write_bytes(b"a,b\n1,2\n")
    _land_same_size_first(tmp_path, source.stat().st_size)
    copy = landing._copy_file

    def copy_while_the_download_goes_on(src, dst, before):
        with open(src, "ab") as still_writing:
            still_writing.write(b"3,4\n")
        return copy(src, dst, before)

    monkeypatch.setattr(landing, "_copy_file", copy_while_the_download_goes_on)
    with pytest.raises(ValueError, match="changed while"):
        land_file(source, source="comtrade_bulk", landing_dir=tmp_path / "landing")
    assert len(read_manifest(tmp_path / "landing")) == 1  # the other file only
    assert len(os.listdir(tmp_path / "landing" / "comtrade_bulk")) == 1


@pytest.mark.parametrize("name", [
    "r" * 300 + ".csv",
    "é" * 200 + ".csv.gz",  # 400 bytes in UTF-8, made safe as ASCII
    "a" * 250,
])
def test_a_name_too_long_for_the_file_system_lands_under_a_shortened_name(tmp_path, name):
    source = tmp_path / "x.csv"
    source.write_bytes(b"a,b\n1,2\n")
    entry, new = land_bytes(source.read_bytes(), source="usgs_mcs", name=name,
                            landing_dir=tmp_path / "landing")
    landed = os.path.basename(entry.path)
    assert new and entry.original_name == name
    assert len((landed + ".part").encode()) <= 255
    assert landed.startswith(entry.file_id + "__")
    assert landed.endswith(".csv.gz" if name.endswith(".gz") else ".csv" if ".csv" in name else "a")
    with open(entry.path, "rb") as handle:
        assert handle.read() == b"a,b\n1,2\n"


def test_a_full_disk_while_copying_fails_the_landing_and_leaves_nothing(tmp_path, monkeypatch):
    source = tmp_path / "bulk.csv"
    write_pattern(source, 10 << 20)
    real_open = open

    class FullDisk(_Wrapped):
        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    def fake_open(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        return FullDisk(handle) if "w" in mode else handle

    monkeypatch.setattr(landing, "open", fake_open, raising=False)
    with pytest.raises(OSError, match="No space left"):
        land_file(source, source="comtrade_bulk", landing_dir=tmp_path / "landing")
    assert read_manifest(tmp_path / "landing") == []
    assert os.listdir(tmp_path / "landing" / "comtrade_bulk") == []


# -- large files: landed as hard links ------------------------------------------------------

@pytest.fixture
def large(monkeypatch):
    """Every file counts as large (the threshold is tens of MiB)."""
    monkeypatch.setattr(landing, "LINK_MIN_BYTES", 1)
    monkeypatch.delenv("REEFLOW_LAND_BY_LINK", raising=False)


def test_a_large_file_is_landed_as_a_read_only_hard_link_to_itself(tmp_path, large):
    source = tmp_path / "COMTRADE-FINAL-CA.csv"
    content = write_pattern(source, 3 << 20)
    entry, new = land_file(source, source="comtrade_bulk", landing_dir=tmp_path / "landing")
    assert new and entry.sha256 == hashlib.sha256(content).hexdigest()
    assert os.path.samefile(entry.path, source)  # no second copy
    assert oct(os.stat(source).st_mode & 0o777) == "0o444"  # read-only under both names
    assert entry.mtime_ns == os.stat(source).st_mtime_ns
    assert landing.change_since_landing(entry) is None


def test_a_small_file_is_copied_even_where_it_could_be_linked(tmp_path):
    source = tmp_path / "mcs.csv"
    source.write_bytes(b"a,b\n1,2\n")
    entry, _ = land_file(source, source="usgs_mcs", landing_dir=tmp_path / "landing")
    assert not os.path.samefile(entry.path, source)
    assert oct(os.stat(source).st_mode & 0o777) != "0o444"


@pytest.mark.parametrize("why", ["switched off", "another user's file", "another file system"])
def test_a_large_file_is_copied_where_it_cannot_be_linked(tmp_path, large, monkeypatch, why):
    if why == "switched off":
        monkeypatch.setenv("REEFLOW_LAND_BY_LINK", "0")
    elif why == "another user's file":  # it could not be made read-only
        monkeypatch.setattr(landing.os, "geteuid", lambda: os.getuid() + 1)
    else:
        def cross_device(*args):
            raise OSError(errno.EXDEV, "Invalid cross-device link")

        monkeypatch.setattr(landing.os, "link", cross_device)
    source = tmp_path / "bulk.csv"
    content = write_pattern(source, 2 << 20)
    entry, new = land_file(source, source="comtrade_bulk", landing_dir=tmp_path / "landing")
    assert new and not os.path.samefile(entry.path, source)
    with open(entry.path, "rb") as landed:
        assert landed.read() == content


def test_a_large_file_landed_again_after_a_same_size_landing_is_linked_too(tmp_path, large):
    _land_same_size_first(tmp_path, 1 << 20)
    source = tmp_path / "bulk.csv"
    write_pattern(source, 1 << 20)
    entry, new = land_file(source, source="comtrade_bulk", landing_dir=tmp_path / "landing")
    assert new and os.path.samefile(entry.path, source)


def test_a_linked_file_written_to_after_landing_is_refused_by_staging(tmp_path, large):
    source = tmp_path / "bulk.csv"
    write_pattern(source, 1 << 20)
    entry, _ = land_file(source, source="comtrade_bulk", landing_dir=tmp_path / "landing")
    source.chmod(0o644)  # its owner makes it writable again and appends to it
    with open(source, "ab") as still_writing:
        still_writing.write(b"3,4\n")
    assert "written to after it was landed" in landing.change_since_landing(entry)
    parsed = []
    report = stage_landed_files([entry], dataset="quarantine_probe", schema=QUARANTINE_SCHEMA,
                                parse=lambda landed: parsed.append(landed), parser_version=1,
                                staged_dir=tmp_path / "staged")
    assert parsed == [] and report.quarantined == 1
    reasons = pq.read_table(tmp_path / "staged" / "quarantine").column("reason").to_pylist()
    assert any("written to after it was landed" in reason for reason in reasons)
