"""Rows that could not be parsed or broke a basic rule: kept with file, row and reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QuarantinedRow:
    source: str
    file_id: str
    file_name: str
    row_number: int | None  # 1-based line or record number in the landed file
    reason: str
    raw: str  # the offending row as text, so an analyst can fix it without the file

    def message(self) -> str:
        where = f"{self.file_name}" + (f" row {self.row_number}" if self.row_number else "")
        return f"{where}: {self.reason}"

