"""Units as companies print them ("t", "kt", "lb", "tonnes REO", "REOt", "metric tons", "%").

`parse_unit` says what a printed unit means: how many metric tonnes one unit is, whether the
figure is stated as rare-earth oxide (REO), whether it is a share rather than a mass, and whether
it is a yearly rate (capacity "tpa"). Anything it cannot read for certain is refused, never
guessed: a US "ton" may be a short ton, and "mt" may be metric tons or megatonnes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.parsing.numbers import MAX_TONNES, plausible

# The international avoirdupois pound is defined as exactly 0.45359237 kg (1959 agreement).
POUND_T = 0.45359237e-3

# Lower-cased spellings of mass units -> metric tonnes per unit.
_MASS_T = {
    "t": 1.0,
    "tonne": 1.0,
    "tonnes": 1.0,
    "metric ton": 1.0,
    "metric tons": 1.0,
    "metric tonne": 1.0,
    "metric tonnes": 1.0,
    "kt": 1e3,
    "kilotonne": 1e3,
    "kilotonnes": 1e3,
    "thousand tonnes": 1e3,
    "'000 t": 1e3,
    "000 t": 1e3,
    "kg": 1e-3,
    "kilogram": 1e-3,
    "kilograms": 1e-3,
    "lb": POUND_T,
    "lbs": POUND_T,
    "pound": POUND_T,
    "pounds": POUND_T,
}
# Case matters for these: MP Materials prints "MT"/"MTs" for metric tons; "Mt" is megatonnes.
_CASE_SENSITIVE_T = {"MT": 1.0, "MTs": 1.0, "MTS": 1.0, "Mt": 1e6}
_AMBIGUOUS = {
    "ton": "a US 'ton' may be a short ton (0.907 t)",
    "tons": "a US 'tons' may be short tons (0.907 t)",
    "mt": "'mt' may be metric tons or megatonnes",
}
_SHARE = {"%", "percent", "per cent", "pct"}
_REO = re.compile(r"\(?\s*\bREO\s*(?=t\b)|\bREO\b\s*\)?|_REO\b|\bTREO\b", re.IGNORECASE)
_PER_YEAR = re.compile(
    r"\s*(?:/\s*(?:yr|year|a|annum)|per\s+(?:year|annum)|pa|py)\s*$", re.IGNORECASE
)
_TPA = re.compile(r"^(k?t)pa$", re.IGNORECASE)


class UnitError(ValueError):
    """A unit that cannot be converted for certain."""


@dataclass(frozen=True)
class Unit:
    printed: str
    tonnes_per_unit: float | None  # None for shares
    is_reo: bool  # the printed unit itself says REO ("t REO", "REOt")
    is_share: bool  # a percentage, not a mass
    per_year: bool  # a rate ("tpa", "t/yr"): capacity, not a period total


def parse_unit(printed: str) -> Unit:
    """Read a printed unit; raise UnitError for anything unknown or ambiguous."""
    text = " ".join(str(printed).split())
    if not text:
        raise UnitError("unit is empty")
    if text.lower() in _SHARE:
        return Unit(text, None, is_reo=False, is_share=True, per_year=False)

    rest, is_reo = _strip_reo(text)
    rest, per_year = _strip_per_year(rest)
    rest = rest.strip(" ()")
    factor = _CASE_SENSITIVE_T.get(rest)
    if factor is None:
        reason = _AMBIGUOUS.get(rest.lower())
        if reason:
            raise UnitError(f"unit {printed!r} is ambiguous: {reason}")
        factor = _MASS_T.get(rest.lower())
    if factor is None:
        raise UnitError(
            f"unit {printed!r} cannot be converted to tonnes "
            "(known: t, tonnes, metric tons, MT, kt, kg, lb, with optional REO, or percent)"
        )
    return Unit(text, factor, is_reo=is_reo, is_share=False, per_year=per_year)


def _strip_reo(text: str) -> tuple[str, bool]:
    # "t REO", "tonnes REO", "REOt", "REO t", "t_REO", "(REOt)" all say the tonnes are REO.
    if re.fullmatch(r"\(?REOt\)?", text, re.IGNORECASE):
        return "t", True
    stripped, count = _REO.subn(" ", text)
    return " ".join(stripped.split()), count > 0


def _strip_per_year(text: str) -> tuple[str, bool]:
    if match := _TPA.match(text):
        return match.group(1), True
    stripped, count = _PER_YEAR.subn("", text)
    return stripped.strip(), count > 0


def to_tonnes(value: float, unit: Unit | str) -> float:
    """A printed quantity in metric tonnes (kt * 1000, lb * 0.00045359237)."""
    unit = parse_unit(unit) if isinstance(unit, str) else unit
    if unit.tonnes_per_unit is None:
        raise UnitError(f"unit {unit.printed!r} is a share, not a mass")
    try:
        return plausible(value * unit.tonnes_per_unit, "tonnage", MAX_TONNES)
    except ValueError as exc:
        raise UnitError(str(exc)) from None


def parse_printed_number(text: str) -> float:
    """'10,908' -> 10908.0; '1 294' -> 1294.0. Refuses anything else ('n/a', '12e3', '')."""
    cleaned = str(text).strip().replace("\u00a0", " ")
    if not re.fullmatch(r"\d{1,3}(?:[, ]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+", cleaned):
        raise UnitError(f"value {text!r} is not a plain number like 10908 or 10,908")
    return float(cleaned.replace(",", "").replace(" ", ""))
