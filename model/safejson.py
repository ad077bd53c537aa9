"""JSON and TOML from users, parsed within bounds: nesting depth, number size, no NaN.

Python's own parser raises ``RecursionError`` on deep nesting and ``ValueError``
on integers beyond its digit limit; here each of those becomes an
:class:`~syncscope.errors.InputError` that says what was too big and where.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from typing import Any

from .errors import InputError

__all__ = ["MAX_DEPTH", "MAX_DIGITS", "dumps", "loads", "shown", "toml_loads"]

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects accepted; a configuration needs 2."""
MAX_DIGITS = 100
"""Most digits of an integer accepted; no setting needs a number near that size."""

_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_TOML_STRING_OR_BRACKET = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}]'
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def shown(value: object, limit: int = 60) -> str:
    """A short ``repr`` for messages, safe for any value a user can send.

    A huge integer has no ``repr`` beyond Python's digit limit, and a long
    text would drown the message; both are summarised instead.

    Examples
    --------
    >>> shown("gmial"), shown(10**5000), shown("x" * 100)[:12]
    ("'gmial'", 'a number of 5,001 digits', "'xxxxxxxxxxx")
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 3 * limit:
        digits = len(str(abs(value))) if value.bit_length() < 14_000 else None
        if digits is None:
            digits = int(math.log10(2) * value.bit_length()) + 1
        return f"a number of {digits:,} digits"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _depth_at_most(
    text: str, limit: int, tokens: re.Pattern[str] = _STRING_OR_BRACKET
) -> int | None:
    """The offset where nesting first goes deeper than ``limit``, or None."""
    depth = 0
    for match in tokens.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


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


def _integer(label: str) -> Any:
    def parse(digits: str) -> int:
        size = len(digits.lstrip("-"))
        if size > MAX_DIGITS:
            raise InputError(
                f"{label}: a number of {size:,} digits is too big (at most {MAX_DIGITS})",
                file=label,
            )
        return int(digits)

    return parse


def _real(label: str) -> Any:
    def parse(text: str) -> float:
        number = float(text)
        if not math.isfinite(number):
            raise InputError(f"{label}: the number {text[:40]} is out of range", file=label)
        return number

    return parse


def _constant(label: str) -> Any:
    def parse(name: str) -> float:
        raise InputError(f"{label}: {name} is not a JSON number", file=label)

    return parse


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
    too_deep = _depth_at_most(text, max_depth)
    if too_deep is not None:
        line, col = _line_col(text, too_deep)
        raise InputError(
            f"{label}: nested deeper than {max_depth} levels at line {line}, column {col}",
            file=label,
        )
    try:
        return json.loads(
            text,
            object_pairs_hook=_unique_keys(label),
            parse_int=_integer(label),
            parse_float=_real(label),
            parse_constant=_constant(label),
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{label}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            file=label,
        ) from None


def toml_loads(text: str, label: str, *, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """Parse ``text`` as TOML, refusing nesting deeper than ``max_depth`` before parsing.

    Examples
    --------
    >>> toml_loads("ports = 1", "weights.toml")
    {'ports': 1}
    >>> toml_loads("x = " + "[" * 10_000 + "]" * 10_000, "deep.toml")
    Traceback (most recent call last):
    ...
    syncscope.errors.InputError: deep.toml: nested deeper than 64 levels at line 1, column 69
    """
    too_deep = _depth_at_most(text, max_depth, _TOML_STRING_OR_BRACKET)
    if too_deep is not None:
        line, col = _line_col(text, too_deep)
        raise InputError(
            f"{label}: nested deeper than {max_depth} levels at line {line}, column {col}",
            file=label,
        )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{label}: malformed TOML: {exc}", file=label) from None


def dumps(data: object, **options: Any) -> str:
    """``json.dumps`` whose text is always valid UTF-8: lone surrogates become ``\\uXXXX``.

    A lone surrogate (from input decoded with escapes, say) can't be encoded
    as UTF-8; its JSON escape stands for the same string, so nothing is lost.

    Examples
    --------
    >>> dumps({"note": "a\\ud800b"}, ensure_ascii=False)
    '{"note": "a\\\\ud800b"}'
    """
    text = json.dumps(data, **options)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
