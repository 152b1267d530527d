"""The small JSON files the pipeline keeps beside the data (run step times, the standing dbt
build, cached suite outcomes): written whole or not at all, so a killed run leaves a `.part`
file, never half a record that the next run would misread."""

from __future__ import annotations

import json
import os
from pathlib import Path


def write_json_atomic(path: Path, content: object, indent: int | None = 1) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(content, indent=indent))
    os.replace(part, path)
