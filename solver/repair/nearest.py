"""``nearest``: the cheapest changes that make a configuration valid, exactly, on the diagram.

Every path of the compiled diagram is a full configuration. Give each edge the
weight of its variable when it leaves the value the user gave (nothing when the
user left the variable open, and no way through when the variable is kept), and
the nearest valid configurations are the cheapest root-to-terminal paths that
end at ``supported`` or ``discouraged``. One bottom-up pass finds the cheapest
cost below every node; the edges that keep to it form the *tight* sub-diagram,
whose paths are exactly the minimum-cost configurations. Over that sub-diagram a
second pass records, per node, which (verdict, number of changes) pairs its
paths reach, so candidates come out in the promised order (supported first,
then fewer changes, then value order) by a search that never meets a dead end.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

from syncscope.model import ConfigurationError, Level, Value, resolve_variable

from ..diagram.space import Space
from ..explain.conflicts import Conflict, conflict_of, shrink
from ..results import Change, json_number
from .weights import weight_vector

__all__ = ["Candidate", "NearestResult", "nearest"]

_INF = math.inf


@dataclass(frozen=True, slots=True)
class Candidate:
    """One valid configuration at the minimum cost."""

    configuration: Mapping[str, Value]
    """The full configuration, in canonical values and model order."""
    changes: tuple[Change, ...]
    """Settings the user gave that it changes, in model order (filling a gap is no change)."""
    cost: float
    """The sum of the change weights of ``changes`` (summed exactly, then shown as a float)."""
    verdict: Level
    """``supported`` or ``discouraged``."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"configuration", "changes", "cost", "verdict"}``."""
        return {
            "configuration": dict(self.configuration),
            "changes": [c.to_dict() for c in self.changes],
            "cost": json_number(self.cost),
            "verdict": self.verdict.id,
        }


@dataclass(frozen=True, slots=True)
class NearestResult:
    """The minimum cost of making a configuration valid, and the configurations that reach it."""

    cost: float | None
    """The minimum cost; None when the kept settings rule out every valid configuration."""
    candidates: tuple[Candidate, ...]
    """Every minimum-cost valid configuration, best first, up to ``top``."""
    more: bool
    """Whether more minimum-cost configurations exist than ``candidates`` holds."""
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
    weights: Mapping[str, object] | None = None,
    top: int = 5,
) -> NearestResult:
    """The minimum-cost valid configurations near a canonical configuration.

    Parameters
    ----------
    space : Space
        The compiled model.
    config : mapping
        Canonical variable -> value; missing variables are free to fill.
    keep : iterable of str
        Variables held at their given values.
    weights : mapping, optional
        Variable -> change weight, overriding the rule set's declared weights.
        Costs are summed exactly (``0.1 + 0.2`` ties with ``0.3``).
    top : int
        The most candidates to return.

    Returns
    -------
    NearestResult
        The minimum cost and up to ``top`` candidates, ordered supported before
        discouraged, then by fewer changes, then by value order.

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
    tables = space.tables
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ConfigurationError(f"top must be a positive whole number, got {top!r}", value=top)
    given = tables.encode(config)
    locked = _locked(space, config, keep)
    weight, scale = _scaled(weight_vector(space, weights))
    diagram = space.diagram
    children = diagram.children
    levels = diagram.levels

    cost = _costs(children, levels, given, locked, weight)
    root = diagram.root
    if cost[root] == _INF:
        fixed = {v: given[v] for v in sorted(locked)}
        return NearestResult(None, (), False, conflict_of(space, shrink(space, fixed)))

    tight = _tight(children, levels, given, locked, weight, cost, root)
    lane = len(given) + 2
    reach = _reach(levels, tight, lane)
    paths, total = _ordered_paths(tight, reach, root, lane, top)
    candidates = tuple(_candidate(space, path, v, given, weight, scale) for path, v in paths)
    return NearestResult(
        float(Fraction(int(cost[root]), scale)), candidates, total > len(candidates)
    )


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


def _scaled(weights: Sequence[Fraction]) -> tuple[list[int], int]:
    """Exact weights as integers over one common denominator, and that denominator.

    Integer sums compare exactly and fast, so equally cheap paths tie as they should.
    """
    scale = math.lcm(*(w.denominator for w in weights)) if weights else 1
    return [w.numerator * (scale // w.denominator) for w in weights], scale


def _costs(
    children: Sequence[Sequence[int]],
    levels: Sequence[range],
    given: Mapping[int, int],
    locked: set[int],
    weight: Sequence[int],
) -> list[float]:
    """Cheapest scaled cost from every node to a valid terminal (inf when none)."""
    cost: list[float] = [_INF] * len(children)
    cost[Level.SUPPORTED] = cost[Level.DISCOURAGED] = 0
    get = cost.__getitem__
    for level in range(len(levels) - 1, -1, -1):
        value = given.get(level)
        if value is None:
            for node in levels[level]:
                cost[node] = min(map(get, children[node]))
        elif level in locked:
            for node in levels[level]:
                cost[node] = cost[children[node][value]]
        else:
            w = weight[level]
            for node in levels[level]:
                kids = children[node]
                stay = cost[kids[value]]
                move = w + min(map(get, kids))
                cost[node] = stay if stay <= move else move
    return cost


Edge = tuple[int, int, int]
"""(value index, child, 1 if the edge changes a given setting else 0)."""


def _tight(
    children: Sequence[Sequence[int]],
    levels: Sequence[range],
    given: Mapping[int, int],
    locked: set[int],
    weight: Sequence[int],
    cost: Sequence[float],
    root: int,
) -> dict[int, list[Edge]]:
    """The edges on some cheapest path, for every node reachable from the root through them."""
    tight: dict[int, list[Edge]] = {}
    frontier = [root]
    for level in range(len(levels)):
        value = given.get(level)
        nxt: dict[int, None] = {}
        for node in frontier:
            kids = children[node]
            here = cost[node]
            if value is None:
                edges = [(v, kid, 0) for v, kid in enumerate(kids) if cost[kid] == here]
            elif level in locked:
                edges = [(value, kids[value], 0)]
            else:
                w = weight[level]
                edges = [
                    (v, kid, 0 if v == value else 1)
                    for v, kid in enumerate(kids)
                    if (cost[kid] if v == value else w + cost[kid]) == here
                ]
            tight[node] = edges
            nxt.update(dict.fromkeys(kid for _, kid, _ in edges))
        frontier = list(nxt)
    return tight


def _reach(levels: Sequence[range], tight: Mapping[int, list[Edge]], lane: int) -> dict[int, int]:
    """Per node, a bit set of the (verdict, changes) pairs its tight paths reach.

    Bit ``verdict * lane + changes`` is set when some tight path below the node
    ends at ``verdict`` after ``changes`` changes.
    """
    reach = {int(Level.SUPPORTED): 1, int(Level.DISCOURAGED): 1 << lane}
    for node in sorted(tight, reverse=True):  # children have larger ids than parents
        bits = 0
        for _, kid, change in tight[node]:
            bits |= reach[kid] << change
        reach[node] = bits
    return reach


def _ordered_paths(
    tight: Mapping[int, list[Edge]], reach: Mapping[int, int], root: int, lane: int, top: int
) -> tuple[list[tuple[tuple[int, ...], Level]], int]:
    """Up to ``top`` tight paths with their verdicts, in order, and how many there are in all."""
    count: dict[int, int] = {int(Level.SUPPORTED): 1, int(Level.DISCOURAGED): 1}
    for node in sorted(tight, reverse=True):
        count[node] = sum(count[kid] for _, kid, _ in tight[node])
    out: list[tuple[tuple[int, ...], Level]] = []
    bits = reach[root]
    for verdict in (Level.SUPPORTED, Level.DISCOURAGED):
        for changes in range(lane):
            if len(out) == top:
                return out, count[root]
            if bits >> (verdict * lane + changes) & 1:
                for path in _paths_with(tight, reach, root, verdict * lane, changes):
                    out.append((path, verdict))
                    if len(out) == top:
                        break
    return out, count[root]


def _paths_with(
    tight: Mapping[int, list[Edge]], reach: Mapping[int, int], root: int, base: int, changes: int
) -> Iterator[tuple[int, ...]]:
    """Tight paths that end in the verdict lane at ``base`` with exactly ``changes`` changes.

    Only edges whose child can still hit the target are followed, so every
    branch ends in a path; paths come in lexicographic order of value indices.
    """

    def options(node: int, left: int) -> Iterator[tuple[int, int, int]]:
        for value, kid, change in tight[node]:
            rest = left - change
            if rest >= 0 and reach[kid] >> (base + rest) & 1:
                yield value, kid, rest

    choice: list[int] = []
    stack = [options(root, changes)]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            if choice:
                choice.pop()
            continue
        value, kid, rest = step
        choice.append(value)
        if kid in tight:
            stack.append(options(kid, rest))
        else:
            yield tuple(choice)
            choice.pop()


def _candidate(
    space: Space,
    path: tuple[int, ...],
    verdict: Level,
    given: Mapping[int, int],
    weight: Sequence[int],
    scale: int,
) -> Candidate:
    tables = space.tables
    names, domains = tables.names, tables.domains
    changes = tuple(
        Change(names[v], domains[v][i], domains[v][path[v]])
        for v, i in sorted(given.items())
        if path[v] != i
    )
    changed = sum(weight[tables.index_of[c.variable]] for c in changes)
    return Candidate(
        configuration=MappingProxyType(tables.decode(path)),
        changes=changes,
        cost=float(Fraction(changed, scale)),
        verdict=verdict,
    )
