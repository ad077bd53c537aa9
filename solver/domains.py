"""Valid domains: what each open variable can still take, and why the other values are gone.

The diagram gives the allowed values exactly: a value is allowed when some
valid completion of the fixed values passes through it, so the domains are
complete and backtrack-free. Each removed value is explained by a minimal set
of blocking rules: looked up among the single rules and pairs of rules that
rule it out (:mod:`syncscope.solver.blame`), and only for the rare value that
needs three rules or more, searched for with arc consistency and QuickXplain
(:mod:`syncscope.solver.rulesat`). The explanations are memoised on the space,
since the same question tends to come back while someone configures.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from syncscope.model import Level, NoSolution, Rule, Value, format_value

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
from .rulesat import Narrowed, Supports, feasible, minimal_rules, narrow, supports
from .space import Space
from .tables import RuleTable

__all__ = [
    "Conflict",
    "Domain",
    "Domains",
    "Removal",
    "conflict",
    "explain_removal",
    "valid_domains",
]

_MEMO_LIMIT = 1 << 14
"""Explanations kept per space before the memo starts over."""


@dataclass(frozen=True, slots=True)
class Removal:
    """A value no valid completion can take, with the rules that rule it out."""

    value: Value
    rules: tuple[Rule, ...]
    """A minimal set of blocking rules that, with the fixed values, exclude ``value``."""


@dataclass(frozen=True, slots=True)
class Domain:
    """One open variable's valid domain."""

    variable: str
    allowed: tuple[Value, ...]
    """Values with at least one valid completion, in declared order."""
    removed: tuple[Removal, ...]
    """Values with none, in declared order."""

    def to_dict(self) -> dict[str, object]:
        """``{"allowed": [values], "removed": {"value": [rule ids]}}``."""
        return {
            "allowed": list(self.allowed),
            "removed": {format_value(r.value): [rule.id for rule in r.rules] for r in self.removed},
        }


@dataclass(frozen=True, slots=True)
class Domains:
    """The valid domain of every variable the fixed values leave open."""

    fixed: Mapping[str, Value]
    """The fixed values, canonical, in model order."""
    domains: Mapping[str, Domain]
    """Open variable -> its domain, in model order."""

    def to_dict(self) -> dict[str, object]:
        """``{"fixed": {...}, "domains": {VAR: {"allowed": [...], "removed": {...}}}}``."""
        return {
            "fixed": dict(self.fixed),
            "domains": {name: d.to_dict() for name, d in self.domains.items()},
        }


@dataclass(frozen=True, slots=True)
class Conflict:
    """Why fixed values admit no valid configuration: rules and the settings they clash with."""

    rules: tuple[Rule, ...]
    """A minimal set of blocking rules that, with ``settings``, leaves nothing valid."""
    settings: Mapping[str, Value]
    """A minimal subset of the fixed values that those rules rule out together."""

    def to_dict(self) -> dict[str, object]:
        """``{"rules": [{"rule", "level", "message"}], "settings": {...}}``."""
        return {
            "rules": [
                {"rule": r.id, "level": r.level.id, "message": r.message} for r in self.rules
            ],
            "settings": dict(self.settings),
        }

    def __str__(self) -> str:
        settings = ", ".join(f"{k}={format_value(v)}" for k, v in self.settings.items())
        rules = " and ".join(f"{r.id} ({r.message.rstrip('.')})" for r in self.rules)
        return f"{settings or 'every configuration'} is ruled out by {rules}"


def conflict(space: Space, fixed: Mapping[str, Value]) -> Conflict:
    """Explain why canonical ``fixed`` values have no valid completion.

    Raises
    ------
    ValueError
        If ``fixed`` does have a valid completion.

    Examples
    --------
    >>> from syncscope.solver.space import compiled
    >>> found = conflict(compiled(), {"deployment": "online", "email_system": "msn"})
    >>> [r.id for r in found.rules], dict(found.settings)
    (['unsupported.fips'], {'deployment': 'online', 'email_system': 'msn'})
    """
    tables = space.tables
    encoded = space.encode(fixed)
    rule_ids = explain_removal(space, encoded)
    # Drop every fixed value the conflict does not need (deletion, in model order).
    needed = dict(encoded)
    for var in sorted(encoded):
        trial = {k: v for k, v in needed.items() if k != var}
        if not feasible(tables, trial, rule_ids):
            needed = trial
    return Conflict(
        rules=tuple(tables.rules[i].rule for i in rule_ids),
        settings=MappingProxyType(tables.decode(needed)),
    )


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
    >>> from syncscope.solver.space import compiled
    >>> space = compiled()
    >>> question = space.encode({"email_system": "exchange-2007"})
    >>> [space.tables.rules[i].rule.id for i in explain_removal(space, question)]
    ['unsupported.exchange-2003-2007']
    """
    explainer = _Explainer(space, question)
    return explainer.explain(question, explainer.base, set(question))


class _Explainer:
    """Explanations of removed values under one set of fixed values.

    Rules that no completion can break are left out; a rule that every
    completion breaks is a minimal answer on its own; otherwise QuickXplain
    searches the smallest ring of rules around the question's variables that
    has no solution, in :func:`~syncscope.solver.blame.preference` order. Since the fixed values
    alone have a valid completion, no rule is surely broken by them: a removed
    value looks for a surely broken rule among the rules reading its variable
    first, and works out every rule's status only when there is none.
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
            return minimal_rules(self.tables, question, derived, infeasible=True)
        reached = set(start)
        ring: set[int] = set()
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
            if not feasible(self.tables, question, chosen):
                return minimal_rules(self.tables, question, chosen)
        # A conflict away from the start (only in a rule set with no valid configuration).
        if len(ring) < len(candidates) and not feasible(self.tables, question, candidates):
            return minimal_rules(self.tables, question, candidates)
        raise ValueError("the question has a valid completion: there is nothing to explain")

    def propagate(
        self, question: Mapping[int, int], candidates: list[int], start: set[int]
    ) -> list[int] | None:
        """Arc consistency from ``start``, remembering which rules narrowed each domain.

        When a domain runs empty, the rules behind it (with ``question``) have
        no solution: a small set for QuickXplain to minimise. Returns None when
        propagation alone finds no conflict.
        """
        tables = self.tables
        domains: dict[int, set[int]] = {}
        why: dict[int, set[int]] = {}
        watching: dict[int, list[int]] = {}
        for rule in candidates:
            for var in tables.rules[rule].scope:
                watching.setdefault(var, []).append(rule)
        # Cheapest revisions first: rules with the fewest open combinations.
        cost = {r: _open_size(tables.rules[r], question, tables.sizes) for r in candidates}
        queue = [(cost[r], self.rank[r], r) for v in sorted(start) for r in watching.get(v, ())]
        heapq.heapify(queue)
        queued = {r for _, _, r in queue}
        while queue:
            rule = heapq.heappop(queue)[2]
            queued.discard(rule)
            table = tables.rules[rule]
            current = [
                (question[v],)
                if v in question
                else domains.setdefault(v, set(range(tables.sizes[v])))
                for v in table.scope
            ]
            supported: list[set[int]] = [set() for _ in table.scope]
            for combo in itertools.product(*current):
                if combo not in table.broken:
                    for k, value in enumerate(combo):
                        supported[k].add(value)
            if not supported[0]:
                blame = {rule}.union(*(why.get(v, set()) for v in table.scope))
                return sorted(blame, key=self.rank.__getitem__)
            for k, var in enumerate(table.scope):
                if var in question or len(supported[k]) == len(current[k]):
                    continue
                domains[var] = supported[k]
                others = (why.get(u, set()) for u in table.scope if u != var)
                why[var] = why.get(var, set()).union({rule}, *others)
                for follower in watching.get(var, ()):
                    if follower != rule and follower not in queued:
                        heapq.heappush(queue, (cost[follower], self.rank[follower], follower))
                        queued.add(follower)
        return None


def _open_size(table: RuleTable, question: Mapping[int, int], sizes: tuple[int, ...]) -> int:
    """How many combinations of its open variables a rule ranges over."""
    total = 1
    for var in table.scope:
        if var not in question:
            total *= sizes[var]
    return total


def _closure(space: Space) -> Narrowed:
    """Arc consistency over the blocking rules with nothing fixed (worked out once per space)."""
    hit = space.memo.get("closure")
    if isinstance(hit, Narrowed):
        return hit
    found = narrow(space.tables, {}, preference(space), allowed=_supports(space))
    if found is None:  # a rule set with no valid configuration at all
        found = Narrowed(tuple(frozenset() for _ in space.tables.sizes), {}, ())
    space.memo["closure"] = found
    return found


def _narrowed(space: Space, fixed: Mapping[int, int]) -> Narrowed:
    """Arc consistency under ``fixed``, carried on from the :func:`_settled` state of one value."""
    closure = _closure(space)
    empty = Narrowed(closure.domains, {}, closure.narrowed_by)
    if not closure.narrowed_by:
        return empty
    settled = _settled(space)
    start = closure
    for pair in fixed.items():
        one = settled[pair]
        if one is None:  # a single fixed value already leaves nothing
            return empty
        if len(one.reasons) > len(start.reasons):
            start = one
    order = preference(space)
    return narrow(space.tables, fixed, order, start=start, allowed=_supports(space)) or empty


def _settled(space: Space) -> dict[tuple[int, int], Narrowed | None]:
    """(variable, value) -> arc consistency with just that value fixed (worked out once per space).

    None when that value alone leaves some domain empty.
    """
    hit = space.memo.get("settled")
    if isinstance(hit, dict):
        return hit
    closure = _closure(space)
    order = preference(space)
    allowed = _supports(space)
    out: dict[tuple[int, int], Narrowed | None] = {}
    for var, size in enumerate(space.tables.sizes):
        for value in range(size):
            out[var, value] = narrow(
                space.tables, {var: value}, order, start=closure, allowed=allowed
            )
    space.memo["settled"] = out
    return out


def _supports(space: Space) -> Supports:
    """:func:`supports` of the blocking rules (worked out once per space)."""
    hit = space.memo.get("supports")
    if isinstance(hit, dict):
        return hit
    found = supports(space.tables, preference(space))
    space.memo["supports"] = found
    return found


def _from_reasons(
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
    if all(feasible(space.tables, question, blamed - {rule}) for rule in blamed):
        return tuple(sorted(blamed))  # already minimal: each rule is needed
    rank = ranks(space)
    return minimal_rules(space.tables, question, sorted(blamed, key=rank.__getitem__))


class _Blame:
    """Explanations of removed values under one set of fixed values.

    Each removed value is looked up among the single rules, then the pairs of
    rules, that rule it out (:mod:`syncscope.solver.blame`); only a value that
    needs three rules or more costs arc consistency, and a search when that
    is not enough. Every index is consulted only once some value needs it.
    """

    def __init__(self, space: Space, fixed: Mapping[int, int]) -> None:
        self.space = space
        self.fixed = fixed
        self.row = fixed_row(space, fixed)
        self.singles: dict[tuple[int, int], int] | None = None
        self.pairs: dict[tuple[int, int], tuple[int, int]] | None = None
        self.narrowed: Narrowed | None = None
        self.explainer: _Explainer | None = None

    def rules(self, var: int, value: int) -> tuple[int, ...]:
        """A minimal set of blocking rules that, with the fixed values, rule out ``var=value``."""
        space = self.space
        if self.singles is None:
            self.singles = single_rules(space, self.row)
        single = self.singles.get((var, value))
        if single is not None:
            return (single,)
        if self.pairs is None:
            self.pairs = pair_rules(space, self.row)
        pair = self.pairs.get((var, value))
        if pair is not None:
            return pair
        blamed = self.reasons(var, value)
        if blamed is not None:
            return _from_reasons(space, blamed, self.fixed, var, value)
        if self.explainer is None:
            self.explainer = _Explainer(space, self.fixed)
        return self.explainer.removal(var, value)

    def reasons(self, var: int, value: int) -> frozenset[int] | None:
        """Rules that arc consistency blamed for removing the value, if it did.

        Reasons found with one of the fixed values alone (worked out once per
        space) hold for all of them, so arc consistency under every fixed value
        runs only when none of those removed it.
        """
        settled = _settled(self.space)
        for pair in self.fixed.items():
            state = settled[pair]
            found = None if state is None else state.reasons.get((var, value))
            if found is not None:
                return found
        if self.narrowed is None:
            self.narrowed = _narrowed(self.space, self.fixed)
        return self.narrowed.reasons.get((var, value))


_Answers = dict[tuple[int, int], tuple[int, ...]]


def _answers(space: Space, fixed: Mapping[int, int], memo: bool) -> _Answers:
    """The explanations kept for these fixed values: (variable, value) -> rule indices.

    A fresh, unshared dict when ``memo`` is false.
    """
    if not memo:
        return {}
    key = ("removed", frozenset(fixed.items()))
    hit = space.memo.get(key)
    if isinstance(hit, dict):
        return hit
    if len(space.memo) >= _MEMO_LIMIT:
        for stale in [k for k in space.memo if isinstance(k, tuple) and k[:1] == ("removed",)]:
            del space.memo[stale]
    answers: _Answers = {}
    space.memo[key] = answers
    return answers


def _open_domains(space: Space) -> tuple[Domain, ...]:
    """Per variable, its domain with nothing removed (shared by every query; frozen)."""
    hit = space.memo.get("open-domains")
    if isinstance(hit, tuple):
        return hit
    tables = space.tables
    found = tuple(Domain(name, tables.domains[v], ()) for v, name in enumerate(tables.names))
    space.memo["open-domains"] = found
    return found


def valid_domains(
    space: Space, fixed: Mapping[str, Value], *, explain: bool = True, memo: bool = True
) -> Domains:
    """The valid domain of every open variable under canonical ``fixed`` values.

    Parameters
    ----------
    space : Space
        The compiled model.
    fixed : mapping
        Canonical variable -> value.
    explain : bool
        Whether to name the rules behind each removed value (mostly table
        look-ups, a small search for the rare value that needs three rules or
        more; the allowed values never need one).
    memo : bool
        Whether explanations may be reused from earlier calls on this space.

    Raises
    ------
    NoSolution
        If ``fixed`` has no valid completion; its cause is a :class:`Conflict`.

    Examples
    --------
    >>> from syncscope.solver.space import compiled
    >>> found = valid_domains(compiled(), {"email_system": "gmail"})
    >>> found.domains["incoming_protocol"].allowed
    ('pop3',)
    >>> [r.id for r in found.domains["incoming_protocol"].removed[0].rules]
    ['table.pop3-smtp']
    """
    tables = space.tables
    encoded = space.encode(fixed)
    live = space.diagram.live_masks(encoded, _VALID)
    if not live[0]:
        found = conflict(space, fixed)
        raise NoSolution(f"no valid configuration matches the fixed values; {found}", [found])
    unchanged = _open_domains(space)
    out: dict[str, Domain] = {}
    answers: _Answers | None = None
    blame: _Blame | None = None  # built on the first removed value that needs it
    for var, name in enumerate(tables.names):
        if var in encoded:
            continue
        values = tables.domains[var]
        taken = live[var]
        if taken == (1 << len(values)) - 1:
            out[name] = unchanged[var]
            continue
        allowed = []
        removed = []
        for index, value in enumerate(values):
            if taken >> index & 1:
                allowed.append(value)
            elif not explain:
                removed.append(Removal(value, ()))
            else:
                if answers is None:
                    answers = _answers(space, encoded, memo)
                rule_ids = answers.get((var, index))
                if rule_ids is None:
                    blame = blame or _Blame(space, encoded)
                    rule_ids = answers[var, index] = blame.rules(var, index)
                removed.append(_removal(space, var, index, rule_ids))
        out[name] = Domain(name, tuple(allowed), tuple(removed))
    return Domains(MappingProxyType(tables.decode(encoded)), MappingProxyType(out))


def _removal(space: Space, var: int, index: int, rule_ids: tuple[int, ...]) -> Removal:
    """The :class:`Removal` of one value for these rules (frozen, so shared between answers)."""
    made = space.memo.get("removals")
    if not isinstance(made, dict):
        made = space.memo["removals"] = {}
    key = (var, index, rule_ids)
    found = made.get(key)
    if found is None:
        rules = space.tables.rules
        found = made[key] = Removal(
            space.tables.domains[var][index], tuple(rules[i].rule for i in rule_ids)
        )
    return found


_VALID = (Level.SUPPORTED, Level.DISCOURAGED)
