"""Editing an embedded default and running again just works (found by the data helper): the
edited file supersedes its earlier landing, which stays on disk, so the staged checks and dbt
read the edited figures once, and a figure the edit removed is gone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from expectations.registry import staged_guards
from ingest import settings
from ingest.catalog import SOURCE_KINDS, land_defaults, read_dataset, stage
from ingest.landing import land_file, read_manifest, retracted_file_ids

KIND = SOURCE_KINDS["published_aggregate"]
RENAMED = ("jp_minor_metals_vnm_2018,", "jp_minor_metals_vnm_2018_renamed,")


@pytest.fixture
def embedded(reeflow_env, tmp_path, monkeypatch) -> Path:
    """A copy of the embedded published figures that the test may edit."""
    root = tmp_path / "embedded"
    shutil.copytree(settings.EMBEDDED_DIR / "published_figures", root / "published_figures")
    monkeypatch.setattr(settings, "EMBEDDED_DIR", root)
    return root / "published_figures" / "japan.csv"


def _run() -> tuple[list, list[str]]:
    """Land and stage as a run does; the staged rows and the failed staged expectations."""
    land_defaults(KIND)
    stage(KIND)
    frame = read_dataset(KIND.dataset)
    failed = [o.expectation for o in staged_guards()[KIND.dataset].validate(frame) if not o.passed]
    return frame, failed


def test_an_edited_embedded_file_supersedes_its_earlier_landing(embedded):
    original = embedded.read_text(encoding="utf-8")
    frame, failed = _run()
    assert failed == [] and frame["figure_id"].is_unique
    [first] = [e for e in read_manifest(source=KIND.name) if e.original_name == "japan.csv"]

    # Renamed, a figure counted in both landings would push Japan's 2018 partner shares to
    # 107 % (ERROR parts_excess_pct); changed, a value would be staged twice.
    embedded.write_text(original.replace(*RENAMED).replace(",85,percent,", ",86,percent,"),
                        encoding="utf-8")
    frame, failed = _run()
    assert failed == []
    assert frame["figure_id"].is_unique and RENAMED[0][:-1] not in set(frame["figure_id"])
    assert frame.set_index("figure_id").loc["jp_imports_chn_2009", "value"] == 86
    [second] = [e for e in read_manifest(source=KIND.name) if e.original_name == "japan.csv"]
    assert second.file_id != first.file_id
    assert retracted_file_ids()[first.file_id].startswith(f"superseded by {second.file_id}")
    assert Path(first.path).read_text(encoding="utf-8") == original  # kept on disk

    # Edited back: the first landing is read again, the second is superseded.
    embedded.write_text(original, encoding="utf-8")
    frame, failed = _run()
    assert failed == [] and frame["figure_id"].is_unique
    assert frame.set_index("figure_id").loc["jp_imports_chn_2009", "value"] == 85
    assert [e.file_id for e in read_manifest(source=KIND.name)
            if e.original_name == "japan.csv"] == [first.file_id]


def test_a_landing_made_before_embedded_files_carried_their_path_is_superseded(embedded):
    land_file(embedded, source=KIND.name)  # as earlier versions landed it: no request
    frame, failed = _run()
    assert failed == [] and frame["figure_id"].is_unique
    assert len([e for e in read_manifest(source=KIND.name) if e.original_name == "japan.csv"]) == 1


def test_an_inbox_copy_of_an_embedded_file_is_not_counted_twice(embedded):
    # A tester dropped the embedded Lynas register in the inbox: landed twice, staged twice, and
    # the staged checks stopped the first run. The copy stays on disk, withdrawn before staging.
    inbox = settings.data_dir() / "inbox" / KIND.name
    inbox.mkdir(parents=True)
    shutil.copy(embedded, inbox / "copy.csv")
    frame, failed = _run()
    assert failed == [] and frame["figure_id"].is_unique
    [copy] = [e for e in read_manifest(source=KIND.name, include_retracted=True) if e.original_name == "copy.csv"]
    assert "the same content is landed as an embedded file" in retracted_file_ids()[copy.file_id]
    frame, failed = _run()  # the copy is still in the inbox: nothing changes
    assert failed == [] and frame["figure_id"].is_unique


def test_inbox_files_are_never_superseded(embedded):
    inbox = settings.data_dir() / "inbox" / KIND.name
    inbox.mkdir(parents=True)
    shutil.copy(embedded, inbox / "japan.csv")  # same name as the embedded file, other content
    (inbox / "japan.csv").write_text(
        embedded.read_text(encoding="utf-8").replace(",85,percent,", ",84,percent,"),
        encoding="utf-8")
    land_defaults(KIND)
    land_defaults(KIND)
    names = [e.original_name for e in read_manifest(source=KIND.name)]
    assert names.count("japan.csv") == 2 and retracted_file_ids() == {}
