"""``nearest``: the cheapest changes that make a configuration valid, exactly, on the diagram.

Every path of the compiled diagram is a full configuration. Give each edge the
cost of its change when it leaves the value the user gave (a cost that may
depend on both values, see :class:`~syncscope.solver.repair.weights.Weights`;
nothing when the user left the variable open; no way through when the value is
not allowed, as for a kept variable), and the nearest valid configurations are
the cheapest root-to-terminal paths that end at ``supported`` or
``discouraged``. One bottom-up pass finds the cheapest cost below every node;
the edges that keep to it form the *tight* sub-diagram, whose paths are
exactly the minimum-cost configurations. A depth-first walk of it with an
explicit stack lists the distinct *fixes*: the distinct choices of values for
the variables the user gave (completions of open variables are one fix),
pruning a node reached again with the same choices so far.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from syncscope.model import ConfigurationError, Level, Value, resolve_variable
from syncscope.model.costs import SCOPES, costs_for

from ..diagram.space import Space
from ..explain.conflicts import Conflict, conflict_of, shrink
from ..results import Change, json_number
from .weights import Weights

__all__ = ["FIX_LIMIT", "Candidate", "NearestResult", "nearest"]

_INF = math.inf
FIX_LIMIT = 4096
"""The most distinct fixes looked at per question (they are all equally cheap; beyond
this many the order among the rest is not promised)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One valid configuration at the minimum cost: one distinct fix."""

    configuration: Mapping[str, Value]
    """The full configuration, in canonical values and model order."""
    changes: tuple[Change, ...]
    """Settings the user gave that it changes, in model order (filling a gap is no change)."""
    cost: float
    """The sum of the costs of ``changes`` (summed exactly, then shown as a float)."""
    verdict: Level
    """A valid verdict: the best that some completion of the fix reaches."""
    advice: tuple[str, ...] = ()
    """The fix in words, for the changes of policies (e.g. "connect with a service account
    that has no multi-factor authentication"), in the order of ``changes``."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"configuration", "changes", "cost", "verdict", "advice"}``."""
        return {
            "configuration": dict(self.configuration),
            "changes": [c.to_dict() for c in self.changes],
            "cost": json_number(self.cost),
            "verdict": self.verdict.id,
            "advice": list(self.advice),
        }


@dataclass(frozen=True, slots=True)
class NearestResult:
    """The minimum cost of making a configuration valid, and the distinct fixes that reach it."""

    cost: float | None
    """The minimum cost; None when the kept settings rule out every valid configuration."""
    candidates: tuple[Candidate, ...]
    """The distinct minimum-cost fixes, best first, up to ``top``."""
    more: bool
    """Whether more distinct minimum-cost fixes exist than ``candidates`` holds."""
    conflict: Conflict | None = None
    """When nothing is reachable: the kept settings that clash, and the rules to blame."""

    @property
    def reachable(self) -> bool:
        """Whether some valid configuration respects the kept settings."""
        return self.cost is not None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"cost", "candidates", "more"}`` (and ``"conflict"``)."""
        out: dict[str, object] = {
            "cost": None if self.cost is None else json_number(self.cost),
            "candidates": [c.to_dict() for c in self.candidates],
            "more": self.more,
        }
        if self.conflict is not None:
            out["conflict"] = self.conflict.to_dict()
        return out


def nearest(
    space: Space,
    config: Mapping[str, Value],
    *,
    keep: Iterable[str] = (),
    weights: Weights | Mapping[str, object] | None = None,
    top: int = 5,
    allowed: Sequence[frozenset[int] | None] | None = None,
) -> NearestResult:
    """The distinct minimum-cost fixes that make a canonical configuration valid.

    Parameters
    ----------
    space : Space
        The compiled model.
    config : mapping
        Canonical variable -> value; missing variables are free to fill.
    keep : iterable of str
        Variables held at their given values.
    weights : Weights or mapping, optional
        Change costs, or overrides of the rule set's (see :meth:`Weights.of`).
        Costs are summed exactly (``0.1 + 0.2`` ties with ``0.3``).
    top : int
        The most fixes to return.
    allowed : sequence, optional
        Per variable in model order, the value indices a candidate may take
        (None: any); the kept variables are narrowed to their given value on top.

    Returns
    -------
    NearestResult
        The minimum cost and up to ``top`` distinct fixes (distinct sets of
        changes to the given variables), ordered: supported before
        discouraged, then fewer changes to organisation-wide settings, then
        to email server profiles, then fewer changes, then by the changes'
        text. Value order never decides.

    Raises
    ------
    ConfigurationError
        For a kept variable that is unknown or not given, a bad weight, or ``top < 1``.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> config = {"deployment": "online", "email_system": "gmail",
    ...           "authentication": "impersonation"}
    >>> result = nearest(space, config, weights={"authentication": 1})
    >>> result.cost, [str(c) for c in result.candidates[0].changes]
    (1.0, ['authentication: impersonation -> user-or-queue-credentials'])
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ConfigurationError(f"top must be a positive whole number, got {top!r}", value=top)
    tables = space.tables
    given = tables.encode(config)
    locked = _locked(space, config, keep)
    w = Weights.of(space, weights)
    n = len(tables.names)
    if allowed is not None and len(allowed) != n:
        raise ValueError(f"allowed needs one entry per variable ({n}), got {len(allowed)}")
    narrowed: list[frozenset[int] | None] = list(allowed) if allowed is not None else [None] * n
    for v in locked:
        was = narrowed[v]
        narrowed[v] = frozenset([given[v]]) & was if was is not None else frozenset([given[v]])
    rows: list[Sequence[int] | None] = [
        w.units[v][given[v]] if v in given else None for v in range(n)
    ]
    choices = [
        tuple(range(tables.sizes[v])) if a is None else tuple(sorted(a))
        for v, a in enumerate(narrowed)
    ]
    diagram = space.diagram
    cost = _costs(diagram.children, diagram.levels, rows, choices)
    root = diagram.root
    if cost[root] == _INF:
        conflict = None
        if locked:
            fixed = {v: given[v] for v in sorted(locked)}
            conflict = conflict_of(space, shrink(space, fixed))
        return NearestResult(None, (), False, conflict)
    tight = _tight(diagram.children, diagram.levels, rows, choices, cost, root)
    fixes = _distinct(tight, root, given)
    ranked = sorted(
        (_candidate(space, path, verdict, given, w) for path, verdict in fixes), key=_rank(space)
    )
    return NearestResult(w.real(int(cost[root])), tuple(ranked[:top]), len(ranked) > top)


def _locked(space: Space, config: Mapping[str, Value], keep: Iterable[str]) -> set[int]:
    index_of = space.tables.index_of
    out = set()
    for name in (keep,) if isinstance(keep, str) else keep:
        if name not in index_of:
            var = resolve_variable(space.model, name)  # raises with did-you-mean
            name = var.name
        if name not in config:
            raise ConfigurationError(
                f"cannot keep {name}: the configuration does not set it", variable=name
            )
        out.add(index_of[name])
    return out


def _costs(
    children: Sequence[Sequence[int]],
    levels: Sequence[range],
    rows: Sequence[Sequence[int] | None],
    choices: Sequence[Sequence[int]],
) -> list[float]:
    """Cheapest scaled cost from every node to a valid terminal (inf when none)."""
    cost: list[float] = [_INF] * len(children)
    for terminal in Level.valid_levels():
        cost[terminal] = 0
    for level in range(len(levels) - 1, -1, -1):
        row, values = rows[level], choices[level]
        for node in levels[level]:
            kids = children[node]
            if row is None:
                cost[node] = min(cost[kids[v]] for v in values)
            else:
                cost[node] = min(cost[kids[v]] + row[v] for v in values)
    return cost


Edge = tuple[int, int]
"""(value index, child) of a tight edge."""


def _tight(
    children: Sequence[Sequence[int]],
    levels: Sequence[range],
    rows: Sequence[Sequence[int] | None],
    choices: Sequence[Sequence[int]],
    cost: Sequence[float],
    root: int,
) -> dict[int, list[Edge]]:
    """The edges on some cheapest path, for every node reachable from the root through them."""
    tight: dict[int, list[Edge]] = {}
    frontier = [root]
    for level in range(len(levels)):
        row, values = rows[level], choices[level]
        nxt: dict[int, None] = {}
        for node in frontier:
            kids = children[node]
            here = cost[node]
            edges = [
                (v, kids[v])
                for v in values
                if cost[kids[v]] + (0 if row is None else row[v]) == here
            ]
            tight[node] = edges
            nxt.update(dict.fromkeys(kid for _, kid in edges))
        frontier = list(nxt)
    return tight


def _distinct(
    tight: Mapping[int, list[Edge]], root: int, given: Mapping[int, int]
) -> list[tuple[tuple[int, ...], Level]]:
    """One tight path per distinct choice of the given variables' values, with its verdict.

    The path of a fix ends at the best verdict any tight path with the same
    choices reaches. A node reached again with the same choices so far has
    nothing new below it, so the walk stays within (nodes x fixes).
    """
    best: dict[int, int] = {int(level): int(level) for level in Level.valid_levels()}
    for node in sorted(tight, reverse=True):  # children have larger ids than parents
        best[node] = min(best[kid] for _, kid in tight[node])
    found: dict[tuple[int, ...], tuple[int, ...]] = {}
    visited: set[tuple[int, tuple[int, ...]]] = set()
    # Each frame: (node, depth, key so far, path so far).
    stack: list[tuple[int, int, tuple[int, ...], tuple[int, ...]]] = [(root, 0, (), ())]
    while stack and len(found) < FIX_LIMIT:
        node, depth, key, path = stack.pop()
        if node not in tight:
            found.setdefault(key, path)
            continue
        if (node, key) in visited:
            continue
        visited.add((node, key))
        for value, kid in reversed(tight[node]):  # pushed in reverse: popped in value order
            here = (*key, value) if depth in given else key
            stack.append((kid, depth + 1, here, (*path, value)))
    out = []
    for key, path in found.items():
        end = _end(tight, root, path)
        for level in range(best[root], end):  # a better verdict with the same fix?
            better = _path_to(tight, best, root, given, key, level)
            if better is not None:
                path, end = better, level
                break
        out.append((path, Level(end)))
    return out


def _end(tight: Mapping[int, list[Edge]], root: int, path: Sequence[int]) -> int:
    node = root
    for value in path:
        node = next(kid for v, kid in tight[node] if v == value)
    return node


def _path_to(
    tight: Mapping[int, list[Edge]],
    best: Mapping[int, int],
    root: int,
    given: Mapping[int, int],
    key: Sequence[int],
    level: int,
) -> tuple[int, ...] | None:
    """A tight path with the given variables' values ``key`` that ends at ``level``, if any."""
    want = dict(zip(sorted(given), key, strict=True))
    dead: set[int] = set()
    stack: list[tuple[int, int, tuple[int, ...]]] = [(root, 0, ())]
    while stack:
        node, depth, path = stack.pop()
        if node not in tight:
            if node == level:
                return path
            continue
        if node in dead or best[node] > level:
            continue
        dead.add(node)  # from here on the key is the same, so one visit decides it
        for value, kid in reversed(tight[node]):
            if want.get(depth, value) == value:
                stack.append((kid, depth + 1, (*path, value)))
    return None


def _rank(space: Space) -> Callable[[Candidate], tuple[Any, ...]]:
    table = costs_for(space.model)
    model = space.model
    width = {scope: i for i, scope in enumerate(SCOPES)}

    def key(c: Candidate) -> tuple[Any, ...]:
        scopes = [width[table.scope(ch.variable)] for ch in c.changes]
        text = tuple(
            (
                model.names.index(ch.variable),
                model.variable(ch.variable).label_of(ch.after).casefold(),
            )
            for ch in c.changes
        )
        return (c.verdict, scopes.count(0), scopes.count(1), len(c.changes), text)

    return key


def _candidate(
    space: Space, path: tuple[int, ...], verdict: Level, given: Mapping[int, int], w: Weights
) -> Candidate:
    tables = space.tables
    names, domains = tables.names, tables.domains
    table = costs_for(space.model)
    changes = tuple(
        Change(names[v], domains[v][i], domains[v][path[v]])
        for v, i in sorted(given.items())
        if path[v] != i
    )
    changed = sum(w.units[v][i][path[v]] for v, i in given.items())
    advice = tuple(text for c in changes if (text := table.advice(c.variable, c.after)) is not None)
    return Candidate(
        configuration=MappingProxyType(tables.decode(path)),
        changes=changes,
        cost=w.real(changed),
        verdict=verdict,
        advice=advice,
    )
