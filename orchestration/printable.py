"""User-supplied text as it is printed: file names, paths, reasons, messages that quote them.

A file name may hold a newline, a carriage return or a right-to-left override (U+202E); printed
raw it could forge a log line or turn the rest of one around. Every character Python does not
call printable (controls, format characters, line and paragraph separators) is shown as its
escape, and so is the backslash, so what is printed reads back to exactly one name.
"""

from __future__ import annotations

import sys


def escaped(text: object) -> str:
    return "".join(
        char if char.isprintable() and char != "\\" else char.encode("unicode_escape").decode("ascii")
        for char in str(text)
    )


def say(message: str) -> None:
    """One line to stderr as `reeflow: ...`, always one line: the message's names and paths are
    the user's, never trusted."""
    print(f"reeflow: {escaped(message)}", file=sys.stderr, flush=True)
