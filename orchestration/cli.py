"""`reeflow`: run the pipeline through Dagster, inspect the warehouse, land files.

    reeflow run                   the main job: ingest -> dbt -> checks -> publish
    reeflow status                tables, row counts, last run, data vintage per source
    reeflow ingest file PATH --format KIND
    reeflow ingest comtrade --period 2023 [--reporter JPN --cmd 280530,2846,850511]
    reeflow ingest retract FILE_ID --reason TEXT
    reeflow publish | rollback
    reeflow report [--country JPN] [--element NdPr] [--year 2024] --out report.html
    reeflow query "SQL" [--format table|csv|json|parquet] [--out PATH]
    reeflow docs [--out DIR]

Runs are recorded in the project-local DAGSTER_HOME, so `make dev` (`dg dev`) shows their history.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingest import settings
from orchestration import run_lock
from orchestration.analysts import AnalystError
from orchestration.printable import say

EXIT_USAGE = 2
EXIT_FAILED = 1
EXIT_BROKEN_PIPE = 128 + 13  # as a shell reports a pipeline's writer ended by SIGPIPE
QUARANTINE_LINES_SHOWN = 5  # `reeflow ingest file`: the first reasons, the rest counted
REASON_CHARS_SHOWN = 300  # a reason may quote a cell of any size


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


# sha256 of dagster.yaml as earlier versions of reeflow copied it: a copy nobody edited since
# is replaced by the current one (which stores events faster: orchestration/event_log.py).
_EARLIER_DAGSTER_YAML = {"49b43d67f060cd1ba4e91cf2c8dbaa9906276ec7339626513ae6d548ae99ace0"}


def _prepare_dagster_home() -> Path:
    home = settings.dagster_home()
    # Dagster's public way to find its instance is this variable (DagsterInstance.get()).
    os.environ["DAGSTER_HOME"] = str(home)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or hashlib.sha256(config.read_bytes()).hexdigest() in _EARLIER_DAGSTER_YAML:
        shutil.copy(Path(__file__).with_name("dagster.yaml"), config)
    return home


def _instance():
    """The Dagster instance in the project-local DAGSTER_HOME (dagster.yaml copied in first)."""
    import dagster as dg

    _prepare_dagster_home()
    return dg.DagsterInstance.get()


@contextmanager
def _run_lock() -> Iterator[None]:
    try:
        with run_lock.held():
            yield
    except run_lock.RunInProgress as exc:
        raise CliError(str(exc)) from None


def _clear_leftovers() -> None:
    from orchestration import leftovers

    leftovers.clear(say)


def _import_while_dbt_parses() -> None:
    """Imported on the machine's other core while `dbt parse` runs, as the run needs them next:
    Dagster and dagster-dbt (the definitions themselves wait for the manifest), and
    great-expectations (a fresh clone or a changed project has checks to validate again) unless
    the validation worker imports it."""
    from orchestration import validation_worker

    say("dbt project changed: preparing the manifest (dbt parse)...")
    import dagster  # noqa: F401
    import dagster_dbt  # noqa: F401

    if not validation_worker.running():  # else the worker has it
        import great_expectations  # noqa: F401


def _load_definitions():
    from orchestration import dbt_manifest

    # The dbt manifest must exist before the asset definitions can be built from it.
    try:
        dbt_manifest.ensure_manifest(while_parsing=_import_while_dbt_parses)
    except dbt_manifest.ManifestError as exc:
        for line in str(exc).splitlines():
            say(line)
        raise CliError("the dbt project does not parse; nothing was run") from None
    from orchestration.definitions import defs

    return defs


def cmd_run(args: argparse.Namespace) -> int:
    from orchestration import run_steps

    with _run_lock():
        result, timed_events = _execute_main_job(args.log_level)
    from orchestration.summary import print_run_summary

    print_run_summary(result)
    steps = run_steps.record_from_events(result.run_id, timed_events, cli_started=run_steps.process_started(),
                                         succeeded=result.success)
    print("\n" + "\n".join(run_steps.format_table(steps)))
    return 0 if result.success else EXIT_FAILED


def _execute_main_job(log_level: str):
    """The main job in this process: (its result, its timed events)."""
    from orchestration import dbt_build_state, dbt_standby, validation_worker

    # First, so that great-expectations is imported on the other core while Dagster's are here.
    if validation_worker.validation_likely():
        validation_worker.start()
    standby = None
    try:
        import dagster as dg

        from orchestration import interrupted_runs, run_steps

        _clear_leftovers()
        defs = _load_definitions()
        job = defs.resolve_job_def(interrupted_runs.MAIN_JOB)
        say(f"running job {job.name}: data in {settings.data_dir()}")
        with _instance() as instance:
            interrupted_runs.release(instance, say)
            # dbt imported on the other core while the ingest steps and staged checks run here;
            # started now, not first, as it would slow the imports above as much as it saves;
            # not at all when the last build will probably stand (its import is 3 s of CPU).
            standby = dbt_standby.start() if dbt_build_state.rebuild_likely() else None
            if standby is not None:
                standby.offer()
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                tags=interrupted_runs.CLI_RUN_TAGS,
                run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            )
            if not result.success:  # as the failure sensor does for the daemon's runs
                from orchestration.defs.sensors.failed_runs import report_failure

                report_failure(result.dagster_run, result.get_step_failure_events(),
                               result.get_run_failure_event(), say)
            timed_events = instance.all_logs(
                result.run_id, of_type={dg.DagsterEventType[name] for name in run_steps.TIMED_EVENT_TYPES}
            )
        return result, timed_events
    finally:
        validation_worker.stop()
        if standby is not None:
            standby.stop()


def cmd_status(args: argparse.Namespace) -> int:
    from orchestration.summary import print_status

    return print_status(settings.warehouse_path())


def _vouching_run_id() -> str:
    """The run whose working database `reeflow publish` may publish, or CliError.

    The publish asset runs only when every blocking check passed. `reeflow publish` bypasses
    the job, so it checks the job's verdict instead: the last run must have succeeded (a run
    that failed a check, or died half-way through dbt, leaves a working database nobody vouches
    for). The snapshot records that run.
    """
    import dagster as dg

    from orchestration.interrupted_runs import MAIN_JOB

    with _instance() as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(job_name=MAIN_JOB), limit=1)
    if not runs:
        raise CliError(f"not publishing: no run of {MAIN_JOB} is recorded in {settings.dagster_home()}: "
                       "nothing vouches for the working database. `reeflow run` first.")
    if runs[0].status != dg.DagsterRunStatus.SUCCESS:
        raise CliError(f"not publishing: the last run ({runs[0].run_id}) did not succeed "
                       f"({runs[0].status.value}): nothing vouches for its working database. "
                       "Fix the cause and `reeflow run` again.")
    return runs[0].run_id


def cmd_publish(args: argparse.Namespace) -> int:
    from orchestration import publishing
    from orchestration.check_results import check_results_dir

    with _run_lock():
        _clear_leftovers()
        run_id = _vouching_run_id()
        result = publishing.publish(
            check_results_glob=str(check_results_dir() / "*.parquet"), run_id=run_id
        )
    say(f"published {result.tables} tables of run {run_id} to {result.path}")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from orchestration import publishing

    with _run_lock():
        try:
            restored = publishing.rollback()
        except FileNotFoundError as exc:
            raise CliError(str(exc)) from None
    say(f"rolled back {settings.warehouse_path()} to snapshot {restored.name}")
    return 0


def cmd_ingest_file(args: argparse.Namespace) -> int:
    from ingest.catalog import SOURCE_KINDS, land_input, stage
    from ingest.contract import FileTooLarge

    kind = SOURCE_KINDS.get(args.format)
    if kind is None:
        raise CliError(f"unknown --format {args.format!r}; one of: {', '.join(sorted(SOURCE_KINDS))}")
    path = Path(args.path)
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    if args.company and kind.name != "disclosure_pdf":
        raise CliError("--company applies to --format disclosure_pdf only")
    # A report PDF whose page 1 does not say whose it is: the rules of this company apply.
    request = {"company": args.company} if args.company else None
    with _run_lock():  # a run stages the same datasets and clears half-written files
        try:
            entry, is_new = land_input(kind, path, vintage=args.vintage, request=request)
        except (FileTooLarge, ValueError) as exc:  # over the kind's size limit, changed while read
            raise CliError(f"not landed: {exc}") from None
        say(f"{'landed' if is_new else 'already landed'} {path.name} as {entry.file_id} ({kind.name})")
        report = stage(kind)
    out_of_scope = f", {report.out_of_scope} out of scope" if report.out_of_scope else ""
    say(
        f"staged {report.rows} rows, quarantined {report.quarantined}{out_of_scope}; "
        "run `reeflow run` to rebuild"
    )
    return _say_quarantined(entry.file_id, path.name)


def _say_quarantined(file_id: str, name: str) -> int:
    """Why the file's rows are quarantined (the first few); EXIT_FAILED if it was rejected whole."""
    from ingest.catalog import quarantined_rows
    from ingest.staging import FILE_REJECTED

    total, first = quarantined_rows(file_id, QUARANTINE_LINES_SHOWN)
    for line, reason in first:
        shown = reason if len(reason) <= REASON_CHARS_SHOWN else reason[:REASON_CHARS_SHOWN] + " ..."
        say(f"{name}{f' line {line}' if line else ''}: {shown}")
    if total > len(first):
        say(f"... and {total - len(first)} more quarantined rows (`reeflow status` counts them)")
    return EXIT_FAILED if any(reason.startswith(FILE_REJECTED) for _, reason in first) else 0


def cmd_ingest_retract(args: argparse.Namespace) -> int:
    from ingest.retractions import retract

    with _run_lock():  # not while a run is staging or building from the file
        try:
            entry, removed = retract(args.file_id, args.reason)
        except ValueError as exc:
            raise CliError(str(exc)) from None
    say(f"retracted {entry.original_name} ({entry.source}, {entry.file_id}): {args.reason}")
    say(f"removed {len(removed)} staged file(s); the raw file stays in {entry.path}")
    say("run `reeflow run` to rebuild the warehouse without it")
    return 0


def cmd_ingest_comtrade(args: argparse.Namespace) -> int:
    with _run_lock():  # a run stages the same datasets and clears half-written files
        return _ingest_comtrade(args)


def _ingest_comtrade(args: argparse.Namespace) -> int:
    from ingest.catalog import SOURCE_KINDS, stage
    from ingest.sources import comtrade
    from ingest.sources.comtrade.scope import DEFAULT_REPORTERS, FetchScope, split_list

    try:  # the same scope the Dagster fetch asset builds from its run config
        scope = FetchScope.of(
            reporters=split_list(args.reporter) if args.reporter else DEFAULT_REPORTERS,
            partners=split_list(args.partner),
            cmd_codes=split_list(args.cmd), frequency=args.frequency, flows=split_list(args.flows),
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    try:
        client = comtrade.ComtradeClient()  # COMTRADE_API_KEY and COMTRADE_BASE_URL from the env
    except comtrade.ComtradeError as exc:  # a key that cannot be sent (never printed)
        raise CliError(str(exc)) from None
    if client.uses_preview:
        say(f"COMTRADE_API_KEY not set: using the public preview (at most {client.record_cap} records a call)")
    try:
        report = scope.fetch(client, split_list(args.period), progress=say)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    except comtrade.ComtradeError as exc:
        say(f"error: {exc}")
        say("what landed is kept; run the same command again to resume")
        return EXIT_FAILED
    staged = stage(SOURCE_KINDS[comtrade.SOURCE_API])
    say(f"staged {staged.rows} rows, quarantined {staged.quarantined}; run `reeflow run` to rebuild")
    if report.incomplete:
        say(f"warning: {len(report.incomplete)} request(s) still at the record cap were not landed")
        return EXIT_FAILED
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reeflow", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the main job through Dagster")
    run.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                     help="Dagster console log level (INFO shows each step and dbt node as it runs)")
    run.set_defaults(handler=cmd_run)
    commands.add_parser("status", help="what the published warehouse holds").set_defaults(handler=cmd_status)
    commands.add_parser("publish", help="publish the working database now").set_defaults(handler=cmd_publish)
    commands.add_parser("rollback", help="restore the previous published snapshot").set_defaults(handler=cmd_rollback)
    ingest = commands.add_parser("ingest", help="land raw inputs")
    ingest_kinds = ingest.add_subparsers(dest="ingest_kind", required=True)
    file_parser = ingest_kinds.add_parser("file", help="land a file (bulk, release, register)")
    file_parser.add_argument("path")
    file_parser.add_argument("--format", required=True, help="source kind, e.g. usgs_mcs")
    file_parser.add_argument("--vintage", help="release or vintage label to record")
    file_parser.add_argument("--company", help="disclosure_pdf: whose report it is (companies.yml id)")
    file_parser.set_defaults(handler=cmd_ingest_file)
    api = ingest_kinds.add_parser(
        "comtrade", help="land UN Comtrade API data (key: COMTRADE_API_KEY; URL: COMTRADE_BASE_URL)"
    )
    api.add_argument("--reporter", help="ISO3 or Comtrade codes, comma-separated (default: the rare-earth "
                     "chain's main traders, CHN,JPN,USA,DEU,KOR,MYS,VNM,EST,FRA,AUS)")
    api.add_argument("--partner", default="all", help="'all' or ISO3/Comtrade codes, comma-separated")
    api.add_argument("--cmd", default="",
                     help="HS codes, comma-separated (default: the hs_codes and hs_headings seeds' codes)")
    api.add_argument("--period", required=True, help="years (2023) or months (202301), comma-separated")
    api.add_argument("--frequency", default="A", choices=["A", "M"], help="annual or monthly data")
    api.add_argument("--flows", default="M,X", help="Comtrade flow codes, comma-separated")
    api.set_defaults(handler=cmd_ingest_comtrade)
    retract = ingest_kinds.add_parser(
        "retract", help="withdraw a landed file (kept on disk, left out of every later run)"
    )
    retract.add_argument("file_id", help="the file's id (quality.landed_files, quality.quarantined_rows)")
    retract.add_argument("--reason", required=True, help="why, recorded with the retraction")
    retract.set_defaults(handler=cmd_ingest_retract)
    from orchestration.analysts.commands import register as register_analyst_commands

    register_analyst_commands(commands)  # report, query, docs
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.handler(args)
        if argv is None and args.handler is cmd_run:  # the console script, not a caller in Python
            # The interpreter's last garbage collection walks every object Dagster and dbt
            # created: 1.5-6 s after the output was printed (measured). Nothing of ours needs it.
            gc.freeze()
        return code
    except (CliError, AnalystError) as exc:  # the user's to fix: one line, no traceback
        say(f"error: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        say("interrupted; landed files are kept and the next run resumes")
        return 130
    except BrokenPipeError:
        # The reader went away (`reeflow run | head`): what was done stays done; say nothing
        # more, and let Python's exit flush nowhere instead of printing a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
