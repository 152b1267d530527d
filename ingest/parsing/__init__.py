"""Helpers the parsers share: reporting periods, printed units, whole-file text checks."""
