"""Streaming the items of a JSON document's top-level ``"value"`` array.

The document is decoded chunk by chunk and each item is parsed on its own with
``json.JSONDecoder.raw_decode``, so memory holds one item (plus a chunk), never the
whole document. Bytes that are not UTF-8 spoil only the item that holds them.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import UnreadableInput

__all__ = ["Item", "array_items"]

_CHUNK = 1 << 16
_MAX_ITEM = 1 << 26
"""An item larger than this (64 MiB) is taken for a malformed document."""
_WS = re.compile(r"[ \t\n\r]*")
_BAD_BYTE = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True, slots=True)
class Item:
    """One element of the array, or why it can't be read."""

    index: int
    """0-based position in the array."""
    value: object
    """The parsed JSON value (None when ``error`` is set)."""
    error: str | None = None
    """Why the element can't be read; the stream ends after an unreadable element
    unless the problem is undecodable bytes inside a well-formed element."""


class _Reader:
    def __init__(self, chunks: Iterator[bytes], label: str) -> None:
        self._chunks = chunks
        self._label = label
        self._decode = codecs.getincrementaldecoder("utf-8")("surrogateescape").decode
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._lines = 0  # line ends in text already dropped from the buffer
        self._decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self._eof:
            return False
        if self._pos > _CHUNK:
            self._lines += self._buf.count("\n", 0, self._pos)
            self._buf = self._buf[self._pos :]
            self._pos = 0
        chunk = next(self._chunks, None)
        if chunk is None:
            self._buf += self._decode(b"", final=True)
            self._eof = True
        else:
            self._buf += self._decode(chunk)
        return True

    def where(self, pos: int | None = None) -> str:
        """``line L, column C`` of ``pos`` in the buffer (the current position by default)."""
        pos = self._pos if pos is None else pos
        line = self._lines + self._buf.count("\n", 0, pos) + 1
        column = pos - self._buf.rfind("\n", 0, pos)
        return f"line {line}, column {column}"

    def peek(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            self._pos = _WS.match(self._buf, self._pos).end()  # type: ignore[union-attr]
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def take(self, char: str) -> bool:
        if self.peek() == char:
            self._pos += 1
            return True
        return False

    def value(self) -> tuple[object, str | None]:
        """The next JSON value, and where its text holds undecodable bytes (if it does)."""
        self.peek()
        while True:
            try:
                obj, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                if not self._grow():
                    raise ValueError(self._error(exc)) from None
                continue
            except RecursionError:
                raise ValueError(f"nested too deeply at {self.where()}") from None
            if end == len(self._buf) and self._grow():
                continue  # a number may go on in the next chunk
            bad = _BAD_BYTE.search(self._buf, self._pos, end)
            self._pos = end
            return obj, None if bad is None else self.where(bad.start())

    def _grow(self) -> bool:
        if len(self._buf) - self._pos > _MAX_ITEM:
            return False
        return self._fill()

    def _error(self, exc: json.JSONDecodeError) -> str:
        return f"malformed JSON at {self.where(exc.pos)}: {exc.msg}"


def array_items(
    chunks: Iterator[bytes], label: str, key: str = "value", others: list[str] | None = None
) -> Iterator[Item]:
    """Yield the items of the top-level ``key`` array of a JSON object, one by one.

    The names of the document's other top-level members are appended to ``others``
    as they are met (those after the array once the last item is out).

    Raises
    ------
    UnreadableInput
        When the document is not an object, has no ``key`` array, or is malformed
        before the array starts.

    Examples
    --------
    >>> chunks = iter([b'{"@odata.context": "x", "val', b'ue": [{"a": 1}, 2]}'])
    >>> [(i.index, i.value) for i in array_items(chunks, "<doc>")]
    [(0, {'a': 1}), (1, 2)]
    """
    reader = _Reader(chunks, label)
    if not reader.take("{"):
        found = reader.peek()
        what = "nothing" if not found else repr(found)
        raise UnreadableInput(f'{label}: expected a JSON object {{"{key}": [...]}}, found {what}')
    while True:
        if reader.take("}"):
            raise UnreadableInput(f"{label}: the document has no {key!r} array")
        try:
            name, _ = reader.value()
        except ValueError as exc:
            raise UnreadableInput(f"{label}: {exc}") from None
        if not isinstance(name, str) or not reader.take(":"):
            raise UnreadableInput(f"{label}: malformed JSON at {reader.where()}")
        if name == key:
            break
        try:
            reader.value()
        except ValueError as exc:
            raise UnreadableInput(f"{label}: {exc}") from None
        if others is not None:
            others.append(name)
        if not reader.take(","):
            if reader.take("}"):
                raise UnreadableInput(f"{label}: the document has no {key!r} array")
            raise UnreadableInput(f"{label}: malformed JSON at {reader.where()}")
    if not reader.take("["):
        raise UnreadableInput(f"{label}: {key!r} is not an array (at {reader.where()})")
    yield from _items(reader)
    if others is not None:
        _trailer(reader, others)


def _trailer(reader: _Reader, others: list[str]) -> None:
    """Collect the member names after the array (best effort: stop at anything odd)."""
    try:
        while reader.take(","):
            name, _ = reader.value()
            if not isinstance(name, str) or not reader.take(":"):
                return
            reader.value()
            others.append(name)
    except ValueError:
        return


def _items(reader: _Reader) -> Iterator[Item]:
    index = 0
    if reader.take("]"):
        return
    while True:
        try:
            obj, bad = reader.value()
        except ValueError as exc:
            yield Item(index, None, f"{exc}; the rest of the document can't be read")
            return
        if bad is not None:
            yield Item(index, None, f"not UTF-8 text at {bad}; save the export as UTF-8")
        else:
            yield Item(index, obj)
        index += 1
        if reader.take(","):
            continue
        if reader.take("]"):
            return
        found = reader.peek()
        problem = "the document ends" if not found else f"found {found!r}"
        yield Item(
            index,
            None,
            f"malformed JSON at {reader.where()}: expected ',' or ']' after an element"
            f" but {problem}; the rest of the document can't be read",
        )
        return
