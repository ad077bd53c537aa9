"""The explanation engine's search primitives over a subset of the rules.

The compiled diagram answers questions about the whole rule set; explanations
need to switch rules off one by one, so they use these instead:

- :func:`propagate`: arc consistency with provenance, the one propagator every
  explanation uses. It finds, for many excluded values at once, a small set of
  rules that excludes each, and when a domain runs empty, a set of rules that
  leaves no completion: the candidates a minimal explanation is picked from.
- :func:`rules_admit`: whether some completion breaks none of a subset of the
  rules (forward checking, one variable at a time, with an explicit stack).
- :func:`minimal_rules`: QuickXplain over :func:`rules_admit`.

Every function speaks the same vocabulary: ``tables`` (the compiled rule
tables), ``fixed`` (variable index -> value index) and ``rules`` (rule indices,
most preferred first).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Literal

from syncscope.model import Level

from ..diagram.tables import RuleTable, Tables

__all__ = [
    "Feasibility",
    "Narrowed",
    "Schedule",
    "Supports",
    "blocking_rules",
    "minimal_rules",
    "propagate",
    "rules_admit",
    "supports",
]


@dataclass(frozen=True, slots=True)
class Narrowed:
    """Domains after arc consistency, and the rules behind every value it removed."""

    domains: tuple[frozenset[int], ...]
    """Per variable, the value indices left (when a domain ran empty: as they stood then)."""
    reasons: Mapping[tuple[int, int], frozenset[int]]
    """(variable, value) -> rules that, with the fixed values, exclude that value
    (values excluded by fixing their variable have no entry; empty unless
    :func:`propagate` was asked ``per_value``)."""
    narrowed_by: tuple[frozenset[int], ...]
    """Per variable, every rule behind the removals from its domain."""
    wipeout: frozenset[int] | None = None
    """When some domain ran empty: rules that, with the fixed values, admit no
    completion; None when arc consistency left every domain some value."""

    @property
    def consistent(self) -> bool:
        """Whether every domain kept some value (no conflict was shown)."""
        return self.wipeout is None


Schedule = Literal["preferred", "cheapest", "queued"]
"""Which queued rule :func:`propagate` revises next: the one earliest in its
``rules``; the one with the fewest combinations of open values under the fixed
values (then the earliest); or the one queued first."""

_ByValue = tuple[tuple[tuple[tuple[int, ...], ...], ...], ...]
Supports = Mapping[int, tuple[_ByValue, _ByValue]]
"""Rule -> the tuples it allows, and those it breaks, by scope position and value."""


def supports(tables: Tables, rules: Iterable[int]) -> Supports:
    """The tuples each of ``rules`` allows and breaks, by scope position and value."""
    out = {}
    for rule in rules:
        table = tables.rules[rule]
        ranges = [range(tables.sizes[v]) for v in table.scope]
        allowed = [c for c in itertools.product(*ranges) if c not in table.broken]
        broken = sorted(table.broken)
        out[rule] = (_by_value(allowed, ranges), _by_value(broken, ranges))
    return out


def _by_value(combos: Sequence[tuple[int, ...]], ranges: Sequence[range]) -> _ByValue:
    return tuple(
        tuple(tuple(c for c in combos if c[k] == value) for value in values)
        for k, values in enumerate(ranges)
    )


def propagate(
    tables: Tables,
    fixed: Mapping[int, int],
    rules: Sequence[int],
    *,
    start: Narrowed | None = None,
    seeds: Iterable[int] | None = None,
    allowed: Supports | None = None,
    per_value: bool = False,
    schedule: Schedule = "preferred",
) -> Narrowed:
    """Arc consistency over ``rules`` under ``fixed``, remembering why each value went.

    A rule removes a value when no tuple of the values still left in its scope
    allows it. Each variable remembers the rules behind the removals from its
    domain (``narrowed_by``): the rule, and the rules behind the removals from
    the other variables it read. When a domain runs empty, those of the rule
    that emptied it and of its scope, with ``fixed``, admit no completion
    (``wipeout``). The domains it ends with do not depend on the order rules
    are revised in, but the reasons do: rules revised first are blamed first.

    Parameters
    ----------
    tables : Tables
        The compiled rule tables.
    fixed : mapping
        Variable index -> value index.
    rules : sequence of int
        The rules to respect, most preferred first; every other rule is ignored.
    start : Narrowed, optional
        A consistent result for the same ``rules`` under a subset of ``fixed``
        (with the same ``per_value``), to carry on from.
    seeds : iterable of int, optional
        Variables whose rules are revised first; other rules only once a domain
        they read narrows. By default every rule, or with ``start`` the rules
        reading a fixed variable that ``start`` had not narrowed to its value.
    allowed : Supports, optional
        :func:`supports` of ``rules`` (or more), when the caller keeps it.
    per_value : bool
        Whether to give each removed value its own, smaller set of reasons: the
        rule and, for every tuple the rule allows with that value, the reasons
        for one of the tuple's values already gone, so those rules with
        ``fixed`` exclude the value. Costlier; ``domains`` explanations use it.
    schedule : {"preferred", "cheapest", "queued"}
        Which queued rule to revise next (see :data:`Schedule`).

    Returns
    -------
    Narrowed
        Its ``wipeout`` is set when some domain ran empty (``fixed`` has no
        completion under ``rules``).

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> from syncscope.solver.diagram.tables import build_tables
    >>> tables = build_tables(load_model())
    >>> gmail = tables.encode({"email_system": "gmail"})
    >>> found = propagate(tables, gmail, blocking_rules(tables), per_value=True)
    >>> ews = tables.encode({"incoming_protocol": "ews"})[3]
    >>> [tables.rules[i].rule.id for i in sorted(found.reasons[3, ews])]
    ['table.pop3-smtp']
    >>> both = tables.encode({"email_system": "gmail", "authentication": "server-to-server"})
    >>> wiped = propagate(tables, both, blocking_rules(tables)).wipeout
    >>> sorted(tables.rules[i].rule.id for i in wiped)
    ['facts.server-to-server-profile', 'important.profile-type']
    """
    allowed = allowed if allowed is not None else supports(tables, rules)
    priority = _priority(tables, fixed, rules, schedule)
    watching: dict[int, list[int]] = {}
    for rule in rules:
        for var in tables.rules[rule].scope:
            watching.setdefault(var, []).append(rule)
    reasons: dict[tuple[int, int], frozenset[int]]
    if start is None:
        domains = [set(range(size)) for size in tables.sizes]
        reasons = {}
        why: list[frozenset[int]] = [frozenset()] * len(tables.sizes)
    else:
        domains = [set(values) for values in start.domains]
        reasons = dict(start.reasons)
        why = list(start.narrowed_by)
        if seeds is None:
            # A variable the start already narrowed to its fixed value changes nothing.
            seeds = [var for var, value in fixed.items() if start.domains[var] != {value}]
    if seeds is None:
        first: Iterable[int] = rules
    else:
        first = dict.fromkeys(r for var in seeds for r in watching.get(var, ()))
    queue = [(priority(rule), rule) for rule in first]
    for var, value in fixed.items():
        if value not in domains[var]:
            return _wiped(domains, reasons, why, reasons.get((var, value), why[var]))
        domains[var] = {value}
        why[var] = frozenset()
        for other in range(tables.sizes[var]):
            reasons.pop((var, other), None)  # gone by fixing: no rule needed
    heapq.heapify(queue)
    queued = {rule for _, rule in queue}
    excludes = _Excludes(tables, allowed, fixed) if per_value else None
    while queue:
        rule = heapq.heappop(queue)[1]
        queued.discard(rule)
        table = tables.rules[rule]
        scope = table.scope
        broken = table.broken
        if not scope:
            if () in broken:  # a rule that reads nothing and always breaks
                return _wiped(domains, reasons, why, frozenset({rule}))
            continue
        current = [domains[v] for v in scope]
        breaking = allowed[rule][1]
        sizes = [len(d) for d in current]
        total = 1
        for size in sizes:
            total *= size
        broken_count = len(broken)
        read: frozenset[int] | None = None
        for k, var in enumerate(scope):
            # A value keeps a support while the combinations of the other values left
            # outnumber the broken ones among them.
            others = total // sizes[k]
            if broken_count < others:
                continue
            gone = [
                value
                for value in current[k]
                if len(breaking[k][value]) >= others and not _supported(broken, current, k, value)
            ]
            if not gone:
                continue
            if len(gone) == len(current[k]):
                # Nothing of this revision changed yet: an earlier narrowing would
                # have kept only values with a support, so this one would have one.
                found = frozenset({rule}).union(*(why[u] for u in scope))
                return _wiped(domains, reasons, why, found)
            if excludes is not None:
                because: frozenset[int] = frozenset()
                for value in gone:
                    blamed = _blame(tables, allowed, rule, k, value, domains, excludes, reasons)
                    reasons[var, value] = blamed
                    because |= blamed
            else:
                if read is None:
                    read = frozenset({rule}).union(*(why[u] for u in scope))
                because = read
            domains[var] = current[k] = current[k] - set(gone)
            total = total // sizes[k] * len(current[k])
            sizes[k] = len(current[k])
            why[var] = why[var] | because
            for follower in watching[var]:
                if follower != rule and follower not in queued:
                    heapq.heappush(queue, (priority(follower), follower))
                    queued.add(follower)
    return Narrowed(tuple(frozenset(d) for d in domains), reasons, tuple(why))


def _priority(
    tables: Tables, fixed: Mapping[int, int], rules: Sequence[int], schedule: Schedule
) -> Callable[[int], tuple[int, ...]]:
    """The key a queued rule is revised by (smallest first) under ``schedule``."""
    rank = {rule: k for k, rule in enumerate(rules)}
    if schedule == "preferred":
        return lambda rule: (rank[rule],)
    if schedule == "cheapest":
        cost = {}
        for rule in rules:
            combos = 1
            for var in tables.rules[rule].scope:
                if var not in fixed:
                    combos *= tables.sizes[var]
            cost[rule] = (combos, rank[rule])
        return cost.__getitem__
    if schedule == "queued":
        counter = itertools.count()
        return lambda rule: (next(counter),)
    raise ValueError(f"unknown schedule {schedule!r}")


def _wiped(
    domains: Sequence[set[int]],
    reasons: Mapping[tuple[int, int], frozenset[int]],
    why: Sequence[frozenset[int]],
    wipeout: frozenset[int],
) -> Narrowed:
    return Narrowed(tuple(frozenset(d) for d in domains), reasons, tuple(why), wipeout)


def _supported(
    broken: frozenset[tuple[int, ...]], current: Sequence[set[int]], k: int, value: int
) -> bool:
    """Whether some tuple of the values left, with ``value`` at position ``k``, is allowed."""
    ranges = [(value,) if j == k else d for j, d in enumerate(current)]
    return any(combo not in broken for combo in itertools.product(*ranges))


def _blame(
    tables: Tables,
    allowed: Supports,
    rule: int,
    k: int,
    value: int,
    domains: Sequence[set[int]],
    excludes: _Excludes,
    reasons: Mapping[tuple[int, int], frozenset[int]],
) -> frozenset[int]:
    """Rules that, with ``fixed``, leave ``value`` at position ``k`` of ``rule`` no support.

    The rule itself, and for each tuple it allows with that value, a reason for
    one of the tuple's other values being gone: none when fixing took it or a
    rule already blamed excludes it on its own, else its recorded reasons,
    those adding the fewest rules first. A second pass lets a rule blamed by
    the first stand alone for values other rules were first blamed for.
    """
    first = _blame_pass(tables, allowed, rule, k, value, domains, excludes, reasons, frozenset())
    if len(first) <= 2:
        return first
    return _blame_pass(tables, allowed, rule, k, value, domains, excludes, reasons, first)


def _blame_pass(
    tables: Tables,
    allowed: Supports,
    rule: int,
    k: int,
    value: int,
    domains: Sequence[set[int]],
    excludes: _Excludes,
    reasons: Mapping[tuple[int, int], frozenset[int]],
    prefer: frozenset[int],
) -> frozenset[int]:
    scope = tables.rules[rule].scope
    blamed = {rule}
    for combo in allowed[rule][0][k][value]:
        best: frozenset[int] | None = None
        for j, v in enumerate(scope):
            if j == k or combo[j] in domains[v]:
                continue
            found = reasons.get((v, combo[j]), frozenset())
            alone = [r for r in prefer if excludes(r, v, combo[j])]
            if alone:
                found = frozenset(alone[:1])
            if found <= blamed or any(excludes(other, v, combo[j]) for other in blamed):
                best = frozenset()
                break
            if best is None or len(found - blamed) < len(best - blamed):
                best = found
        if best:
            blamed.update(best)
    return frozenset(blamed)


class _Excludes:
    """:func:`_excludes` under one set of fixed values, remembered for the length of a search."""

    def __init__(self, tables: Tables, allowed: Supports, fixed: Mapping[int, int]) -> None:
        self.tables = tables
        self.allowed = allowed
        self.fixed = fixed
        self.known: dict[tuple[int, int, int], bool] = {}

    def __call__(self, rule: int, var: int, value: int) -> bool:
        key = (rule, var, value)
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = _excludes(
                self.tables, self.allowed, rule, var, value, self.fixed
            )
        return found


def _excludes(
    tables: Tables, allowed: Supports, rule: int, var: int, value: int, fixed: Mapping[int, int]
) -> bool:
    """Whether ``rule`` alone, with ``fixed``, rules out ``var = value``."""
    scope = tables.rules[rule].scope
    if var not in scope:
        return False
    k = scope.index(var)
    pinned = [(j, fixed[v]) for j, v in enumerate(scope) if v in fixed]
    return not any(all(combo[j] == a for j, a in pinned) for combo in allowed[rule][0][k][value])


def blocking_rules(tables: Tables, threshold: Level = Level.UNTESTED) -> tuple[int, ...]:
    """Indices of the rules whose level is ``threshold`` or worse (they make a setup invalid)."""
    return tuple(t.index for t in tables.rules if t.level >= threshold)


def rules_admit(tables: Tables, fixed: Mapping[int, int], rules: Iterable[int]) -> bool:
    """Whether some completion of ``fixed`` breaks none of ``rules``.

    Backtracking in variable order, with an explicit stack: each rule is
    checked once all its variables are set. A dead end is remembered by the
    values of the earlier variables that rules still to check read (the
    frontier), so it is never searched twice: with rules that read nearby
    variables, the search stays polynomial in the number of variables, where
    plain backtracking can take exponential time proving that there is no
    completion.

    Parameters
    ----------
    tables : Tables
        The compiled rule tables.
    fixed : mapping
        Variable index -> value index.
    rules : iterable of int
        Rule indices to respect; every other rule is ignored.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> from syncscope.solver.diagram.tables import build_tables
    >>> tables = build_tables(load_model())
    >>> gmail = tables.encode({"email_system": "gmail", "authentication": "server-to-server"})
    >>> rules_admit(tables, gmail, blocking_rules(tables))
    False
    >>> rules_admit(tables, gmail, [])
    True
    """
    return _solution(tables, fixed, rules) is not None


def _solution(
    tables: Tables, fixed: Mapping[int, int], rules: Iterable[int]
) -> dict[int, int] | None:
    """Some completion of ``fixed`` that breaks none of ``rules`` (the variables they read,
    fixed or not), or None: the search of :func:`rules_admit`."""
    assign = dict(fixed)
    # Rules already decided by the fixed values are checked once, up front.
    open_rules: list[RuleTable] = []
    for table in (tables.rules[i] for i in rules):
        if all(v in assign for v in table.scope):
            if tuple(assign[v] for v in table.scope) in table.broken:
                return None
        else:
            open_rules.append(table)
    parts = [open_rules] if len(open_rules) < 2 else _components(open_rules, fixed)
    for part in parts:
        if part and not _complete(tables.sizes, fixed, part, assign):
            return None
    return assign


class Feasibility:
    """:func:`rules_admit` for one set of fixed values, asked about many subsets of rules.

    Each completion found is kept; a subset that a kept completion already
    satisfies, or that holds a subset already shown to admit none, is answered
    without a search. The answers are exactly those of :func:`rules_admit`.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> from syncscope.solver.diagram.tables import build_tables
    >>> tables = build_tables(load_model())
    >>> check = Feasibility(tables, tables.encode({"email_system": "gmail"}))
    >>> rules = blocking_rules(tables)
    >>> check(rules), check(rules[:3]), check.searches
    (True, True, 1)
    """

    __slots__ = ("_bad", "_found", "fixed", "searches", "tables")

    def __init__(self, tables: Tables, fixed: Mapping[int, int]) -> None:
        self.tables = tables
        self.fixed = fixed
        self.searches = 0
        """How many questions needed a search."""
        self._found: list[dict[int, int]] = []
        self._bad: list[frozenset[int]] = []

    def __call__(self, rules: Iterable[int]) -> bool:
        """Whether some completion of the fixed values breaks none of ``rules``."""
        chosen = list(rules)
        tables = self.tables
        for known in self._found:
            if all(_holds(tables.rules[i], known) for i in chosen):
                return True
        if self._bad:
            kept = frozenset(chosen)
            if any(bad <= kept for bad in self._bad):
                return False
        self.searches += 1
        found = _solution(tables, self.fixed, chosen)
        if found is None:
            if len(self._bad) < _KEPT:
                self._bad.append(frozenset(chosen))
            return False
        self._found.insert(0, found)
        del self._found[_KEPT:]
        return True


_KEPT = 8
"""How many completions (and subsets with none) a :class:`Feasibility` keeps."""


def _holds(table: RuleTable, assign: Mapping[int, int]) -> bool:
    """Whether ``assign`` sets every variable ``table`` reads and does not break it."""
    try:
        values = tuple(assign[v] for v in table.scope)
    except KeyError:
        return False
    return values not in table.broken


def _components(rules: Sequence[RuleTable], fixed: Mapping[int, int]) -> list[list[RuleTable]]:
    """``rules`` in groups linked by the open variables they read: each group's completions
    are independent of the others', so each is searched on its own, fewest rules first."""
    parent: dict[int, int] = {}

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for table in rules:
        opened = [v for v in table.scope if v not in fixed]
        for v in opened:
            parent.setdefault(v, v)
        for v in opened[1:]:
            parent[find(v)] = find(opened[0])
    groups: dict[int, list[RuleTable]] = {}
    for table in rules:
        first = next(v for v in table.scope if v not in fixed)
        groups.setdefault(find(first), []).append(table)
    return sorted(groups.values(), key=len)


def _complete(
    sizes: Sequence[int],
    fixed: Mapping[int, int],
    open_rules: Sequence[RuleTable],
    into: dict[int, int],
) -> bool:
    """Whether some completion of ``fixed`` breaks none of ``open_rules`` (each reads some
    open variable); when there is one, its values of their open variables go ``into``."""
    free = sorted({v for t in open_rules for v in t.scope if v not in fixed})
    position = {v: i for i, v in enumerate(free)}
    due: list[
        list[tuple[Callable[[Mapping[int, int]], tuple[int, ...]], frozenset[tuple[int, ...]]]]
    ]
    due = [[] for _ in free]
    for table in open_rules:
        last = max(position[v] for v in table.scope if v in position)
        due[last].append((_reader(table.scope), table.broken))
    # Worked out at the first dead end: a search that never backtracks needs none of it.
    frontier: list[Callable[[Mapping[int, int]], tuple[int, ...]]] | None = None
    row = dict(fixed)  # the assignment so far
    dead: set[tuple[int, tuple[int, ...]]] = set()
    tried = [0] * len(free)  # per depth, the next value to try
    depth = 0
    while depth >= 0:
        if depth == len(free):
            for var in free:
                into[var] = row[var]
            return True
        var = free[depth]
        value = tried[depth]
        if value == sizes[var]:
            tried[depth] = 0
            if frontier is None:
                frontier = [_reader(f) for f in _frontiers(free, position, open_rules)]
            # The variables before this depth still hold the values it was entered with.
            dead.add((depth, frontier[depth](row)))
            depth -= 1
            continue
        tried[depth] = value + 1
        row[var] = value
        if all(read(row) not in broken for read, broken in due[depth]):
            depth += 1
            if (
                dead
                and depth < len(free)
                and frontier is not None
                and (depth, frontier[depth](row)) in dead
            ):
                depth -= 1
    return False


def _reader(scope: tuple[int, ...]) -> Callable[[Mapping[int, int]], tuple[int, ...]]:
    """A fast reader of the values at ``scope`` out of an assignment (always a tuple)."""
    found = _READERS.get(scope)
    if found is None:
        if len(_READERS) >= _READERS_LIMIT:
            _READERS.clear()
        found = _READERS[scope] = _make_reader(scope)
    return found


def _make_reader(scope: tuple[int, ...]) -> Callable[[Mapping[int, int]], tuple[int, ...]]:
    if not scope:
        return lambda row: ()
    if len(scope) == 1:
        only = scope[0]
        return lambda row: (row[only],)
    return itemgetter(*scope)


_READERS: dict[tuple[int, ...], Callable[[Mapping[int, int]], tuple[int, ...]]] = {}
"""Readers made so far, by scope."""
_READERS_LIMIT = 1 << 16


def _frontiers(
    free: Sequence[int], position: Mapping[int, int], rules: Sequence[RuleTable]
) -> list[tuple[int, ...]]:
    """Per depth of :func:`rules_admit`'s search, the variables set before it that some
    rule checked at that depth or later reads: all that the rest of the search sees."""
    reach = [0] * len(free)  # per depth, the deepest check of a rule reading the variable
    for table in rules:
        at = [position[v] for v in table.scope if v in position]
        last = max(at)
        for p in at:
            reach[p] = max(reach[p], last)
    out: list[tuple[int, ...]] = []
    active: list[int] = []
    for d in range(len(free)):
        if d:
            active = [p for p in active if reach[p] >= d]
            if reach[d - 1] >= d:
                active.append(d - 1)
        out.append(tuple(free[p] for p in active))
    return out


def minimal_rules(
    tables: Tables,
    fixed: Mapping[int, int],
    rules: Iterable[int] | None = None,
    *,
    infeasible: bool = False,
    check: Feasibility | None = None,
) -> tuple[int, ...]:
    """A minimal subset of ``rules`` that, with ``fixed``, admits no completion.

    Uses QuickXplain (Junker, 2004): about ``k log(n / k)`` calls of :func:`rules_admit`
    for an answer of ``k`` rules out of ``n``. Minimal means that dropping any
    one rule of the answer lets ``fixed`` have a completion again
    (:func:`rules_admit`).

    Parameters
    ----------
    rules : iterable of int, optional
        Candidate rules; the blocking rules (untested or unsupported) by default.
    infeasible : bool
        Whether the caller has already shown that ``rules`` leave ``fixed`` no
        completion (e.g. by arc consistency), so the opening search is skipped.
    check : Feasibility, optional
        The caller's :class:`Feasibility` for ``fixed``, with what it already knows.

    Raises
    ------
    ValueError
        If ``rules`` admit a completion of ``fixed``: there is nothing to explain.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> from syncscope.solver.diagram.tables import build_tables
    >>> tables = build_tables(load_model())
    >>> fixed = tables.encode({"email_system": "gmail", "authentication": "server-to-server"})
    >>> [tables.rules[i].rule.id for i in minimal_rules(tables, fixed)]
    ['important.profile-type', 'facts.server-to-server-profile']
    """
    candidates = list(blocking_rules(tables) if rules is None else rules)
    consistent = Feasibility(tables, fixed) if check is None else check
    if not infeasible and consistent(candidates):
        raise ValueError("these rules admit a completion of the fixed values")

    def qx(background: list[int], delta_added: bool, pool: list[int]) -> list[int]:
        if delta_added and not consistent(background):
            return []
        if len(pool) == 1:
            return pool
        half = len(pool) // 2
        first, second = pool[:half], pool[half:]
        found2 = qx(background + first, bool(first), second)
        found1 = qx(background + found2, bool(found2), first)
        return found1 + found2

    return tuple(sorted(qx([], False, candidates)))
