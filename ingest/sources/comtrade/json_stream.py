"""The records of a Comtrade API answer, read one at a time from the file.

`json.loads` of a whole answer holds every record as Python objects at once: a 440 MB answer of
400,000 records took 2.3 GB. Here the answer's envelope `{"elapsedTime", "count", "data": [...],
"error"}` is walked by hand and each record is decoded alone by the standard library's decoder
(`raw_decode`, the same C scanner as `json.loads`, so the same values and the same errors), so
memory holds one read buffer and the records the caller keeps.

A value nested too deeply stops the standard decoder with RecursionError at about a thousand
levels, at once and without memory growth (a streaming parser that builds paths grows with the
square of the depth: 200,000 levels exhausted the machine). Any value other than a record longer
than MAX_VALUE_CHARS is refused rather than buffered.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

CHUNK_BYTES = 1 << 20
# The envelope's own values are a few words; a record is about a kilobyte.
MAX_VALUE_CHARS = 16 << 20
_SPACE = re.compile(r"[ \t\n\r]*")


class AnswerError(ValueError):
    """Not a well-formed answer; the message says where and why."""


class NestedTooDeep(AnswerError):
    """A value nested deeper than the decoder can follow."""


class _Text:
    """Decoded text of a binary file, a window at a time, with the JSON scanner's cursor."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.text, self.pos, self.eof = "", 0, False
        self.consumed = 0  # characters dropped from the front of the window

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.handle.read(CHUNK_BYTES)
        try:
            decoded = self.decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError:
            raise AnswerError(f"not UTF-8 near character {self.consumed + len(self.text)}") from None
        self.eof = not chunk
        self.consumed += self.pos
        self.text = self.text[self.pos:] + decoded
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ('' at the end of the file)."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()
            if self.pos < len(self.text) or not self._fill():
                return self.text[self.pos:self.pos + 1]

    def expect(self, char: str, where: str) -> None:
        found = self.peek()
        if found != char:
            raise AnswerError(f"expected {char!r} {where}, found {found or 'the end of the file'!r}"
                              f" at character {self.consumed + self.pos}")
        self.pos += 1

    def value(self, decoder: json.JSONDecoder, limit: int) -> Any:
        """The next JSON value, read further as long as it may be cut by the window's end."""
        self.peek()
        while True:
            try:
                value, end = decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof:
                    raise AnswerError(f"truncated or invalid JSON: {exc.msg} at character "
                                      f"{self.consumed + exc.pos}") from None
            except RecursionError:
                raise NestedTooDeep("nested too deeply") from None
            else:
                # A number or word ending with the window may go on in the next chunk.
                if end < len(self.text) or self.eof:
                    self.pos = end
                    return value
            if len(self.text) - self.pos > limit:
                raise AnswerError(f"a value longer than {limit:,} characters at character "
                                  f"{self.consumed + self.pos}")
            self._fill()


def records(handle: BinaryIO, envelope: dict[str, Any]) -> Iterator[Any]:
    """Each element of the answer's `data` list, in order; the envelope's other keys are put in
    `envelope` as they are read (`error` comes after `data`: complete once the iterator ends).
    AnswerError when the file is not one JSON object or its `data` is not a list."""
    text, decoder = _Text(handle), json.JSONDecoder()
    text.expect("{", "at the start of an answer")
    seen_data, fields = False, 0
    while text.peek() != "}":
        if fields:
            text.expect(",", "between the answer's fields")
        fields += 1
        key = text.value(decoder, MAX_VALUE_CHARS)
        if not isinstance(key, str):
            raise AnswerError("the answer is not a JSON object")
        text.expect(":", f"after {key!r}")
        if key != "data":
            envelope[key] = text.value(decoder, MAX_VALUE_CHARS)
            continue
        if text.peek() != "[":
            envelope[key] = text.value(decoder, MAX_VALUE_CHARS)  # not a list: the caller says so
            continue
        seen_data = True
        text.expect("[", "")
        first = True
        while text.peek() != "]":
            if not first:
                text.expect(",", "between records")
            first = False
            yield text.value(decoder, MAX_VALUE_CHARS)
        text.expect("]", "")
    text.expect("}", "")
    if text.peek():
        raise AnswerError(f"extra data after the answer at character {text.consumed + text.pos}")
    if seen_data:
        envelope["data"] = []  # the list was there (its records went to the caller)
