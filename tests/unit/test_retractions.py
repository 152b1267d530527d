"""Withdrawing a landed file: kept on disk, left out of staging and of every later run."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.catalog import SOURCE_KINDS, stage
from ingest.landing import read_manifest
from ingest.retractions import retract
from ingest.settings import staged_dir
from orchestration import cli
from tests.inputs import REGISTER_HEADER

KIND = next(kind for kind in SOURCE_KINDS.values() if kind.dataset == "published_figures")
ROW = ("fig_1,stage_share,production_share_pct,CHN,,2023,2023,REO,mining,62,percent,d,IEA,p. 1,2024,false,"
       "false,high,,exact,,pct_of_world_output,,,,,")
GOOD = f"{REGISTER_HEADER}{ROW}\n"
BAD = GOOD.replace("fig_1", "fig_2")  # another figure id: another file


@pytest.fixture
def land_as() -> dict:
    return {"source": KIND.name, "landing_dir": None}  # the data folder's landing, as a run's


def test_a_retracted_file_is_kept_but_never_staged_again(reeflow_env, land):
    good = land(GOOD, "good.csv")
    bad = land(BAD, "bad.csv")
    stage(KIND)
    assert (staged_dir() / KIND.dataset / f"{bad.file_id}.v{KIND.parser_version}.parquet").exists()

    entry, removed = retract(bad.file_id, "a figure typed from the wrong table")

    assert entry.file_id == bad.file_id and removed
    assert not list(staged_dir().glob(f"*/{bad.file_id}.*")) and not list(staged_dir().glob(f"*/*{bad.file_id}*"))
    assert [e.file_id for e in read_manifest()] == [good.file_id]
    assert Path(bad.path).read_bytes()  # the raw bytes stay
    # Landing the same bytes again (still in the inbox, say) does not bring it back.
    land(BAD, "bad.csv")
    assert stage(KIND).files_parsed == 0
    assert [e.file_id for e in read_manifest()] == [good.file_id]


def test_retract_refuses_unknown_ids_and_a_missing_reason(reeflow_env, land):
    entry = land(GOOD, "good.csv")
    with pytest.raises(ValueError, match="no landed file"):
        retract("0123456789abcdef", "why not")
    with pytest.raises(ValueError, match="16 hex digits"):
        retract("../../etc", "path trick")
    with pytest.raises(ValueError, match="say why"):
        retract(entry.file_id, "  ")


def test_cli_retract_says_what_it_did(reeflow_env, land, capsys):
    entry = land(GOOD, "good.csv")
    assert cli.main(["ingest", "retract", entry.file_id, "--reason", "wrong edition"]) == 0
    err = capsys.readouterr().err
    assert f"retracted good.csv ({KIND.name}, {entry.file_id}): wrong edition" in err
    assert cli.main(["ingest", "retract", entry.file_id[::-1], "--reason", "x"]) == cli.EXIT_USAGE
