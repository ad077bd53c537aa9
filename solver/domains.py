"""Valid domains: what each open variable can still take, and why the other values are gone.

The diagram gives the allowed values exactly: a value is allowed when some
valid completion of the fixed values passes through it, so the domains are
complete and backtrack-free. Each removed value is explained by a minimal set
of blocking rules (QuickXplain over :mod:`syncscope.solver.rulesat`); the
explanations are memoised on the space, since the same question tends to come
back while someone configures.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from syncscope.model import Level, NoSolution, Rule, Value, format_value

from .rulesat import Narrowed, Supports, blocking_rules, feasible, minimal_rules, narrow, supports
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


def _preference(space: Space) -> tuple[int, ...]:
    """Blocking rules, most specific first: the share of its scope a rule rules out, ascending.

    Explanations are searched in this order, so a removed value is blamed on
    the narrowest statement that excludes it (e.g. "Exchange Server 2003 and
    2007 are not supported" before the table's closed-world rule).
    """
    hit = space.memo.get("preference")
    if isinstance(hit, tuple):
        return hit
    tables = space.tables

    def share(index: int) -> tuple[float, int]:
        table = tables.rules[index]
        combos = 1
        for var in table.scope:
            combos *= tables.sizes[var]
        return (len(table.broken) / combos, index)

    order = tuple(sorted(blocking_rules(tables), key=share))
    space.memo["preference"] = order
    return order


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
    has no solution, in :func:`_preference` order. Since the fixed values
    alone have a valid completion, no rule is surely broken by them: a removed
    value looks for a surely broken rule among the rules reading its variable
    first, and works out every rule's status only when there is none.
    """

    def __init__(self, space: Space, fixed: Mapping[int, int]) -> None:
        self.space = space
        self.tables = space.tables
        self.fixed = fixed
        self.order = _preference(space)
        self.statuses = _statuses(space)
        self.reading = _reading(space)
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
            if found == _SURELY:
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
            if status[rule] == _SURELY:
                return (rule,)
        candidates = [rule for rule in self.order if status[rule] == _MAYBE]
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


def _closure(space: Space) -> Narrowed:
    """Arc consistency over the blocking rules with nothing fixed (worked out once per space)."""
    hit = space.memo.get("closure")
    if isinstance(hit, Narrowed):
        return hit
    found = narrow(space.tables, {}, _preference(space), allowed=_supports(space))
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
    order = _preference(space)
    return narrow(space.tables, fixed, order, start=start, allowed=_supports(space)) or empty


def _settled(space: Space) -> dict[tuple[int, int], Narrowed | None]:
    """(variable, value) -> arc consistency with just that value fixed (worked out once per space).

    None when that value alone leaves some domain empty.
    """
    hit = space.memo.get("settled")
    if isinstance(hit, dict):
        return hit
    closure = _closure(space)
    order = _preference(space)
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
    found = supports(space.tables, _preference(space))
    space.memo["supports"] = found
    return found


def _from_reasons(
    space: Space, narrowed: Narrowed, fixed: Mapping[int, int], var: int, value: int
) -> tuple[int, ...] | None:
    """A minimal explanation picked from the rules arc consistency blamed, if it removed the value.

    Called once :func:`_alone` found no single rule, so two blamed rules are
    minimal as they stand; more are checked one by one, and minimised with
    QuickXplain when some of them are not needed.
    """
    blamed = narrowed.reasons.get((var, value))
    if blamed is None:
        return None
    if len(blamed) == 1:
        return tuple(blamed)
    if len(blamed) == 2:
        return tuple(sorted(blamed))
    question = {**fixed, var: value}
    if all(feasible(space.tables, question, blamed - {rule}) for rule in blamed):
        return tuple(sorted(blamed))  # already minimal: each rule is needed
    rank = _ranks(space)
    return minimal_rules(space.tables, question, sorted(blamed, key=rank.__getitem__))


def _alone(space: Space, fixed: Mapping[int, int], var: int, value: int) -> tuple[int] | None:
    """The most specific rule reading ``var`` that alone rules out ``value``, if any."""
    rule = _singles(space, fixed).get((var, value))
    return None if rule is None else (rule,)


def _singles(space: Space, fixed: Mapping[int, int]) -> dict[tuple[int, int], int]:
    """(variable, value) -> the most specific rule that, with ``fixed``, alone rules it out.

    One look-up per blocking rule in :func:`_surely` (open variables only).
    """
    tables = space.tables
    surely = _surely(space)
    out: dict[tuple[int, int], int] = {}
    for rule in _preference(space):
        projection = tuple(fixed.get(v, -1) for v in tables.rules[rule].scope)
        for pair in surely[rule].get(projection, ()):
            out.setdefault(pair, rule)
    return out


def _surely(space: Space) -> dict[int, dict[tuple[int, ...], tuple[tuple[int, int], ...]]]:
    """Per blocking rule, per projection of fixed values (-1 = open): the open (variable, value)
    pairs that, added to it, leave every completion breaking the rule (worked out once per space).
    """
    hit = space.memo.get("surely")
    if isinstance(hit, dict):
        return hit
    tables = space.tables
    statuses = _statuses(space)
    out: dict[int, dict[tuple[int, ...], tuple[tuple[int, int], ...]]] = {}
    for rule in _preference(space):
        scope = tables.rules[rule].scope
        table = statuses[rule]
        per: dict[tuple[int, ...], tuple[tuple[int, int], ...]] = {}
        for projection, status in table.items():
            if status == _SURELY:
                continue  # already broken by the fixed values: no completion at all
            pairs = tuple(
                (var, value)
                for k, var in enumerate(scope)
                if projection[k] < 0
                for value in range(tables.sizes[var])
                if table[(*projection[:k], value, *projection[k + 1 :])] == _SURELY
            )
            if pairs:
                per[projection] = pairs
        out[rule] = per
    space.memo["surely"] = out
    return out


def _statuses(space: Space) -> tuple[dict[tuple[int, ...], int], ...]:
    """Per rule, :func:`_status` of every projection of its scope (worked out once per space)."""
    hit = space.memo.get("statuses")
    if isinstance(hit, tuple):
        return hit
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
    found = tuple(out)
    space.memo["statuses"] = found
    return found


def _ranks(space: Space) -> dict[int, int]:
    """Blocking rule -> its place in :func:`_preference` order."""
    hit = space.memo.get("ranks")
    if isinstance(hit, dict):
        return hit
    ranks = {rule: k for k, rule in enumerate(_preference(space))}
    space.memo["ranks"] = ranks
    return ranks


def _open_size(table: RuleTable, question: Mapping[int, int], sizes: tuple[int, ...]) -> int:
    """How many combinations of its open variables a rule ranges over."""
    total = 1
    for var in table.scope:
        if var not in question:
            total *= sizes[var]
    return total


def _reading(space: Space) -> dict[int, list[int]]:
    """Variable -> the blocking rules that read it, in :func:`_preference` order."""
    hit = space.memo.get("reading")
    if isinstance(hit, dict):
        return hit
    reading: dict[int, list[int]] = {}
    for i in _preference(space):
        for var in space.tables.rules[i].scope:
            reading.setdefault(var, []).append(i)
    space.memo["reading"] = reading
    return reading


_NEVER, _MAYBE, _SURELY = 0, 1, 2

_Index = tuple[tuple[frozenset[tuple[int, ...]], ...], ...]


def _rule_index(space: Space) -> tuple[_Index, ...]:
    """Per rule, per scope position, per value: the breaking tuples with that value there."""
    hit = space.memo.get("rule-index")
    if isinstance(hit, tuple):
        return hit
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
    index = tuple(out)
    space.memo["rule-index"] = index
    return index


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
        return _NEVER
    return _SURELY if hits == combos else _MAYBE


def _remember(space: Space, key: Hashable, answer: tuple[int, ...]) -> None:
    if len(space.memo) >= _MEMO_LIMIT:
        for stale in [k for k in space.memo if isinstance(k, tuple) and k[:1] == ("removed",)]:
            del space.memo[stale]
    space.memo[key] = answer


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
        Whether to name the rules behind each removed value (costs a small
        search per removed value; the allowed values never need one).
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
    diagram = space.diagram
    encoded = space.encode(fixed)
    live = diagram.live_values(encoded, (Level.SUPPORTED, Level.DISCOURAGED))
    if not live[0]:
        found = conflict(space, fixed)
        raise NoSolution(f"no valid configuration matches the fixed values; {found}", [found])
    out: dict[str, Domain] = {}
    explainer: _Explainer | None = None  # built on the first removed value it is needed for
    narrowed: Narrowed | None = None
    singles: dict[tuple[int, int], int] | None = None
    for var, name in enumerate(tables.names):
        if var in encoded:
            continue
        values = tables.domains[var]
        if len(live[var]) == len(values):
            out[name] = Domain(name, values, ())
            continue
        allowed = []
        removed = []
        taken = set(live[var])
        for index in range(len(values)):
            if index in taken:
                allowed.append(values[index])
            elif not explain:
                removed.append(Removal(values[index], ()))
            else:
                key = ("removed", frozenset({**encoded, var: index}.items())) if memo else None
                rule_ids = space.memo.get(key) if key else None
                if not isinstance(rule_ids, tuple):
                    singles = _singles(space, encoded) if singles is None else singles
                    single = singles.get((var, index))
                    rule_ids = None if single is None else (single,)
                    if rule_ids is None:
                        narrowed = narrowed or _narrowed(space, encoded)
                        rule_ids = _from_reasons(space, narrowed, encoded, var, index)
                    if rule_ids is None:
                        explainer = explainer or _Explainer(space, encoded)
                        rule_ids = explainer.removal(var, index)
                    if key:
                        _remember(space, key, rule_ids)
                removed.append(
                    Removal(values[index], tuple(tables.rules[i].rule for i in rule_ids))
                )
        out[name] = Domain(name, tuple(allowed), tuple(removed))
    return Domains(MappingProxyType(tables.decode(encoded)), MappingProxyType(out))
