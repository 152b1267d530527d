import os

import pytest

from ingest.landing import MANIFEST_NAME, land_bytes, read_manifest


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
