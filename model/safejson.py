"""User input read within bounds: JSON and TOML nesting, number size, no NaN; UTF-8-safe text.

Python's own parsers raise ``RecursionError`` on deep nesting and ``ValueError``
on integers beyond its digit limit, and a lone surrogate (``"\\ud800"`` in JSON)
can't be written as UTF-8. Here nesting is bounded by a scan *before* parsing,
numbers are bounded *while* parsing (:class:`TooBig` says what was too big), and
writers escape or replace surrogates. The command line, the rule-set loader, the
weights reader and the inventory readers all read through this module.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import InputError

__all__ = [
    "FLAT",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "TooBig",
    "depth_beyond",
    "dumps",
    "escape_surrogates",
    "json_decoder",
    "loads",
    "replace_surrogates",
    "shown",
    "toml_loads",
]

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects accepted; a configuration or a mailbox record needs 2."""
MAX_DIGITS = 100
"""Most digits of an integer accepted; no setting needs a number near that size."""

FLAT = re.compile(r'(?:[^\[\]{}"]++|"[^"\\]*+(?:\\.[^"\\]*+)*+")*+', re.DOTALL)
"""A run of JSON text holding no bracket outside a string: whole strings are skipped,
and the run stops at a bracket or at a string that isn't closed in the text."""
_TOML_TOKENS = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}]'
)
"""TOML strings and comments, which may hold brackets, and the brackets themselves."""
_SURROGATE = re.compile("[\ud800-\udfff]")


class TooBig(ValueError):
    """A value in the input is beyond what syncscope reads; the message says what."""


def shown(value: object, limit: int = 60) -> str:
    """A short ``repr`` for messages, safe for any value a user can send.

    A huge integer has no ``repr`` beyond Python's digit limit, and a long
    text would drown the message; both are summarised instead.

    Examples
    --------
    >>> shown("gmial"), shown(10**5000), shown("x" * 100)[:12]
    ("'gmial'", 'a number of 5,001 digits', "'xxxxxxxxxxx")
    >>> shown([10**5000])
    'a list holding a number too long to show'
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 3 * limit:
        if value.bit_length() < 14_000:
            digits = len(str(abs(value)))
        else:
            digits = int(math.log10(2) * value.bit_length()) + 1
        return f"a number of {digits:,} digits"
    try:
        text = repr(value)
    except ValueError:  # a huge integer somewhere inside a list or a mapping
        return f"a {type(value).__name__} holding a number too long to show"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def depth_beyond(text: str, limit: int = MAX_DEPTH) -> int | None:
    """The offset in JSON ``text`` where nesting first goes deeper than ``limit``, or None.

    Brackets inside strings don't count. The scan is cheap: a text with no more
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
        brief = text if len(text) <= 24 else text[:20] + "..."
        raise TooBig(f"the number {brief} is out of range")
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
    syncscope.model.safejson.TooBig: a number of 5,000 digits is too big (at most 100)
    >>> json_decoder().decode("[1e400]")
    Traceback (most recent call last):
    ...
    syncscope.model.safejson.TooBig: the number 1e400 is out of range
    """
    return json.JSONDecoder(parse_int=_integer, parse_float=_real, parse_constant=_constant)


def _unique_keys(label: str) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                message = f"{label}: the key {key!r} appears twice in one object"
                raise InputError(message, file=label)
            seen[key] = value
        return seen

    return hook


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _too_deep(label: str, text: str, offset: int, limit: int) -> InputError:
    line, col = _line_col(text, offset)
    return InputError(
        f"{label}: nested deeper than {limit} levels at line {line}, column {col}", file=label
    )


def loads(text: str, label: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``text`` as JSON, refusing what no sensible input holds.

    Refused, each with an :class:`InputError` naming ``label`` (a file name
    or ``<stdin>``): nesting deeper than ``max_depth``, an integer of more
    than :data:`MAX_DIGITS` digits, a float out of range, ``NaN`` and
    ``Infinity``, a key given twice in one object, and malformed JSON (with
    its line and column).

    Examples
    --------
    >>> loads('{"ports": 993}', "mine.json")
    {'ports': 993}
    >>> loads("[" * 100 + "]" * 100, "deep.json")
    Traceback (most recent call last):
    ...
    syncscope.errors.InputError: deep.json: nested deeper than 64 levels at line 1, column 65
    >>> loads("1" * 5000, "big.json")
    Traceback (most recent call last):
    ...
    syncscope.errors.InputError: big.json: a number of 5,000 digits is too big (at most 100)
    """
    offset = depth_beyond(text, max_depth)
    if offset is not None:
        raise _too_deep(label, text, offset, max_depth)
    try:
        return json.loads(
            text,
            object_pairs_hook=_unique_keys(label),
            parse_int=_integer,
            parse_float=_real,
            parse_constant=_constant,
        )
    except TooBig as exc:
        raise InputError(f"{label}: {exc}", file=label) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{label}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            file=label,
        ) from None


def _deep_key(data: Mapping[str, Any], limit: int) -> str | None:
    """The dotted key under which parsed data nests deeper than ``limit``, or None.

    Dotted keys (``a.b.c = 1``) nest tables without a bracket, so the bracket
    scan can't see them; this walk, with an explicit stack, does.
    """
    stack: list[tuple[Mapping[str, Any] | list[Any], int, str]] = [(data, 0, "")]
    while stack:
        item, depth, where = stack.pop()
        if depth > limit:
            return where[:80]
        children: Iterable[tuple[object, object]]
        children = item.items() if isinstance(item, Mapping) else enumerate(item)
        for key, value in children:
            if isinstance(value, (Mapping, list)):
                name = where if isinstance(key, int) else (f"{where}.{key}" if where else key)
                stack.append((value, depth + 1, str(name)))
    return None


def toml_loads(text: str, label: str, *, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """Parse ``text`` as TOML, refusing nesting deeper than ``max_depth``.

    Brackets are counted before parsing (the parser recurses on them); dotted
    keys nest tables without brackets, so the parsed data is walked too.

    Examples
    --------
    >>> toml_loads("ports = 1", "weights.toml")
    {'ports': 1}
    >>> toml_loads("x = " + "[" * 10_000 + "]" * 10_000, "deep.toml")
    Traceback (most recent call last):
    ...
    syncscope.errors.InputError: deep.toml: nested deeper than 64 levels at line 1, column 69
    >>> toml_loads("a." * 100 + "b = 1", "dotted.toml")
    Traceback (most recent call last):
    ...
    syncscope.errors.InputError: dotted.toml: tables nested deeper than 64 levels under 'a.a.a...
    """
    depth = 0
    for match in _TOML_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                raise _too_deep(label, text, match.start(), max_depth)
        elif token in "]}":
            depth -= 1
    import tomllib  # only rule files need it, and the built-in one is read precompiled

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{label}: malformed TOML: {exc}", file=label) from None
    where = _deep_key(data, max_depth)
    if where is not None:
        raise InputError(
            f"{label}: tables nested deeper than {max_depth} levels under {where!r}", file=label
        )
    return data


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


def dumps(data: object, **options: Any) -> str:
    """``json.dumps`` whose text is always valid UTF-8: lone surrogates become ``\\uXXXX``.

    Examples
    --------
    >>> dumps({"note": "a\\ud800b"}, ensure_ascii=False)
    '{"note": "a\\\\ud800b"}'
    """
    return escape_surrogates(json.dumps(data, **options))
