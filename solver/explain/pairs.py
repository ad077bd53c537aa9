"""Two-rule conflicts, tabulated once per model so that explanations need no search.

Many removed values are ruled out by two rules together and by neither alone
(say, one rule needs ``deployment=online`` and the other ``on-premises``).
For every pair of blocking rules that share a variable, :func:`build_pair_tables`
lists the partial assignments of their joint scope (``-1`` = open) under which
every completion breaks one of the two while neither breaks for sure on its
own. Looking a question up there replaces a feasibility search plus
QuickXplain: with no single rule to blame, such a pair is a minimal
explanation as it stands.

Pairs with no shared variable never appear: their open variables are
independent, so together they rule out only what one of them does alone.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..diagram.tables import RuleTable, Tables

__all__ = ["PairTable", "build_pair_tables"]


@dataclass(frozen=True, slots=True)
class PairTable:
    """Where two rules together leave nothing, though neither does alone."""

    rules: tuple[int, int]
    """The two rule indices, ascending."""
    scope: tuple[int, ...]
    """The variables either rule reads, ascending."""
    conflicts: frozenset[tuple[int, ...]]
    """Projections onto ``scope`` (value index, or -1 for open) that every completion
    breaks one of the two rules for, and that neither rule breaks surely alone."""

    def rules_out(self, question: Mapping[int, int]) -> bool:
        """Whether the two rules together leave ``question`` no completion (and neither alone).

        Examples
        --------
        >>> from syncscope.solver.diagram.space import compiled
        >>> space = compiled()
        >>> tables = space.tables
        >>> ids = {t.rule.id: t.index for t in tables.rules}
        >>> pair = build_pair_tables(tables, list(ids.values()))[
        ...     tuple(sorted((ids["table.email-system"], ids["important.other-pop3-smtp"])))
        ... ]
        >>> pair.rules_out(space.encode({"email_system": "other-pop3-smtp"}))
        True
        >>> pair.rules_out(space.encode({"email_system": "gmail"}))
        False
        """
        return tuple(question.get(v, -1) for v in self.scope) in self.conflicts


def build_pair_tables(tables: Tables, rules: Sequence[int]) -> dict[tuple[int, int], PairTable]:
    """The :class:`PairTable` of every pair of ``rules`` that share a variable and can conflict.

    Pairs whose table would be empty are left out.
    """
    out: dict[tuple[int, int], PairTable] = {}
    sides: dict[tuple[int, tuple[int, ...]], _Side] = {}
    for a, b in itertools.combinations(sorted(rules), 2):
        first, second = tables.rules[a], tables.rules[b]
        shared = tuple(sorted(set(first.scope) & set(second.scope)))
        if not shared:
            continue
        for rule in (first, second):
            if (rule.index, shared) not in sides:
                sides[rule.index, shared] = _side(rule, shared, tables.sizes)
        found = _pair(first, second, shared, sides[a, shared], sides[b, shared])
        if found.conflicts:
            out[a, b] = found
    return out


_Side = dict[tuple[int, ...], dict[frozenset[tuple[int, ...]], list[tuple[int, ...]]]]
"""Shared projection -> what the rule still allows of the shared variables -> the
projections of its other variables that leave exactly that."""


def _side(table: RuleTable, shared: tuple[int, ...], sizes: Sequence[int]) -> _Side:
    """One rule's half of a pair: for each projection of its scope (-1 = open) with some
    shared variable open, the shared-value tuples some allowed completion takes.

    Projections every completion breaks are absent: the rule alone rules them out.
    """
    scope = table.scope
    at_shared = [scope.index(v) for v in shared]
    at_rest = [k for k, v in enumerate(scope) if v not in shared]
    # Which positions a projection leaves open; at least one shared position must be.
    masks = [
        [k in opened for k in range(len(scope))]
        for n in range(1, len(scope) + 1)
        for opened in itertools.combinations(range(len(scope)), n)
        if any(k in opened for k in at_shared)
    ]
    allows: dict[tuple[tuple[int, ...], tuple[int, ...]], set[tuple[int, ...]]] = {}
    for combo in itertools.product(*(range(sizes[v]) for v in scope)):
        if combo in table.broken:
            continue
        values = tuple(combo[k] for k in at_shared)
        for mask in masks:
            key = (
                tuple(-1 if mask[k] else combo[k] for k in at_shared),
                tuple(-1 if mask[k] else combo[k] for k in at_rest),
            )
            allows.setdefault(key, set()).add(values)
    out: _Side = {}
    for (on_shared, on_rest), values_left in allows.items():
        out.setdefault(on_shared, {}).setdefault(frozenset(values_left), []).append(on_rest)
    return out


def _pair(
    first: RuleTable, second: RuleTable, shared: tuple[int, ...], left: _Side, right: _Side
) -> PairTable:
    """Tabulate one pair: the projections where what each rule still allows of the shared
    variables do not meet, though each allows something."""
    scope = tuple(sorted(set(first.scope) | set(second.scope)))
    rest_first = [v for v in first.scope if v not in shared]
    rest_second = [v for v in second.scope if v not in shared]
    where = [scope.index(v) for v in (*shared, *rest_first, *rest_second)]
    conflicts = set()
    for on_shared, by_left in left.items():
        by_right = right.get(on_shared)
        if not by_right:
            continue
        for values_left, rests_left in by_left.items():
            for values_right, rests_right in by_right.items():
                if not values_left.isdisjoint(values_right):
                    continue
                for one in rests_left:
                    for other in rests_right:
                        projection = [0] * len(scope)
                        for k, value in zip(where, (*on_shared, *one, *other), strict=True):
                            projection[k] = value
                        conflicts.add(tuple(projection))
    return PairTable(
        (min(first.index, second.index), max(first.index, second.index)),
        scope,
        frozenset(conflicts),
    )
