"""Stand-ins for lines too long to read, in the stream a bulk file is scanned from.

A stand-in is a line of empty cells whose cmdCode is a random marker and the replaced line's
index: no line of the file can pass for one. The rules (rules.py) quarantine it for its cmdCode;
`reword` then gives it its line's size as the reason, and `raw_text` the line's start.
"""

from __future__ import annotations

import json
import secrets

import duckdb

from ingest.sources.comtrade.long_lines import LongLine
from ingest.sources.comtrade.rules import RecordSql


class StandIns:
    """The stand-ins of one scan, and the lines they replaced (`replaced`, in file order)."""

    def __init__(self, sql: RecordSql, delimiter: str, limit: int) -> None:
        self.replaced: list[LongLine] = []
        self.marker = f"reeflow-long-line-{secrets.token_hex(8)}-"
        self._width, self._delimiter, self._limit = sql.width, delimiter, limit
        self._cmd = sql.column["cmdcode"]  # c<i>: its cell in the line, h<i> trimmed in `checked`
        self._cmd_read = sql.read.index(self._cmd)  # its place in `checked.cells`

    def line(self, index: int) -> bytes:
        """The stand-in for the index-th replaced line (no line break)."""
        cells = [""] * self._width
        cells[int(self._cmd[1:])] = f"{self.marker}{index}"
        return self._delimiter.join(cells).encode()

    def long_line(self, cells: list[str | None]) -> LongLine | None:
        """The line a quarantined record's cells stand in for (None: a line of the file)."""
        code = cells[self._cmd_read] or ""
        if not (self.replaced and code.startswith(self.marker)):
            return None
        return self.replaced[int(code.removeprefix(self.marker))]

    def raw_text(self, line: LongLine) -> str:
        """A quarantined stand-in's raw text: its line's start and size."""
        return json.dumps({"line_start": line.preview.decode("utf-8", "replace"),
                           "line_bytes": line.size}, ensure_ascii=False)

    def reword(self, con: duckdb.DuckDBPyConnection) -> None:
        """Each stand-in's reason in `checked` (rules.py) becomes its line's size."""
        if not self.replaced:
            return
        con.execute("create temp table long_line_reasons (code varchar, reason varchar)")
        con.executemany(
            "insert into long_line_reasons values (?, ?)",
            [(f"{self.marker}{index}",
              f"a line of {line.size:,} bytes, over the {self._limit:,} a bulk line may hold "
              "(a Comtrade line is under 1 KB): not read")
             for index, line in enumerate(self.replaced)],
        )
        con.execute(f"update checked set reason = long_line_reasons.reason from long_line_reasons "
                    f"where checked.h{self._cmd[1:]} = long_line_reasons.code")
