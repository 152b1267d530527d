"""Severity travels in each expectation's meta: ERROR blocks publishing, WARN is recorded."""

ERROR = "ERROR"
WARN = "WARN"


def error() -> dict:
    return {"severity": ERROR}


def warn() -> dict:
    return {"severity": WARN}
