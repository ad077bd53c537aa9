"""Per-model indexes that name the rules behind a removed value without any search.

A value that the fixed values leave no valid completion is, in most cases,
ruled out by one rule alone or by two rules together. Both cases are
tabulated once per compiled space:

- :func:`single_rules`: per blocking rule and projection of the fixed values,
  the open values that leave every completion breaking that rule;
- :func:`pair_rules`: the same for the pairs of :mod:`syncscope.solver.explain.pairs`,
  where two rules together leave nothing though neither does alone.

A query then costs one dictionary look-up per rule and per pair. Rules are
preferred most specific first (:func:`preference`), so a removed value is
blamed on the narrowest statement that excludes it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import TypeVar

from ..diagram.space import Space, per_space
from ..diagram.tables import RuleTable
from .pairs import build_pair_tables
from .propagate import blocking_rules

__all__ = [
    "MAYBE",
    "NEVER",
    "SURELY",
    "fixed_row",
    "pair_rules",
    "preference",
    "ranks",
    "reading",
    "single_rules",
    "statuses",
]

T = TypeVar("T")

NEVER, MAYBE, SURELY = 0, 1, 2
"""Whether no, some or every completion of a projection breaks a rule."""

Projector = Callable[[Sequence[int]], tuple[int, ...]]
"""Reads a rule's (or pair's) scope out of a :func:`fixed_row`, -1 where open."""

_Pairs = dict[tuple[int, ...], tuple[tuple[int, int], ...]]
"""Projection of fixed values -> open (variable, value) pairs."""
_Index = tuple[tuple[frozenset[tuple[int, ...]], ...], ...]


def fixed_row(space: Space, fixed: Mapping[int, int]) -> list[int]:
    """Fixed values as one value index per variable, -1 where open.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> fixed_row(space, space.encode({"version": "8.2"}))[:3]
    [-1, 2, -1]
    """
    row = [-1] * len(space.tables.sizes)
    for var, value in fixed.items():
        row[var] = value
    return row


def projector(scope: Sequence[int]) -> Projector:
    """A fast reader of ``scope`` out of a :func:`fixed_row` (always a tuple)."""
    if not scope:
        return lambda row: ()
    if len(scope) == 1:
        only = scope[0]
        return lambda row: (row[only],)
    return itemgetter(*scope)


@per_space
def preference(space: Space) -> tuple[int, ...]:
    """Blocking rules, most specific first: the share of its scope a rule rules out, ascending.

    Explanations are searched in this order, so a removed value is blamed on
    the narrowest statement that excludes it (e.g. "Exchange Server 2003 and
    2007 are not supported" before the table's closed-world rule).
    """
    tables = space.tables

    def share(index: int) -> tuple[float, int]:
        table = tables.rules[index]
        combos = 1
        for var in table.scope:
            combos *= tables.sizes[var]
        return (len(table.broken) / combos, index)

    return tuple(sorted(blocking_rules(tables), key=share))


@per_space
def ranks(space: Space) -> dict[int, int]:
    """Blocking rule -> its place in :func:`preference` order."""
    return {rule: k for k, rule in enumerate(preference(space))}


@per_space
def reading(space: Space) -> dict[int, list[int]]:
    """Variable -> the blocking rules that read it, in :func:`preference` order."""
    found: dict[int, list[int]] = {}
    for i in preference(space):
        for var in space.tables.rules[i].scope:
            found.setdefault(var, []).append(i)
    return found


def single_rules(space: Space, row: Sequence[int]) -> dict[tuple[int, int], int]:
    """(variable, value) -> the most specific rule that, with the fixed values, alone rules it out.

    ``row`` is a :func:`fixed_row`; only open variables appear in the answer.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> found = single_rules(space, fixed_row(space, space.encode({"email_system": "gmail"})))
    >>> ews = (3, space.tables.value_index[3]["ews"])  # incoming_protocol=ews
    >>> space.tables.rules[found[ews]].rule.id
    'table.pop3-smtp'
    """
    return _first_found(_single_index(space), row)


def pair_rules(space: Space, row: Sequence[int]) -> dict[tuple[int, int], tuple[int, int]]:
    """(variable, value) -> the preferred pair of rules that together, and neither alone,
    rule it out with the fixed values (rule indices ascending).

    A pair is preferred when its less specific rule is more specific than the
    other pair's, then by its more specific rule: the order QuickXplain would
    pick among two-rule conflicts.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> found = pair_rules(space, fixed_row(space, {}))
    >>> other = (2, space.tables.value_index[2]["other-pop3-smtp"])
    >>> [space.tables.rules[i].rule.id for i in found[other]]
    ['table.email-system', 'important.other-pop3-smtp']
    """
    return _first_found(_pair_index(space), row)


def _first_found(
    index: Iterable[tuple[Projector, _Pairs, T]], row: Sequence[int]
) -> dict[tuple[int, int], T]:
    """(variable, value) -> the owner of the first index entry that lists it under ``row``."""
    out: dict[tuple[int, int], T] = {}
    for read, table, owner in index:
        for pair in table.get(read(row), ()):
            if pair not in out:
                out[pair] = owner
    return out


@per_space
def _single_index(space: Space) -> list[tuple[Projector, _Pairs, int]]:
    """Per blocking rule in :func:`preference` order: its projector, per projection of fixed
    values the open (variable, value) pairs that leave every completion breaking it, and the
    rule."""
    tables = space.tables
    status = statuses(space)
    out = []
    for rule in preference(space):
        scope = tables.rules[rule].scope
        table = status[rule]
        per: _Pairs = {}
        for projection, found in table.items():
            if found == SURELY:
                continue  # already broken by the fixed values: no completion at all
            pairs = tuple(
                (var, value)
                for k, var in enumerate(scope)
                if projection[k] < 0
                for value in range(tables.sizes[var])
                if table[(*projection[:k], value, *projection[k + 1 :])] == SURELY
            )
            if pairs:
                per[projection] = pairs
        out.append((projector(scope), per, rule))
    return out


@per_space
def _pair_index(space: Space) -> list[tuple[Projector, _Pairs, tuple[int, int]]]:
    """Per conflicting pair, preferred first: its projector, per projection of fixed values
    the open (variable, value) pairs the two rule out together, and the two rules."""
    rank = ranks(space)
    tables = build_pair_tables(space.tables, preference(space))
    out = []
    for rules in sorted(
        tables, key=lambda p: (max(rank[p[0]], rank[p[1]]), min(rank[p[0]], rank[p[1]]))
    ):
        table = tables[rules]
        per: dict[tuple[int, ...], list[tuple[int, int]]] = {}
        for projection in sorted(table.conflicts):
            for k, value in enumerate(projection):
                if value >= 0:
                    opened = (*projection[:k], -1, *projection[k + 1 :])
                    per.setdefault(opened, []).append((table.scope[k], value))
        frozen = {key: tuple(sorted(set(found))) for key, found in per.items()}
        out.append((projector(table.scope), frozen, rules))
    return out


@per_space
def statuses(space: Space) -> tuple[dict[tuple[int, ...], int], ...]:
    """Per rule, whether no, some or every completion of each projection of its scope
    (-1 = open) breaks it (worked out once per space)."""
    tables = space.tables
    index = _rule_index(space)
    out = []
    for table in tables.rules:
        ranges = [range(-1, tables.sizes[v]) for v in table.scope]
        out.append(
            {
                projection: _status(table, index[table.index], projection, tables.sizes)
                for projection in itertools.product(*ranges)
            }
        )
    return tuple(out)


@per_space
def _rule_index(space: Space) -> tuple[_Index, ...]:
    """Per rule, per scope position, per value: the breaking tuples with that value there."""
    tables = space.tables
    out = []
    for table in tables.rules:
        per_position = []
        for k, var in enumerate(table.scope):
            by_value: list[set[tuple[int, ...]]] = [set() for _ in range(tables.sizes[var])]
            for combo in table.broken:
                by_value[combo[k]].add(combo)
            per_position.append(tuple(frozenset(b) for b in by_value))
        out.append(tuple(per_position))
    return tuple(out)


def _status(
    table: RuleTable, index: _Index, projection: tuple[int, ...], sizes: tuple[int, ...]
) -> int:
    """Whether no, some or every completion of ``projection`` (-1 = open) breaks the rule."""
    combos = 1
    sets = []
    for k, value in enumerate(projection):
        if value < 0:
            combos *= sizes[table.scope[k]]
        else:
            sets.append(index[k][value])
    if sets:
        sets.sort(key=len)
        hits = len(sets[0].intersection(*sets[1:])) if len(sets) > 1 else len(sets[0])
    else:
        hits = len(table.broken)
    if not hits:
        return NEVER
    return SURELY if hits == combos else MAYBE
