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

An answer is whole only when its `count` is the number of records in its `data`: so it is in
every answer recorded from the API (tests/fixtures/comtrade-api), and an answer cut short but
still closed (`"count": 250` and 2 records) is otherwise well-formed JSON. `answer_records` says so
once the records are read. A field of the envelope given twice (two `data` lists, two `error`s)
is refused as it is read: `json.loads` would keep the last and drop the first unseen.
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


class DuplicateField(AnswerError):
    """A field of the envelope given twice: which one is the answer is anyone's guess."""


class NoDataList(AnswerError):
    """No `data` list: not a Comtrade answer."""


class ApiError(AnswerError):
    """The API answered with an error (the envelope's `error`, complete as the API gave it)."""

    def __init__(self, error: Any) -> None:
        super().__init__(str(error))
        self.error = error


class BadCount(AnswerError):
    """A `count` that is not a number of records."""


class PartialAnswer(AnswerError):
    """An answer whose `count` is not the number of records in its `data`."""

    def __init__(self, said: int, held: int) -> None:
        super().__init__(f"the answer says count {said} but holds {held} records")
        self.said, self.held = said, held


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


def answer_records(handle: BinaryIO) -> Iterator[Any]:
    """Each record of one whole answer, in order; once they are read, AnswerError unless the
    answer is whole: NoDataList, ApiError (its `error` is set), BadCount or PartialAnswer (its
    `count` is not the number of records it held). What a whole answer is, for the client that
    fetches one and the parser that stages a saved one."""
    envelope: dict[str, Any] = {}
    held = 0
    for record in _records(handle, envelope):
        held += 1
        yield record
    if not isinstance(envelope.get("data"), list):
        raise NoDataList("no data list")
    if envelope.get("error"):
        raise ApiError(envelope["error"])
    _check_count(envelope, held)


def _records(handle: BinaryIO, envelope: dict[str, Any]) -> Iterator[Any]:
    """Each element of the answer's `data` list, in order; the envelope's other keys are put in
    `envelope` as they are read (`error` comes after `data`: complete once the iterator ends).
    AnswerError when the file is not one JSON object; DuplicateField when a field is given twice."""
    text, decoder = _Text(handle), json.JSONDecoder()
    text.expect("{", "at the start of an answer")
    seen_data, seen = False, set()
    while text.peek() != "}":
        if seen:
            text.expect(",", "between the answer's fields")
        text.peek()
        where = text.consumed + text.pos
        key = text.value(decoder, MAX_VALUE_CHARS)
        if not isinstance(key, str):
            raise AnswerError("the answer is not a JSON object")
        text.expect(":", f"after {key!r}")
        if key in seen:
            lists = key == "data" and seen_data and text.peek() == "["
            raise DuplicateField(f"the answer holds two `{key}` {'lists' if lists else 'fields'}"
                                 f" (the second at character {where})")
        seen.add(key)
        if key != "data":
            envelope[key] = text.value(decoder, MAX_VALUE_CHARS)
            continue
        if text.peek() != "[":
            envelope[key] = text.value(decoder, MAX_VALUE_CHARS)  # not a list: NoDataList then
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


def _check_count(envelope: dict[str, Any], held: int) -> None:
    """PartialAnswer when the answer's `count` is not `held`, the number of records its `data`
    held; BadCount when that count is not a whole number. An answer without a count (or with
    null) makes no claim and passes."""
    said = envelope.get("count")
    if said is None:
        return
    if isinstance(said, bool) or not isinstance(said, int):
        raise BadCount(f"the answer's count {said!r} is not a number of records")
    if said != held:
        raise PartialAnswer(said, held)
