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
from dataclasses import dataclass

from syncscope.model import Level

from ..diagram.space import Space, per_space
from .blame import (
    MAYBE,
    SURELY,
    fixed_row,
    pair_rules,
    preference,
    ranks,
    reading,
    single_rules,
    statuses,
)
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
    "Tabled",
    "blocking_supports",
    "explain_removal",
    "from_reasons",
    "narrowed",
    "paired",
    "searched",
    "settled",
    "tabled_reasons",
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
        """A minimal set of blocking rules that, with the fixed values, rule out ``var=value``.

        Taken from :func:`searched` when none of the fixed values is among the
        variables its search with nothing fixed read (the search would go the
        same way), or when the fixed values agree with an entry of :func:`searched`
        or :func:`paired` on the variables its search read, else searched for.
        """
        for tabled in searched(self.space).get((var, value), ()):
            if tabled.holds(self.fixed):
                return tabled.rules
        pairs = paired(self.space)
        if pairs:
            fixed = sorted(self.fixed.items())
            for k, first in enumerate(fixed):
                for second in fixed[k + 1 :]:
                    entry = pairs.get((var, value, first, second))
                    if entry is not None and entry.holds(self.fixed):
                        return entry.rules
        return self.search(var, value)

    def search(self, var: int, value: int, reads: set[int] | None = None) -> tuple[int, ...]:
        """:meth:`removal` by search; the variables it reads go into ``reads`` when given."""
        question = {**self.fixed, var: value}
        changed = {}
        if reads is not None:
            reads.add(var)
        for rule in self.reading.get(var, ()):
            if reads is not None:
                reads.update(self.tables.rules[rule].scope)
            found = changed[rule] = self.status(rule, question)
            if found == SURELY:
                return (rule,)
        return self.explain(question, {**self.base, **changed}, {var}, reads)

    def explain(
        self,
        question: Mapping[int, int],
        status: Mapping[int, int],
        start: set[int],
        reads: set[int] | None = None,
    ) -> tuple[int, ...]:
        """Search rings of rules around ``start`` (variables) for the nearest conflict.

        A minimal conflict is linked through open variables and reads one of
        the ``start`` variables, so it lies within some ring: the rules reading
        ``start``, then those sharing an open variable with them, and so on.
        Small rings keep each feasibility search small.

        ``reads``, when given, collects every variable whose fixed value could
        change the answer: those of the rules the propagation queued and of
        the rings searched (every variable when the answer came otherwise).
        """
        everything = range(len(self.tables.sizes))
        for rule in self.order:
            if status[rule] == SURELY:
                if reads is not None:
                    reads.update(everything)
                return (rule,)
        candidates = [rule for rule in self.order if status[rule] == MAYBE]
        derived = self.propagate(question, candidates, start, reads)
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
                if reads is not None:
                    reads.update(v for rule in ring for v in self.tables.rules[rule].scope)
                return minimal_rules(self.tables, question, chosen, infeasible=True, check=check)
        # A conflict away from the start (only in a rule set with no valid configuration).
        if reads is not None:
            reads.update(everything)
        if len(ring) < len(candidates) and not check(candidates):
            return minimal_rules(self.tables, question, candidates, infeasible=True, check=check)
        raise ValueError("the question has a valid completion: there is nothing to explain")

    def propagate(
        self,
        question: Mapping[int, int],
        candidates: list[int],
        start: set[int],
        reads: set[int] | None = None,
    ) -> frozenset[int] | None:
        """Arc consistency from ``start``, cheapest revisions first.

        When a domain runs empty, the rules behind it (with ``question``) have
        no solution: a small set for QuickXplain to minimise. Returns None when
        propagation alone finds no conflict. ``reads``, when given, collects
        the variables of every rule it may have queued: those reading
        ``start`` or a variable it narrowed.
        """
        found = propagate(
            self.tables,
            question,
            candidates,
            seeds=start,
            allowed=blocking_supports(self.space),
            schedule="cheapest",
        )
        if reads is not None:
            sizes = self.tables.sizes
            touched = set(start).union(
                v
                for v, left in enumerate(found.domains)
                if v not in question and len(left) < sizes[v]
            )
            for var in touched:
                for rule in self.reading.get(var, ()):
                    reads.update(self.tables.rules[rule].scope)
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


def tabled_reasons(
    space: Space, blamed: frozenset[int], fixed: Mapping[int, int], var: int, value: int
) -> tuple[int, ...]:
    """:func:`from_reasons`, taken from :func:`reasoned` when it holds there for ``blamed``
    under ``fixed`` (the searches would go the same way), else searched for."""
    for tabled in reasoned(space).get((var, value, blamed), ()):
        if tabled.holds(fixed):
            return tabled.rules
    return from_reasons(space, blamed, fixed, var, value)


def from_reasons(
    space: Space, blamed: frozenset[int], fixed: Mapping[int, int], var: int, value: int
) -> tuple[int, ...]:
    """A minimal explanation picked from rules that arc consistency blamed for the value.

    Called once no single rule and no pair of rules rules the value out, so
    any three blamed rules are minimal as they stand; more are checked one by
    one, and minimised with QuickXplain when some of them are not needed.
    Every search reads only the variables of the blamed rules, so the answer
    depends on the fixed values of those alone.
    """
    if len(blamed) <= 3:
        return tuple(sorted(blamed))
    question = {**fixed, var: value}
    check = Feasibility(space.tables, question)
    if all(check(blamed - {rule}) for rule in blamed):
        return tuple(sorted(blamed))  # already minimal: each rule is needed
    rank = ranks(space)
    return minimal_rules(space.tables, question, sorted(blamed, key=rank.__getitem__), check=check)


@dataclass(frozen=True, slots=True)
class Tabled:
    """An explanation worked out once per space, and the variables it depends on.

    Every search behind it read only the fixed values of ``reads``: under
    fixed values that agree with ``fixed`` on them (neither sets one the other
    does not, nor to another value), the same searches give the same answer,
    so it is the answer as it stands.
    """

    rules: tuple[int, ...]
    """The minimal set of blocking rules the search found."""
    reads: frozenset[int]
    """The variables whose fixed values the search could depend on."""
    fixed: tuple[tuple[int, int], ...] = ()
    """The fixed values (variable, value) it was worked out under; none by default."""

    def holds(self, fixed: Mapping[int, int]) -> bool:
        """Whether the answer stands under ``fixed``: it agrees with :attr:`fixed` on :attr:`reads`.

        Examples
        --------
        >>> found = Tabled((4, 7, 9), frozenset({1, 2, 3}), ((2, 0),))
        >>> found.holds({2: 0, 5: 1}), found.holds({2: 1}), found.holds({5: 1})
        (True, False, False)
        >>> found.holds({2: 0, 3: 0})  # 3 is read, and was not fixed
        False
        >>> Tabled((4, 7, 9), frozenset({1, 2, 3}), ((8, 0),)).holds({})  # 8 is not read
        True
        """
        reads = self.reads
        for var, value in fixed.items():
            if var in reads and (var, value) not in self.fixed:
                return False
        return all(fixed.get(var) == value for var, value in self.fixed if var in reads)


@per_space
def reasoned(space: Space) -> Mapping[tuple[int, int, frozenset[int]], tuple[Tabled, ...]]:
    """(variable, value, blamed rules) -> :func:`from_reasons` under the fixed values arc
    consistency blamed them with: nothing fixed (:func:`_closure`), or one fixed value
    (:func:`settled`), for four blamed rules or more where no single rule or pair rules the
    value out (worked out once per space).

    A value that one rule or two rule out under some fixed values is ruled
    out so under any that include them, and three blamed rules need no search.
    """
    tables = space.tables
    closure = _closure(space).reasons
    sources: list[tuple[dict[int, int], Mapping[tuple[int, int], frozenset[int]]]]
    sources = [({}, closure)]
    sources += [({f: x}, s.reasons) for (f, x), s in settled(space).items() if s is not None]
    out: dict[tuple[int, int, frozenset[int]], list[Tabled]] = {}
    for fixed, reasons in sources:
        looked_up: set[tuple[int, int]] | None = None
        for (var, value), blamed in reasons.items():
            if len(blamed) <= 3:
                continue  # three blamed rules need no search
            if fixed and closure.get((var, value)) == blamed:
                first = out.get((var, value, blamed))
                if not first or not any(f in first[0].reads for f in fixed):
                    continue  # the closure's entry holds as it stands, or there is none
            if looked_up is None:
                looked_up = _looked_up(space, fixed)
            if (var, value) in looked_up:
                continue
            reads = frozenset(v for rule in blamed for v in tables.rules[rule].scope)
            found = from_reasons(space, blamed, fixed, var, value)
            entry = Tabled(found, reads | {var}, tuple(fixed.items()))
            out.setdefault((var, value, blamed), []).append(entry)
    return {key: tuple(entries) for key, entries in out.items()}


@per_space
def searched(space: Space) -> Mapping[tuple[int, int], tuple[Tabled, ...]]:
    """(variable, value) -> :meth:`Explainer.search` under nothing fixed, or under one fixed
    value, for the values the diagram removes there that no single rule or pair rules out and
    arc consistency does not remove (worked out once per space).

    Under one fixed value, only where the search with nothing fixed read that
    variable, or had no such value to explain: elsewhere the two searches are
    the same.
    """
    verdicts = Level.valid_levels()
    if not space.diagram.live_masks({}, verdicts)[0]:
        return {}  # no valid configuration: nothing is removed value by value
    out: dict[tuple[int, int], list[Tabled]] = {}
    sources: list[tuple[dict[int, int], Narrowed]] = [({}, _closure(space))]
    sources += [({f: x}, s) for (f, x), s in settled(space).items() if s is not None]
    for fixed, state in sources:
        live = space.diagram.live_masks(fixed, verdicts)
        if not live[0]:
            continue
        explainer = Explainer(space, fixed)
        looked_up: set[tuple[int, int]] | None = None
        for var, size in enumerate(space.tables.sizes):
            if var in fixed or live[var] == (1 << size) - 1:
                continue
            for value in range(size):
                pair = (var, value)
                if live[var] >> value & 1 or pair in state.reasons:
                    continue
                if fixed:
                    known = out.get(pair, ())
                    if known and not any(f in known[0].reads for f in fixed):
                        continue  # the search with nothing fixed holds as it stands
                if looked_up is None:
                    looked_up = _looked_up(space, fixed)
                if pair in looked_up:
                    continue
                reads: set[int] = set()
                found = explainer.search(var, value, reads)
                out.setdefault(pair, []).append(
                    Tabled(found, frozenset(reads), tuple(fixed.items()))
                )
    return {key: tuple(entries) for key, entries in out.items()}


PAIRED_SEARCHES = 4096
"""At most this many searches under two fixed values for :func:`paired`; a rule set that needs
more gets no pairs tabled (its first question would wait for them)."""


@per_space
def paired(space: Space) -> Mapping[tuple[int, int, tuple[int, int], tuple[int, int]], Tabled]:
    """(variable, value, first fixed value, second fixed value) -> :meth:`Explainer.search`
    under those two fixed values, where no entry of :func:`searched` holds for them
    (worked out once per space).

    The fixed values are (variable, value) pairs, the first on the smaller
    variable. Only values the diagram removes under the two, and that neither
    a single rule, a pair of rules nor arc consistency explains there, are
    searched; none at all (an empty table) when more than
    :data:`PAIRED_SEARCHES` questions would need a look.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> found = paired(space)
    >>> all(entry.holds(dict(entry.fixed)) for entry in found.values())
    True
    """
    singles = searched(space)
    if not singles:
        return {}
    verdicts = Level.valid_levels()
    sizes = space.tables.sizes
    values = [(v, x) for v, size in enumerate(sizes) for x in range(size)]
    wanted: list[tuple[int, int, tuple[int, int], tuple[int, int]]] = []
    for (var, value), entries in singles.items():
        for k, first in enumerate(values):
            if first[0] == var:
                continue
            for second in values[k + 1 :]:
                if second[0] in (var, first[0]):
                    continue
                fixed = dict((first, second))
                if any(entry.holds(fixed) for entry in entries):
                    continue
                wanted.append((var, value, first, second))
                if len(wanted) > PAIRED_SEARCHES:
                    return {}
    out: dict[tuple[int, int, tuple[int, int], tuple[int, int]], Tabled] = {}
    explainers: dict[tuple[tuple[int, int], tuple[int, int]], Explainer | None] = {}
    masks: dict[tuple[tuple[int, int], tuple[int, int]], list[int]] = {}
    skipped: dict[tuple[tuple[int, int], tuple[int, int]], set[tuple[int, int]]] = {}
    for var, value, first, second in wanted:
        key = (first, second)
        if key not in explainers:
            fixed = dict(key)
            live = space.diagram.live_masks(fixed, verdicts)
            explainers[key] = Explainer(space, fixed) if live[0] else None
            masks[key] = live
        explainer = explainers[key]
        if explainer is None or masks[key][var] >> value & 1:
            continue  # no valid configuration, or the value is not removed
        if key not in skipped:
            fixed = dict(key)
            skipped[key] = _looked_up(space, fixed) | set(narrowed(space, fixed).reasons)
        if (var, value) in skipped[key]:
            continue  # a question with these values never searches for it
        reads: set[int] = set()
        found = explainer.search(var, value, reads)
        out[var, value, first, second] = Tabled(found, frozenset(reads), key)
    return out


def _looked_up(space: Space, fixed: Mapping[int, int]) -> set[tuple[int, int]]:
    """The values one rule or a pair of rules rules out under ``fixed``."""
    row = fixed_row(space, fixed)
    return set(single_rules(space, row)) | set(pair_rules(space, row))
