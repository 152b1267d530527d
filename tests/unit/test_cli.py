import subprocess
import sys

import pytest

from orchestration import cli, run_lock


def test_a_second_run_refuses_clearly_while_one_holds_the_lock(reeflow_env, capsys):
    with run_lock.held():
        with pytest.raises(run_lock.RunInProgress, match="another reeflow run is in progress"), run_lock.held():
            pass
        assert cli.main(["rollback"]) == cli.EXIT_USAGE
        assert "another reeflow run is in progress" in capsys.readouterr().err
    with run_lock.held():  # released: the next run may start
        pass


def test_unknown_ingest_format_is_a_usage_error(reeflow_env, tmp_path, capsys):
    path = tmp_path / "x.csv"
    path.write_text("a\n")
    assert cli.main(["ingest", "file", str(path), "--format", "nope"]) == cli.EXIT_USAGE
    assert "unknown --format 'nope'" in capsys.readouterr().err


def test_rollback_without_snapshots_says_so(reeflow_env, capsys):
    assert cli.main(["rollback"]) == cli.EXIT_USAGE
    assert "no earlier snapshot" in capsys.readouterr().err


def test_file_names_are_printed_escaped_so_they_cannot_forge_lines(reeflow_env, tmp_path, capsys):
    from tests.inputs import JAPAN_FIGURES

    forged = "japan\nreeflow: published 99 tables to elsewhere\u202etxt.csv"
    path = tmp_path / forged
    path.write_bytes(JAPAN_FIGURES.read_bytes())
    assert cli.main(["ingest", "file", str(path), "--format", "published_aggregate"]) == 0
    err = capsys.readouterr().err
    assert all(line.startswith("reeflow: ") for line in err.splitlines())
    assert "\u202e" not in err
    assert "landed japan\\nreeflow: published 99 tables to elsewhere\\u202etxt.csv as " in err


def test_ingest_file_says_why_rows_are_quarantined_and_fails_for_a_rejected_file(reeflow_env, tmp_path, capsys):
    from tests.inputs import JAPAN_FIGURES

    lines = JAPAN_FIGURES.read_text(encoding="utf-8").splitlines(keepends=True)
    bad = tmp_path / "bad.csv"
    bad.write_text("".join([*lines[:2], lines[2].replace(",REO,", ",Xx,"), *lines[3:]]), encoding="utf-8")
    assert cli.main(["ingest", "file", str(bad), "--format", "published_aggregate"]) == 0
    assert "bad.csv line 3: " in capsys.readouterr().err
    cut = tmp_path / "cut.json"
    cut.write_text('{"count": 250, "data": [], "error": ""}', encoding="utf-8")
    assert cli.main(["ingest", "file", str(cut), "--format", "comtrade_api"]) == cli.EXIT_FAILED
    assert "cut.json: file rejected: cut.json: the answer says count 250 but holds 0" in capsys.readouterr().err


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    # `reeflow ... | head -1`: the command's later prints meet a closed pipe.
    program = (
        "import sys\n"
        "from orchestration import cli\n"
        "def chatty(args):\n"
        "    for i in range(200_000):\n"
        "        print(f'line {i}')\n"
        "    return 0\n"
        "cli.cmd_status = chatty\n"
        "sys.exit(cli.main(['status']))\n"
    )
    with subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, cwd=tmp_path) as child:
        assert child.stdout.readline() == b"line 0\n"
        child.stdout.close()  # as `head -1` does
        err = child.stderr.read().decode()
        code = child.wait(timeout=60)
    assert code == cli.EXIT_BROKEN_PIPE, err
    assert "Traceback" not in err and "BrokenPipeError" not in err
