"""Every configuration of chosen verdicts, streamed from the diagram in a fixed order.

Configurations come in lexicographic order: variables in model order, values
in declared order. Output is assembled from per-value pieces (a JSON member,
a CSV cell, a one-value tuple) joined along the diagram's paths. Below a node
with few enough paths, the joined suffixes are built once and shared by every
path that reaches the node, so each output row costs about one string
concatenation however many variables the model has.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TypeVar

from syncscope.model import Level, Value, format_value

from ..diagram.space import Space

__all__ = [
    "SUFFIX_BUDGET",
    "configurations",
    "csv_header",
    "csv_lines",
    "jsonl_lines",
    "paths",
    "rows",
]

P = TypeVar("P", str, tuple[int, ...], tuple[Value, ...])

SUFFIX_LIMIT = 4096
"""Nodes with at most this many selected paths below them share their built suffixes."""
SUFFIX_BUDGET = 1 << 18
"""Most suffixes kept at once during one enumeration (bounds memory on large models)."""


def rows(
    space: Space,
    fixed: Mapping[int, int],
    verdicts: Sequence[Level],
    pieces: Sequence[Sequence[P]],
) -> Iterator[list[P]]:
    """Yield blocks of joined rows, one row per selected path, in lexicographic order.

    Parameters
    ----------
    space : Space
        The compiled model.
    fixed : mapping
        Variable index -> value index; other variables range over their domains.
    verdicts : sequence of Level
        Paths ending in one of these verdicts are selected.
    pieces : sequence of sequences
        ``pieces[level][value]``: what that value contributes to a row; rows are
        the concatenation (``+``) of one piece per level, so strings and tuples
        both work.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> pieces = [[(i,) for i in range(n)] for n in space.tables.sizes]
    >>> fixed = space.encode({"email_system": "gmail", "deployment": "online"})
    >>> first = next(rows(space, fixed, [Level.SUPPORTED], pieces))[0]
    >>> space.tables.decode(first)["incoming_protocol"]
    'pop3'
    """
    diagram = space.diagram
    below = diagram.restricted_below(fixed)
    mask = diagram.lane_mask(verdicts)
    lane_bits = diagram.lane_bits
    lane = (1 << lane_bits) - 1
    children = diagram.children
    depth = len(diagram.levels)
    if not below[diagram.root] & mask:
        return

    def selected(packed: int) -> int:
        packed &= mask
        total = 0
        while packed:
            total += packed & lane
            packed >>= lane_bits
        return total

    # Live edges per node: (value, child) pairs that lead to a selected path.
    edges: dict[int, list[tuple[int, int]]] = {}

    def live(node: int, level: int) -> list[tuple[int, int]]:
        found = edges.get(node)
        if found is None:
            kids = children[node]
            pinned = fixed.get(level)
            values = range(len(kids)) if pinned is None else (pinned,)
            found = edges[node] = [(v, kids[v]) for v in values if below[kids[v]] & mask]
        return found

    memo: dict[int, list[P]] = {}
    kept = 0

    def suffixes(node: int, level: int) -> list[P]:
        nonlocal kept
        hit = memo.get(node)
        if hit is not None:
            return hit
        here = pieces[level]
        if level + 1 == depth:
            out = [here[v] for v, _ in live(node, level)]
        else:
            out = []
            for v, child in live(node, level):
                piece = here[v]
                out.extend([piece + s for s in suffixes(child, level + 1)])
        if kept + len(out) <= SUFFIX_BUDGET:
            memo[node] = out
            kept += len(out)
        return out

    def walk(node: int, level: int, prefix: P | None) -> Iterator[list[P]]:
        if level + 1 == depth or selected(below[node]) <= SUFFIX_LIMIT:
            block = suffixes(node, level)
            yield block if prefix is None else [prefix + s for s in block]
            return
        here = pieces[level]
        for v, child in live(node, level):
            piece = here[v]
            yield from walk(child, level + 1, piece if prefix is None else prefix + piece)

    limit = sys.getrecursionlimit()
    if depth + 100 > limit:
        sys.setrecursionlimit(depth + 200)
    try:
        yield from walk(diagram.root, 0, None)
    finally:
        if depth + 100 > limit:
            sys.setrecursionlimit(limit)


def paths(
    space: Space, fixed: Mapping[int, int], verdicts: Sequence[Level]
) -> Iterator[tuple[int, ...]]:
    """Every selected path as a tuple of value indices, in lexicographic order."""
    pieces = [[(i,) for i in range(n)] for n in space.tables.sizes]
    for block in rows(space, fixed, verdicts, pieces):
        yield from block


def configurations(
    space: Space, fixed: Mapping[int, int], verdicts: Sequence[Level]
) -> Iterator[dict[str, Value]]:
    """Every selected configuration as a canonical dict in model order.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> found = configurations(space, space.encode({"email_system": "gmail"}), [Level.SUPPORTED])
    >>> sum(1 for _ in found)
    1536
    """
    names = space.tables.names
    pieces = [[(value,) for value in domain] for domain in space.tables.domains]
    for block in rows(space, fixed, verdicts, pieces):
        for values in block:
            yield dict(zip(names, values, strict=True))


def _text_rows(
    space: Space,
    fixed: Mapping[int, int],
    verdicts: Sequence[Level],
    cell: Callable[[int, Value], str],
) -> Iterator[str]:
    domains = space.tables.domains
    last = len(domains) - 1
    pieces = [
        [cell(level, value) + ("\n" if level == last else "") for value in domain]
        for level, domain in enumerate(domains)
    ]
    for block in rows(space, fixed, verdicts, pieces):
        yield "".join(block)


def jsonl_lines(space: Space, fixed: Mapping[int, int], verdicts: Sequence[Level]) -> Iterator[str]:
    """Chunks of JSON Lines, one compact object per configuration, keys in model order.

    Each line equals ``json.dumps(config, separators=(",", ":"), ensure_ascii=False)``.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> fixed = space.encode({"email_system": "gmail", "deployment": "online"})
    >>> text = "".join(jsonl_lines(space, fixed, [Level.SUPPORTED]))
    >>> text.splitlines()[0][:60]
    '{"deployment":"online","version":"8.0","email_system":"gmail'
    """
    names = space.tables.names

    def cell(level: int, value: Value) -> str:
        member = json.dumps(names[level], ensure_ascii=False) + ":"
        member += json.dumps(value, ensure_ascii=False)
        member = "{" + member if level == 0 else "," + member
        return member + ("}" if level == len(names) - 1 else "")

    return _text_rows(space, fixed, verdicts, cell)


def _csv_cell(text: str) -> str:
    if any(c in text for c in ',"\r\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_header(space: Space) -> str:
    """The CSV header line: the variable names in model order."""
    return ",".join(_csv_cell(n) for n in space.tables.names) + "\n"


def csv_lines(space: Space, fixed: Mapping[int, int], verdicts: Sequence[Level]) -> Iterator[str]:
    """Chunks of CSV rows (no header), booleans as ``true``/``false``, in model order.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> fixed = space.encode({"email_system": "gmail", "deployment": "online"})
    >>> "".join(csv_lines(space, fixed, [Level.SUPPORTED])).splitlines()[0][:48]
    'online,8.0,gmail,pop3,smtp,false,user-or-queue-c'
    """

    def cell(level: int, value: Value) -> str:
        return ("," if level else "") + _csv_cell(format_value(value))

    return _text_rows(space, fixed, verdicts, cell)
