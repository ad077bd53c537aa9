"""Limits on what one input row may hold, and text that is always valid UTF-8.

Python's JSON parser raises ``RecursionError`` on deep nesting and ``ValueError``
on integers beyond its digit limit, and a lone surrogate (``"\\ud800"`` in JSON)
can't be written as UTF-8. Here nesting is bounded by a scan *before* parsing,
numbers are bounded *while* parsing (:class:`TooBig` says what was too big), and
writers escape or replace surrogates.
"""

from __future__ import annotations

import json
import math
import re

__all__ = [
    "FLAT",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "TooBig",
    "depth_beyond",
    "escape_surrogates",
    "json_decoder",
    "replace_surrogates",
]

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects read in a row; a mailbox record needs 2."""
MAX_DIGITS = 100
"""Most digits of a JSON integer read in a row; no field needs a number near that size."""

FLAT = re.compile(r'(?:[^\[\]{}"]++|"[^"\\]*+(?:\\.[^"\\]*+)*+")*+', re.DOTALL)
"""A run of JSON text holding no bracket outside a string: whole strings are skipped,
and the run stops at a bracket or at a string that isn't closed in the text."""
_SURROGATE = re.compile("[\ud800-\udfff]")


class TooBig(ValueError):
    """A value in the input is beyond what a row may hold; the message says what."""


def depth_beyond(text: str, limit: int = MAX_DEPTH) -> int | None:
    """The offset in ``text`` where nesting first goes deeper than ``limit``, or None.

    Brackets inside strings don't count. The scan is cheap: a line with no more
    opening brackets than ``limit`` is not scanned at all.

    Examples
    --------
    >>> depth_beyond('{"a": [[1]], "b": "[[[["}', 2) is None
    False
    >>> depth_beyond('{"a": [1], "b": "[[[["}', 2) is None
    True
    >>> depth_beyond("[" * 100_000, 64)
    64
    """
    if text.count("[") + text.count("{") <= limit:
        return None
    depth, i, n, flat = 0, 0, len(text), FLAT.match
    while True:
        i = flat(text, i).end()  # type: ignore[union-attr]
        if i >= n or text[i] == '"':
            return None  # the end, or a string that never closes: the parser says so
        if text[i] in "[{":
            depth += 1
            if depth > limit:
                return i
        else:
            depth -= 1
        i += 1


def _integer(digits: str) -> int:
    size = len(digits) - digits.startswith("-")
    if size > MAX_DIGITS:
        raise TooBig(f"a number of {size:,} digits is too big (at most {MAX_DIGITS})")
    return int(digits)


def _real(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        shown = text if len(text) <= 24 else text[:20] + "..."
        raise TooBig(f"the number {shown} is out of range")
    return number


def _constant(name: str) -> float:
    raise TooBig(f"{name} is not a JSON number")


def json_decoder() -> json.JSONDecoder:
    """A JSON decoder that raises :class:`TooBig` for an integer of more than
    :data:`MAX_DIGITS` digits, a number out of range, ``NaN`` and ``Infinity``.

    Examples
    --------
    >>> json_decoder().decode('{"ports": 993}')
    {'ports': 993}
    >>> json_decoder().decode("1" * 5000)
    Traceback (most recent call last):
    ...
    syncscope.batch.bounds.TooBig: a number of 5,000 digits is too big (at most 100)
    >>> json_decoder().decode("[1e400]")
    Traceback (most recent call last):
    ...
    syncscope.batch.bounds.TooBig: the number 1e400 is out of range
    """
    return json.JSONDecoder(parse_int=_integer, parse_float=_real, parse_constant=_constant)


def escape_surrogates(text: str) -> str:
    """JSON text with each lone surrogate written as its ``\\uXXXX`` escape.

    Surrogates only occur inside JSON strings, where the escape stands for the same
    string, so the text stays valid JSON, valid UTF-8 and loses nothing.

    Examples
    --------
    >>> escape_surrogates('{"\\udcff": "a\\ud800"}')
    '{"\\\\udcff": "a\\\\ud800"}'
    """
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def replace_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD (the replacement character).

    Examples
    --------
    >>> replace_surrogates("a\\ud800b") == "a\\ufffdb"
    True
    """
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub("\ufffd", text)
