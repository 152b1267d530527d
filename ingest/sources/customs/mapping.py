"""Customs mappings: the YAML that describes one national tariff-line file layout.

Loaded and checked once (bad HS6, unknown element, unknown layout fail at load, naming the
mapping), then used by the customs parser to read every file of that layout. The shipped
mappings are the YAML files in `mappings/` beside this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ingest.reference.seeds import element_symbols

# Bumped when the customs parser itself changes; each mapping adds its own `version`.
# 2: a weight unit the mapping cannot convert quarantined; separators must group thousands.
# 3: a line with a cell over textfiles.MAX_CELL_CHARS quarantined (the file was rejected).
PARSER_VERSION = 3
MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"


@dataclass(frozen=True)
class QuantityColumn:
    column: str  # may hold "{month}" in a wide_monthly layout
    unit_column: str | None = None
    unit: str | None = None  # fixed unit when the file has no unit column


@dataclass(frozen=True)
class CustomsMapping:
    name: str
    version: int
    source: str
    reporter_iso3: str
    layout: str
    encodings: tuple[str, ...]
    delimiter: str
    header_row: int
    strip_characters: str
    thousands_separator: str
    decimal_separator: str
    blank_means_zero: bool
    columns: dict[str, str]
    months: dict[int, tuple[str, ...]]
    quantities: tuple[QuantityColumn, ...]
    value_column: str
    value_usd_column: str | None
    currency: str
    value_multiplier: float
    skip_all_zero: bool
    national_code_digits: int | None
    flow_codes: dict[str, str]
    units_to_kg: dict[str, float]
    national_codes: dict[str, tuple[str, str | None]]
    countries: dict[str, str]

    @property
    def parser_version(self) -> int:
        # A mapping edit (a new country code, a corrected factor) must re-stage its files.
        return PARSER_VERSION * 1000 + self.version

    def line_for(self, national_code: str) -> tuple[str, str | None] | None:
        for length in range(len(national_code), 1, -1):
            line = self.national_codes.get(national_code[:length])
            if line is not None:
                return line
        return None


def available_mappings() -> list[str]:
    return sorted(path.stem for path in MAPPINGS_DIR.glob("*.yml"))


def load_mapping(name_or_path: str | Path) -> CustomsMapping:
    """A shipped mapping by name (e.g. 'jpn_customs') or any mapping file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = MAPPINGS_DIR / f"{name_or_path}.yml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        return _mapping_from_spec(spec)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"customs mapping {path.name} is invalid: {exc!r}") from exc


def _mapping_from_spec(spec: dict[str, Any]) -> CustomsMapping:
    file, numbers, value = spec.get("file", {}), spec.get("numbers", {}), spec["value"]
    layout = spec["layout"]
    if layout not in ("wide_monthly", "long"):
        raise ValueError(f"layout must be wide_monthly or long, not {layout!r}")
    flow_codes = {str(code): flow for code, flow in spec["flow_codes"].items()}
    if not set(flow_codes.values()) <= {"M", "X", "RM", "RX"}:
        raise ValueError(f"flow_codes must map to M, X, RM or RX: {flow_codes}")
    national_codes = {}
    for prefix, line in spec["national_codes"].items():
        hs6, element = str(line["hs6"]), line.get("element")
        if not re.fullmatch(r"\d{6}", hs6) or (element is not None and element not in element_symbols()):
            raise ValueError(f"national code {prefix}: bad hs6 {hs6!r} or element {element!r}")
        national_codes[str(prefix)] = (hs6, element)
    months = {int(month): tuple(labels) for month, labels in spec.get("months", {}).items()}
    if layout == "wide_monthly" and sorted(months) != list(range(1, 13)):
        raise ValueError("a wide_monthly layout needs labels for months 1..12")
    return CustomsMapping(
        name=spec["name"],
        version=int(spec.get("version", 1)),
        source=spec["source"],
        reporter_iso3=spec["reporter_iso3"],
        layout=layout,
        encodings=tuple(file.get("encodings", ["utf-8-sig"])),
        delimiter=file.get("delimiter", ","),
        header_row=int(file.get("header_row", 1)),
        strip_characters=file.get("strip_characters", " "),
        thousands_separator=numbers.get("thousands_separator", ","),
        decimal_separator=numbers.get("decimal_separator", "."),
        blank_means_zero=bool(numbers.get("blank_means_zero", False)),
        columns={key: str(name) for key, name in spec["columns"].items()},
        months=months,
        quantities=tuple(QuantityColumn(**item) for item in spec.get("quantities", [])),
        value_column=value["column"],
        value_usd_column=spec.get("value_usd", {}).get("column"),
        currency=value["currency"],
        value_multiplier=float(value.get("multiplier", 1)),
        skip_all_zero=bool(spec.get("skip_all_zero", True)),
        national_code_digits=spec.get("national_code_digits"),
        flow_codes=flow_codes,
        units_to_kg={str(unit).upper(): float(f) for unit, f in spec["units_to_kg"].items()},
        national_codes=national_codes,
        countries={str(code): iso3 for code, iso3 in spec["countries"].items()},
    )
