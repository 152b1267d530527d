"""The one way the dbt manifest is prepared: `make manifest`, `reeflow run` and `dagster dev`.

The Dagster definitions are built from `dbt_project/target/manifest.json`. `dbt parse` costs
10-30 s, so it runs only when its inputs changed: the fingerprint of every file of the dbt
project and the dbt versions is kept beside the manifest, and a manifest with the current
fingerprint is reused. No data path is among the inputs: dbt is handed none (it runs inside the
data folder, orchestration/dbt_launcher.py), so one manifest serves every data folder.

    python -m orchestration.dbt_manifest [--force]
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import subprocess
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from ingest import settings
from orchestration.dbt_launcher import launcher_path

PROJECT_DIR = settings.DBT_PROJECT_DIR
TARGET_DIR = PROJECT_DIR / "target"
MANIFEST = TARGET_DIR / "manifest.json"
FINGERPRINT = TARGET_DIR / "manifest.fingerprint"
# What dbt writes, not what it reads.
_NOT_INPUTS = {"target", "logs", "dbt_packages", ".user.yml"}


class ManifestError(RuntimeError):
    """`dbt parse` failed; the message holds dbt's output."""


def _project_files() -> list[Path]:
    return sorted(
        path for path in PROJECT_DIR.rglob("*")
        if path.is_file() and path.relative_to(PROJECT_DIR).parts[0] not in _NOT_INPUTS
    )


def fingerprint() -> str:
    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb"):
        digest.update(f"{package}=={metadata.version(package)}\n".encode())
    for path in _project_files():
        digest.update(f"{path.relative_to(PROJECT_DIR).as_posix()}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def is_current(expected: str | None = None) -> bool:
    return (
        MANIFEST.exists()
        and FINGERPRINT.exists()
        and FINGERPRINT.read_text().strip() == (expected or fingerprint())
    )


def ensure_manifest(force: bool = False, while_parsing: Callable[[], object] | None = None) -> bool:
    """Parse the dbt project unless the manifest on disk is current. True when it parsed.

    `while_parsing` is called while `dbt parse` runs (a separate process, seconds long): a
    caller can do there what does not need the manifest, on the machine's other core.
    """
    TARGET_DIR.mkdir(exist_ok=True)
    # One preparer at a time (a `reeflow run` and a `dagster dev` reload may start together).
    with open(TARGET_DIR / ".manifest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        expected = fingerprint()
        if not force and is_current(expected):
            return False
        FINGERPRINT.unlink(missing_ok=True)  # a parse cut short leaves no current manifest
        project = str(PROJECT_DIR)
        with subprocess.Popen(
            [launcher_path(), "parse", "--quiet", "--project-dir", project, "--profiles-dir", project],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ) as parse:
            if while_parsing is not None:
                while_parsing()
            stdout, stderr = parse.communicate()
        if parse.returncode != 0:
            raise ManifestError(f"dbt parse failed:\n{stdout}{stderr}")
        FINGERPRINT.write_text(expected + "\n")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="prepare the dbt manifest if the project changed")
    parser.add_argument("--force", action="store_true", help="parse even if nothing changed")
    args = parser.parse_args(argv)
    try:
        parsed = ensure_manifest(force=args.force)
    except ManifestError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{MANIFEST}: {'parsed' if parsed else 'current, not parsed again'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
