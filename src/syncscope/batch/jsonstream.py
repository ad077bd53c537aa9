"""Streaming the items of a JSON document's top-level ``"value"`` array, page by page.

The document is decoded chunk by chunk. Each item's extent is found first by a
cheap scan that counts brackets outside strings, so an item nested deeper than
:data:`~syncscope.model.safejson.MAX_DEPTH` levels, or longer than
:data:`MAX_ITEM` characters, is refused and skipped without being parsed; the
others are parsed on their own, with numbers bounded
(:func:`~syncscope.model.safejson.json_decoder`). Memory holds one item (plus a
chunk), never the whole document. Bytes that are not UTF-8 spoil only the item
that holds them.

Several documents one after the other (``cat page-*.json``) are read as the
pages of one export, in order; anything else after a document is an error item,
never silently dropped.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass

from syncscope.model.safejson import FLAT, MAX_DEPTH, TooBig, json_decoder

from .errors import UnreadableInput

__all__ = ["MAX_ITEM", "Item", "array_items"]

_CHUNK = 1 << 16
MAX_ITEM = 1 << 27
"""The most characters one item may have (128 Mi); a longer one is refused and skipped."""
_MAX_SCALAR = 1 << 20
"""A bare number or literal longer than this is taken for a malformed document."""
_WS = re.compile(r"[ \t\n\r]*")
_BAD_BYTE = re.compile("[\udc80-\udcff]")
_STRING_BODY = re.compile(r'[^"\\]*+(?:\\.[^"\\]*+)*+', re.DOTALL)
_SCALAR = re.compile(r"[^\s,\]}\[{\":]*")


@dataclass(frozen=True, slots=True)
class Item:
    """One element of the array, or why it can't be read."""

    index: int
    """0-based position in its page's array."""
    value: object
    """The parsed JSON value (None when ``error`` is set)."""
    error: str | None = None
    """Why the element can't be read; the stream ends after an unreadable element
    unless the problem is undecodable bytes, or a size or depth limit, inside a
    well-formed element."""
    page: int = 1
    """Which document of the input holds it (1 unless documents are concatenated)."""


class _Malformed(ValueError):
    """The document can't be read on from here."""


class _Refused(ValueError):
    """One value is refused (too deep, too long, a number too big); the reader is past it."""


class _Reader:
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._decode = codecs.getincrementaldecoder("utf-8")("surrogateescape").decode
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._lines = 0  # line ends in text already dropped from the buffer
        self._decoder = json_decoder()

    def _fill(self) -> int:
        """Read more (at least as much as the buffer holds past the position, so that a
        long item is read in doubling steps); return how many characters were dropped
        from the buffer's start (before the position), or -1 at the end."""
        if self._eof:
            return -1
        dropped = 0
        if self._pos > _CHUNK:
            dropped = self._pos
            self._lines += self._buf.count("\n", 0, dropped)
            self._buf = self._buf[dropped:]
            self._pos = 0
        want = max(_CHUNK, len(self._buf) - self._pos)
        parts: list[bytes] = []
        got = 0
        while got < want:
            chunk = next(self._chunks, None)
            if chunk is None:
                self._eof = True
                break
            parts.append(chunk)
            got += len(chunk)
        self._buf += self._decode(b"".join(parts), final=self._eof)
        return dropped

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
            if self._fill() < 0:
                return ""

    def take(self, char: str) -> bool:
        if self.peek() == char:
            self._pos += 1
            return True
        return False

    def _extent(self) -> tuple[int, str | None]:
        """Scan the string, array or object at the position to its end: the end's
        offset, and why the value is refused (None to parse it).

        Brackets inside strings don't count. Once the value is refused, the text
        before the scan is dropped as more is read, so memory stays flat."""
        start = self._pos
        buf = self._buf
        i = start + 1
        depth = 0 if buf[start] == '"' else 1
        in_string = depth == 0
        problem: str | None = None
        flat, body = FLAT.match, _STRING_BODY.match
        while True:
            n = len(buf)
            if in_string:
                i = body(buf, i).end()  # type: ignore[union-attr]
                if i < n and buf[i] == '"':
                    i += 1
                    in_string = False
                    if depth == 0:
                        return i, problem
                    continue
            else:
                i = flat(buf, i).end()  # type: ignore[union-attr]
                if i < n:
                    c = buf[i]
                    i += 1
                    if c == '"':
                        in_string = True
                    elif c in "[{":
                        depth += 1
                        if depth > MAX_DEPTH and problem is None:
                            problem = (
                                f"nested deeper than {MAX_DEPTH} levels of arrays and objects"
                                f" at {self.where(i - 1)}"
                            )
                    else:
                        depth -= 1
                        if depth == 0:
                            return i, problem
                    continue
            # More text is needed: a string or a bracket may go on in the next chunk.
            if problem is None and i - self._pos > MAX_ITEM:
                problem = (
                    f"an element longer than {MAX_ITEM >> 20} Mi characters"
                    f" (from {self.where(start)})"
                )
            if problem is not None:
                self._pos = i  # the refused text is not kept
            dropped = self._fill()
            if dropped < 0:
                what = "a string" if in_string else "an array or object"
                raise _Malformed(
                    f"the document ends inside {what} that starts at {self.where(start)}"
                    if problem is None
                    else f"{problem}, and the document ends inside it"
                )
            i -= dropped
            start -= dropped
            buf = self._buf
            if problem is None:
                self._pos = start

    def value(self) -> tuple[object, str | None]:
        """The next JSON value, and where its text holds undecodable bytes (if it does).

        Raises _Refused (the reader is then past the value) or _Malformed."""
        first = self.peek()
        if not first:
            raise _Malformed(f"the document ends at {self.where()}")
        start = self._pos
        if first in '"[{':
            end, problem = self._extent()
            start = self._pos
            if problem is not None:
                self._pos = end
                raise _Refused(problem)
        else:
            while True:
                end = _SCALAR.match(self._buf, start).end()  # type: ignore[union-attr]
                if end < len(self._buf) or end - start > _MAX_SCALAR:
                    break
                dropped = self._fill()
                if dropped < 0:
                    break
                start -= dropped
        try:
            obj, stop = self._decoder.raw_decode(self._buf, start)
        except TooBig as exc:
            self._pos = end
            raise _Refused(f"{exc} (in the element at {self.where(start)})") from None
        except json.JSONDecodeError as exc:
            raise _Malformed(f"malformed JSON at {self.where(exc.pos)}: {exc.msg}") from None
        if stop != end:
            raise _Malformed(f"malformed JSON at {self.where(stop)}")
        bad = _BAD_BYTE.search(self._buf, start, end)
        self._pos = end
        return obj, None if bad is None else self.where(bad.start())


def array_items(
    chunks: Iterator[bytes], label: str, key: str = "value", others: list[str] | None = None
) -> Iterator[Item]:
    """Yield the items of the top-level ``key`` array of a JSON object, one by one.

    When the input holds several documents one after the other, the items of each
    come in turn, with ``page`` saying which. The names of the last document's
    other top-level members are put in ``others`` as they are met (those after the
    array once its last item is out).

    Raises
    ------
    UnreadableInput
        When the first document is not an object, has no ``key`` array, or is
        malformed before the array starts. The same problems in a later document
        are an error item instead: rows have been given out already.

    Examples
    --------
    >>> chunks = iter([b'{"@odata.context": "x", "val', b'ue": [{"a": 1}, 2]}'])
    >>> [(i.index, i.value) for i in array_items(chunks, "<doc>")]
    [(0, {'a': 1}), (1, 2)]
    >>> pages = iter([b'{"value": [1]}\\n{"value": [2, 3]}\\n'])
    >>> [(i.page, i.index, i.value) for i in array_items(pages, "<doc>")]
    [(1, 0, 1), (2, 0, 2), (2, 1, 3)]
    """
    reader = _Reader(chunks)
    names: list[str] = [] if others is None else others
    try:
        _open(reader, key, names)
    except _Malformed as exc:
        raise UnreadableInput(f"{label}: {exc}") from None
    page = 1
    while True:
        ended = yield from _items(reader, page)
        if ended:
            return
        problem = _close(reader, names)
        if problem is None:
            found = reader.peek()
            if not found:
                return
            if found != "{":
                problem = (
                    f"after the end of the document, found {found!r} at {reader.where()},"
                    " which is not another export page; the rest of the input can't be read"
                )
        if problem is not None:
            yield Item(0, None, problem, page)
            return
        page += 1
        names.clear()
        try:
            _open(reader, key, names)
        except _Malformed as exc:
            yield Item(
                0, None, f"document {page} of the input: {exc}; the rest can't be read", page
            )
            return


def _open(reader: _Reader, key: str, names: list[str]) -> None:
    """Read a document up to the start of its ``key`` array; raise _Malformed if it can't be."""
    if not reader.take("{"):
        found = reader.peek()
        what = "nothing" if not found else repr(found)
        raise _Malformed(f'expected a JSON object {{"{key}": [...]}}, found {what}')
    while True:
        if reader.take("}"):
            raise _Malformed(f"the document has no {key!r} array")
        name = _member_value(reader)
        if not isinstance(name, str) or not reader.take(":"):
            raise _Malformed(f"malformed JSON at {reader.where()}")
        if name == key:
            break
        _member_value(reader)
        names.append(name)
        if not reader.take(","):
            if reader.take("}"):
                raise _Malformed(f"the document has no {key!r} array")
            raise _Malformed(f"malformed JSON at {reader.where()}")
    if not reader.take("["):
        raise _Malformed(f"{key!r} is not an array (at {reader.where()})")


def _member_value(reader: _Reader) -> object:
    try:
        return reader.value()[0]
    except _Refused as exc:
        raise _Malformed(str(exc)) from None


def _close(reader: _Reader, names: list[str]) -> str | None:
    """Read the members after the array and the document's closing brace; say what is
    wrong if that can't be done."""
    try:
        while reader.take(","):
            name = _member_value(reader)
            if not isinstance(name, str) or not reader.take(":"):
                raise _Malformed(f"malformed JSON at {reader.where()}")
            _member_value(reader)
            names.append(name)
        if not reader.take("}"):
            found = reader.peek()
            problem = "the document ends" if not found else f"found {found!r}"
            raise _Malformed(
                f"malformed JSON at {reader.where()}: expected ',' or '}}' after the array"
                f" but {problem}"
            )
    except _Malformed as exc:
        return f"{exc}; the rest of the input can't be read"
    return None


def _items(reader: _Reader, page: int) -> Generator[Item, None, bool]:
    """The items of one array; return True when the input can't be read past them."""
    index = 0
    if reader.take("]"):
        return False
    while True:
        try:
            obj, bad = reader.value()
        except _Refused as exc:
            yield Item(index, None, f"{exc}; not read", page)
        except _Malformed as exc:
            yield Item(index, None, f"{exc}; the rest of the document can't be read", page)
            return True
        else:
            if bad is not None:
                yield Item(index, None, f"not UTF-8 text at {bad}; save the export as UTF-8", page)
            else:
                yield Item(index, obj, None, page)
        index += 1
        if reader.take(","):
            continue
        if reader.take("]"):
            return False
        found = reader.peek()
        problem = "the document ends" if not found else f"found {found!r}"
        yield Item(
            index,
            None,
            f"malformed JSON at {reader.where()}: expected ',' or ']' after an element"
            f" but {problem}; the rest of the document can't be read",
            page,
        )
        return True
