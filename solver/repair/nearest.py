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
pruning a node reached again with the same choices so far, and notes the best
verdict each fix reaches. The fixes are ranked by keys built from per-space
tables; only the ``top`` ranked ones become :class:`Candidate` objects. That is
the answer to one fix (``top=1``, as ``check`` asks); for more, :mod:`.kbest`
finds the ``top`` best distinct fixes across costs, cheapest first, so fixes
past the minimum cost fill the list when fewer reach it.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import add, getitem
from types import MappingProxyType

from syncscope.model import ConfigurationError, Level, Value, resolve_variable

from ..diagram.space import Space, per_space
from ..explain.conflicts import Conflict, conflict_of, has_valid_completion, shrink
from ..results import Change, json_number
from .kbest import best_fixes
from .kbest import layers as layers_of
from .ranking import Known, ranked_tables, ranking, terms
from .weights import Weights

__all__ = ["FIX_LIMIT", "Candidate", "NearestResult", "nearest"]

_INF = math.inf
FIX_LIMIT = 4096
"""The most distinct fixes looked at per question (they are all equally cheap; beyond
this many the order among the rest is not promised)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One valid configuration: one distinct fix, with its own cost."""

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
    """The minimum cost of making a configuration valid, and the cheapest distinct fixes."""

    cost: float | None
    """The minimum cost; None when the kept settings rule out every valid configuration."""
    candidates: tuple[Candidate, ...]
    """The cheapest distinct fixes, best first, up to ``top``: those at the minimum cost,
    then (when fewer than ``top`` reach it) the dearer ones, each with its ``cost``. An
    input supported as given gets only the fixes at cost 0."""
    more: bool
    """Whether more distinct minimum-cost fixes exist than ``candidates`` holds."""
    conflict: Conflict | None = None
    """When nothing is reachable: the kept settings that clash, and the rules to blame."""

    @property
    def reachable(self) -> bool:
        """Whether some valid configuration respects the kept settings."""
        return self.cost is not None

    @property
    def cheapest(self) -> tuple[Candidate, ...]:
        """The candidates at the minimum cost (the first ones)."""
        return tuple(c for c in self.candidates if c.cost == self.cost)

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
    """The ``top`` cheapest distinct fixes that make a canonical configuration valid.

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
        changes to the given variables), ordered by cost, then: supported
        before discouraged, then fewer changes to organisation-wide settings,
        then to email server profiles, then fewer changes, then by the
        changes' text (only labels that read alike fall back to value order).
        ``more`` says whether further fixes at the minimum cost exist.

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
    every = _every_value(space)
    choices = [every[v] if a is None else tuple(sorted(a)) for v, a in enumerate(narrowed)]
    diagram = space.diagram
    if not all(choices):  # some variable may take no value at all
        return NearestResult(None, (), False)
    if top > 1:  # across costs: the k best distinct fixes
        return _across(space, w, choices, given, locked, top)
    rows: list[Sequence[int] | None] = [
        w.units[v][given[v]] if v in given else None for v in range(n)
    ]
    cost = _costs(space, rows, choices)
    root = diagram.root
    if cost[root] == _INF:
        return _unreachable(space, given, locked)
    tight = _tight(diagram.children, diagram.levels, rows, choices, cost, root)
    known = ranked_tables(space)
    pairs = sorted(given.items())
    least = w.real(int(cost[root]))  # what every tight path costs
    if len(given) == len(diagram.levels):  # every path is its own fix
        count = _paths_below(tight)[root]
        if count <= FIX_LIMIT:
            paths = _cheapest_paths(space, tight, root, pairs, top if count > top else count)
            return NearestResult(
                least,
                tuple(_candidate(space, known, p[:-1], Level(p[-1]), pairs, least) for p in paths),
                count > top,
            )
    fixes, best = _distinct(tight, root, given, len(diagram.levels))
    table = ranking(space)
    row = terms(pairs, table.moved_rank, table.kept_rank)
    ranks = [sum(map(tuple.__getitem__, row, fix.key), table.verdict[fix.verdict]) for fix in fixes]
    order = sorted(range(len(fixes)), key=lambda i: (ranks[i], fixes[i].key))
    picked = []
    for i in order[:top]:
        fix = fixes[i]
        path = fix.path
        if fix.end != fix.verdict:  # the first path ends worse: take one that reaches the verdict
            best = best if best is not None else _best(tight)
            better = _path_to(tight, best, root, given, fix.key, fix.verdict)
            assert better is not None
            path = better
        picked.append(_candidate(space, known, path, Level(fix.verdict), pairs, least))
    return NearestResult(least, tuple(picked), len(fixes) > top)


@per_space
def _every_value(space: Space) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(range(size)) for size in space.tables.sizes)


def _unreachable(space: Space, given: Mapping[int, int], locked: set[int]) -> NearestResult:
    conflict = None
    fixed = {v: given[v] for v in sorted(locked)}
    if fixed and not has_valid_completion(space, fixed):  # else ``allowed`` rules it out
        conflict = conflict_of(space, shrink(space, fixed))
    return NearestResult(None, (), False, conflict)


def _across(
    space: Space,
    w: Weights,
    choices: Sequence[Sequence[int]],
    given: Mapping[int, int],
    locked: set[int],
    top: int,
) -> NearestResult:
    """The ``top`` best distinct fixes at any cost (one more is looked for, for ``more``)."""
    fixes = best_fixes(space, w, choices, given, top + 1)  # one more, for ``more``
    found = list(islice(fixes, top))
    if not found:
        return _unreachable(space, given, locked)
    known = ranked_tables(space)
    pairs = sorted(given.items())
    least = found[0].units
    more = False
    if len(found) == top and found[-1].units == least:  # all at the minimum: one more?
        after = next(fixes, None)
        more = after is not None and after.units == least
    if found[0].verdict == Level.SUPPORTED and found[0].key == tuple(g for _, g in pairs):
        found = [f for f in found if f.units == least]  # supported as given: nothing to fix
    picked = []
    for fix in found[:top]:
        picked.append(
            _candidate(space, known, fix.path, Level(fix.verdict), pairs, w.real(fix.units))
        )
    return NearestResult(w.real(least), tuple(picked), more)


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
    space: Space,
    rows: Sequence[Sequence[int] | None],
    choices: Sequence[Sequence[int]],
) -> list[float]:
    """Cheapest scaled cost from every node to a valid terminal (inf when none)."""
    diagram = space.diagram
    children, levels, layers = diagram.children, diagram.levels, layers_of(space)
    cost: list[float] = [_INF] * len(children)
    for terminal in Level.valid_levels():
        cost[terminal] = 0
    at = cost.__getitem__
    for level in range(len(levels) - 1, -1, -1):
        row, values = rows[level], choices[level]
        nodes = levels[level]
        span = slice(nodes[0], nodes[-1] + 1)  # a depth's ids are consecutive
        layer = layers[level]
        if len(values) == len(layer[0][0]) and (row is None or min(row) == 0):
            # Every value allowed and staying free: a node with one child costs what it costs.
            if row is None:
                cost[span] = [at(one) if one >= 0 else min(map(at, kids)) for kids, one in layer]
            else:
                cost[span] = [
                    at(one) if one >= 0 else min(map(add, map(at, kids), row))
                    for kids, one in layer
                ]
        elif row is None:
            cost[span] = [min(cost[k[v]] for v in values) for k in children[span]]
        else:
            cost[span] = [min(cost[k[v]] + row[v] for v in values) for k in children[span]]
    return cost


Edge = tuple[int, int]
"""(value index, child) of a tight edge."""
Tight = dict[int, list[Edge]]
"""Node -> its tight edges, filled depth by depth (so children come after their parents)."""


def _tight(
    children: Sequence[Sequence[int]],
    levels: Sequence[range],
    rows: Sequence[Sequence[int] | None],
    choices: Sequence[Sequence[int]],
    cost: Sequence[float],
    root: int,
) -> Tight:
    """The edges on some cheapest path, for every node reachable from the root through them."""
    tight: Tight = {}
    frontier = [root]
    for level in range(len(levels)):
        row, values = rows[level], choices[level]
        nxt: dict[int, None] = {}
        for node in frontier:
            kids = children[node]
            here = cost[node]
            if row is None:
                edges = [(v, kids[v]) for v in values if cost[kids[v]] == here]
            else:
                edges = [(v, kids[v]) for v in values if cost[kids[v]] + row[v] == here]
            tight[node] = edges
            for _, kid in edges:
                nxt[kid] = None
        frontier = list(nxt)
    return tight


@dataclass(frozen=True, slots=True)
class _Fix:
    """One distinct fix found by the walk."""

    key: tuple[int, ...]
    """The given variables' values, in model order."""
    path: tuple[int, ...]
    """The first tight path with them (the least in value order)."""
    end: int
    """The terminal ``path`` ends at."""
    verdict: int
    """The best terminal any tight path with ``key`` ends at."""


def _distinct(
    tight: Tight, root: int, given: Mapping[int, int], depths: int
) -> tuple[list[_Fix], dict[int, int] | None]:
    """The distinct choices of the given variables' values on tight paths, in walk order.

    Each comes with its first path and the best verdict any tight path with the
    same choices reaches. A node reached again with the same choices so far has
    nothing new below it, so the walk stays within (nodes x fixes). Also returns
    the best terminal below every tight node when it was needed (see :func:`_best`).
    """
    found, complete = _walk(tight, root, given, depths)
    if complete:
        return [_Fix(key, path, end, least) for key, (path, end, least) in found.items()], None
    best = _best(tight)
    out = []
    for key, (path, end, _) in found.items():
        verdict = end
        for level in range(best[root], end):  # a better verdict with the same fix?
            if _path_to(tight, best, root, given, key, level) is not None:
                verdict = level
                break
        out.append(_Fix(key, path, end, verdict))
    return out, best


def _best(tight: Tight) -> dict[int, int]:
    """The best terminal a tight path reaches from every tight node (and every valid terminal)."""
    best: dict[int, int] = {int(level): int(level) for level in Level.valid_levels()}
    for node in reversed(tight):  # filled depth by depth: children come after parents
        best[node] = min(best[kid] for _, kid in tight[node])
    return best


Found = dict[tuple[int, ...], tuple[tuple[int, ...], int, int]]
"""Fix (the given variables' values) -> (its first path, that path's terminal, the best
terminal any path with the fix reaches)."""


def _walk(tight: Tight, root: int, given: Mapping[int, int], depths: int) -> tuple[Found, bool]:
    """Every tight path in value order, up to ``FIX_LIMIT`` fixes; and whether it got to the end.

    When every variable is given, a path is its own fix and no prefix is met twice.
    """
    found: Found = {}
    if len(given) == depths:
        stack: list[tuple[int, tuple[int, ...]]] = [(root, ())]
        while stack and len(found) < FIX_LIMIT:
            node, path = stack.pop()
            edges = tight.get(node)
            if edges is None:
                found[path] = (path, node, node)
                continue
            for value, kid in reversed(edges):  # pushed in reverse: popped in value order
                stack.append((kid, (*path, value)))
        return found, not stack
    visited: set[tuple[int, tuple[int, ...]]] = set()
    # Each frame: (node, depth, key so far, path so far).
    frames: list[tuple[int, int, tuple[int, ...], tuple[int, ...]]] = [(root, 0, (), ())]
    while frames and len(found) < FIX_LIMIT:
        node, depth, key, path = frames.pop()
        edges = tight.get(node)
        if edges is None:
            seen = found.get(key)
            if seen is None:
                found[key] = (path, node, node)
            elif node < seen[2]:
                found[key] = (seen[0], seen[1], node)
            continue
        if (node, key) in visited:
            continue
        visited.add((node, key))
        for value, kid in reversed(edges):
            here = (*key, value) if depth in given else key
            frames.append((kid, depth + 1, here, (*path, value)))
    return found, not frames


def _paths_below(tight: Tight) -> dict[int, int]:
    """How many tight paths lead from every tight node to a terminal."""
    count: dict[int, int] = {}
    get = count.get
    for node in reversed(tight):  # filled depth by depth: children come after parents
        count[node] = sum(get(kid, 1) for _, kid in tight[node])
    return count


def _cheapest_paths(
    space: Space, tight: Tight, root: int, pairs: Sequence[tuple[int, int]], k: int
) -> list[tuple[int, ...]]:
    """The ``k`` first tight paths of a fully given configuration in the ranking's order.

    Every path is its own fix and ends at its verdict, and the ranking (with the walk's
    value order after it) is a sum over the depths of :func:`.ranking.ranking` terms, so the
    ``k`` best suffixes below every node, kept from the bottom up, give the answer.
    Each path ends with its terminal.
    """
    order = ranking(space)
    weight = terms(pairs, order.moved, order.kept)
    depth, final = order.depth, order.terminal
    below: dict[int, list[tuple[int, tuple[int, ...]]]] = {}
    for node in reversed(tight):
        row = weight[depth[node]]
        merged = [
            (row[value] + key, (value, *rest))
            for value, kid in tight[node]
            for key, rest in below.get(kid) or ((final[kid], (kid,)),)
        ]
        below[node] = heapq.nsmallest(k, merged) if len(merged) > k else merged
    return [path for _, path in sorted(below[root])[:k]]


def _path_to(
    tight: Tight,
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


def _candidate(
    space: Space,
    known: Known,
    path: tuple[int, ...],
    verdict: Level,
    pairs: Sequence[tuple[int, int]],
    cost: float,
) -> Candidate:
    """The candidate of a tight path; ``pairs`` are the given (variable, value) in model order."""
    tables = space.tables
    names, domains = tables.names, tables.domains
    moved = [(v, i) for v, i in pairs if path[v] != i]
    changes = tuple(Change(names[v], domains[v][i], domains[v][path[v]]) for v, i in moved)
    advice = tuple(text for v, _ in moved if (text := known.advice[v][path[v]]) is not None)
    return Candidate(
        configuration=MappingProxyType(dict(zip(names, map(getitem, domains, path), strict=True))),
        changes=changes,
        cost=cost,
        verdict=verdict,
        advice=advice,
    )
