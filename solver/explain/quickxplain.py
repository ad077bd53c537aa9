"""Explanations of removed values found by search, where the look-up tables don't settle them.

:mod:`syncscope.solver.explain.blame` names the single rule or pair of rules behind
most removed values. A value that needs three rules or more is explained from
arc consistency with provenance (:func:`~syncscope.solver.explain.propagate.propagate`),
carried on from the state of one fixed value worked out once per space, and
when propagation alone cannot show the conflict, by QuickXplain over growing
rings of rules around the value's variable.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..diagram.space import Space, per_space
from .blame import MAYBE, SURELY, preference, ranks, reading, statuses
from .propagate import (
    Feasibility,
    Narrowed,
    Supports,
    minimal_rules,
    propagate,
    supports,
)

__all__ = [
    "Explainer",
    "blocking_supports",
    "explain_removal",
    "from_reasons",
    "narrowed",
    "settled",
]


def explain_removal(space: Space, question: Mapping[int, int]) -> tuple[int, ...]:
    """A minimal set of blocking rules under which ``question`` has no completion.

    ``question`` maps variable indices to value indices (for a removed value:
    the fixed values plus that value).

    Raises
    ------
    ValueError
        If ``question`` has a valid completion.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> question = space.encode({"email_system": "exchange-2007"})
    >>> [space.tables.rules[i].rule.id for i in explain_removal(space, question)]
    ['unsupported.exchange-2003-2007']
    """
    explainer = Explainer(space, question)
    return explainer.explain(question, explainer.base, set(question))


class Explainer:
    """Explanations found by search, for questions the look-up tables don't settle.

    Rules that no completion can break are left out; a rule that every
    completion breaks is a minimal answer on its own; otherwise QuickXplain
    searches the smallest ring of rules around the question's variables that
    has no solution, in :func:`~syncscope.solver.explain.blame.preference` order.
    Since the fixed values alone have a valid completion, no rule is surely
    broken by them: a removed value looks for a surely broken rule among the
    rules reading its variable first, and works out every rule's status only
    when there is none.
    """

    def __init__(self, space: Space, fixed: Mapping[int, int]) -> None:
        self.space = space
        self.tables = space.tables
        self.fixed = fixed
        self.order = preference(space)
        self.statuses = statuses(space)
        self.reading = reading(space)
        self.rank = {rule: k for k, rule in enumerate(self.order)}
        self._base: dict[int, int] | None = None

    @property
    def base(self) -> dict[int, int]:
        """Each rule's status under the fixed values alone (worked out on first use)."""
        if self._base is None:
            self._base = {i: self.status(i, self.fixed) for i in self.order}
        return self._base

    def status(self, rule: int, question: Mapping[int, int]) -> int:
        projection = tuple(question.get(v, -1) for v in self.tables.rules[rule].scope)
        return self.statuses[rule][projection]

    def removal(self, var: int, value: int) -> tuple[int, ...]:
        question = {**self.fixed, var: value}
        changed = {}
        for rule in self.reading.get(var, ()):
            found = changed[rule] = self.status(rule, question)
            if found == SURELY:
                return (rule,)
        return self.explain(question, {**self.base, **changed}, {var})

    def explain(
        self, question: Mapping[int, int], status: Mapping[int, int], start: set[int]
    ) -> tuple[int, ...]:
        """Search rings of rules around ``start`` (variables) for the nearest conflict.

        A minimal conflict is linked through open variables and reads one of
        the ``start`` variables, so it lies within some ring: the rules reading
        ``start``, then those sharing an open variable with them, and so on.
        Small rings keep each feasibility search small.
        """
        for rule in self.order:
            if status[rule] == SURELY:
                return (rule,)
        candidates = [rule for rule in self.order if status[rule] == MAYBE]
        derived = self.propagate(question, candidates, start)
        if derived is not None:  # a domain ran empty: these rules leave nothing
            pool = sorted(derived, key=self.rank.__getitem__)
            return minimal_rules(self.tables, question, pool, infeasible=True)
        reached = set(start)
        ring: set[int] = set()
        check = Feasibility(self.tables, question)
        while True:
            grown = {
                rule
                for rule in candidates
                if rule not in ring and reached.intersection(self.tables.rules[rule].scope)
            }
            if not grown:
                break
            ring |= grown
            for rule in grown:
                reached.update(v for v in self.tables.rules[rule].scope if v not in question)
            chosen = [rule for rule in candidates if rule in ring]
            if not check(chosen):
                return minimal_rules(self.tables, question, chosen, infeasible=True, check=check)
        # A conflict away from the start (only in a rule set with no valid configuration).
        if len(ring) < len(candidates) and not check(candidates):
            return minimal_rules(self.tables, question, candidates, infeasible=True, check=check)
        raise ValueError("the question has a valid completion: there is nothing to explain")

    def propagate(
        self, question: Mapping[int, int], candidates: list[int], start: set[int]
    ) -> frozenset[int] | None:
        """Arc consistency from ``start``, cheapest revisions first.

        When a domain runs empty, the rules behind it (with ``question``) have
        no solution: a small set for QuickXplain to minimise. Returns None when
        propagation alone finds no conflict.
        """
        found = propagate(
            self.tables,
            question,
            candidates,
            seeds=start,
            allowed=blocking_supports(self.space),
            schedule="cheapest",
        )
        return found.wipeout


@per_space
def _closure(space: Space) -> Narrowed:
    """Arc consistency over the blocking rules with nothing fixed (worked out once per space)."""
    found = propagate(
        space.tables, {}, preference(space), allowed=blocking_supports(space), per_value=True
    )
    if not found.consistent:  # a rule set with no valid configuration at all
        found = Narrowed(tuple(frozenset() for _ in space.tables.sizes), {}, ())
    return found


def narrowed(space: Space, fixed: Mapping[int, int]) -> Narrowed:
    """Arc consistency under ``fixed``, carried on from the :func:`settled` state of one value."""
    closure = _closure(space)
    empty = Narrowed(closure.domains, {}, closure.narrowed_by)
    if not closure.narrowed_by:
        return empty
    states = settled(space)
    start = closure
    for pair in fixed.items():
        one = states[pair]
        if one is None:  # a single fixed value already leaves nothing
            return empty
        if len(one.reasons) > len(start.reasons):
            start = one
    order = preference(space)
    found = propagate(
        space.tables, fixed, order, start=start, allowed=blocking_supports(space), per_value=True
    )
    return found if found.consistent else empty


@per_space
def settled(space: Space) -> dict[tuple[int, int], Narrowed | None]:
    """(variable, value) -> arc consistency with just that value fixed (worked out once per space).

    None when that value alone leaves some domain empty.
    """
    closure = _closure(space)
    order = preference(space)
    allowed = blocking_supports(space)
    out: dict[tuple[int, int], Narrowed | None] = {}
    for var, size in enumerate(space.tables.sizes):
        for value in range(size):
            found = propagate(
                space.tables, {var: value}, order, start=closure, allowed=allowed, per_value=True
            )
            out[var, value] = found if found.consistent else None
    return out


@per_space
def blocking_supports(space: Space) -> Supports:
    """:func:`supports` of the blocking rules (worked out once per space)."""
    return supports(space.tables, preference(space))


def from_reasons(
    space: Space, blamed: frozenset[int], fixed: Mapping[int, int], var: int, value: int
) -> tuple[int, ...]:
    """A minimal explanation picked from rules that arc consistency blamed for the value.

    Called once no single rule and no pair of rules rules the value out, so
    any three blamed rules are minimal as they stand; more are checked one by
    one, and minimised with QuickXplain when some of them are not needed.
    """
    if len(blamed) <= 3:
        return tuple(sorted(blamed))
    question = {**fixed, var: value}
    check = Feasibility(space.tables, question)
    if all(check(blamed - {rule}) for rule in blamed):
        return tuple(sorted(blamed))  # already minimal: each rule is needed
    rank = ranks(space)
    return minimal_rules(space.tables, question, sorted(blamed, key=rank.__getitem__), check=check)
