"""Feasibility under a subset of the rules, and minimal sets of rules that explain a conflict.

The compiled diagram answers questions about the whole rule set; explanations
need to switch rules off one by one, so they use this small search instead:
forward checking over the rules' tables, one variable at a time. Arc
consistency with provenance (:func:`narrow`) finds, for many excluded values
at once, a small set of rules that excludes each: the candidates a minimal
explanation is then picked from.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from syncscope.model import Level

from ..diagram.tables import RuleTable, Tables

__all__ = [
    "Narrowed",
    "Supports",
    "blocking_rules",
    "feasible",
    "minimal_rules",
    "narrow",
    "supports",
]


@dataclass(frozen=True, slots=True)
class Narrowed:
    """Domains after arc consistency, and the rules behind every value it removed."""

    domains: tuple[frozenset[int], ...]
    """Per variable, the value indices left."""
    reasons: Mapping[tuple[int, int], frozenset[int]]
    """(variable, value) -> rules that, with the fixed values, exclude that value
    (values excluded by fixing their variable have no entry)."""
    narrowed_by: tuple[frozenset[int], ...]
    """Per variable, every rule behind the removals from its domain."""


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


def narrow(
    tables: Tables,
    fixed: Mapping[int, int],
    rules: Sequence[int],
    start: Narrowed | None = None,
    allowed: Supports | None = None,
) -> Narrowed | None:
    """Arc consistency over ``rules`` under ``fixed``, remembering why each value went.

    A value is removed by a rule when no tuple of the values still left in the
    rule's scope allows it; its reasons are that rule and, for every tuple the
    rule allows with that value, the reasons for one of the tuple's values
    already gone, so those rules with ``fixed`` exclude the value. Rules are
    revised in the order of ``rules`` (earlier ones are blamed first).

    Parameters
    ----------
    start : Narrowed, optional
        A result for the same ``rules`` with nothing fixed, to carry on from.
    allowed : Supports, optional
        :func:`supports` of ``rules``, when the caller keeps it.

    Returns
    -------
    Narrowed or None
        None when some domain runs empty (``fixed`` has no completion).

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> from syncscope.solver.diagram.tables import build_tables
    >>> tables = build_tables(load_model())
    >>> gmail = tables.encode({"email_system": "gmail"})
    >>> found = narrow(tables, gmail, blocking_rules(tables))
    >>> ews = tables.encode({"incoming_protocol": "ews"})[3]
    >>> [tables.rules[i].rule.id for i in sorted(found.reasons[3, ews])]
    ['table.pop3-smtp']
    """
    allowed = allowed if allowed is not None else supports(tables, rules)
    rank = {rule: k for k, rule in enumerate(rules)}
    watching: dict[int, list[int]] = {}
    for rule in rules:
        for var in tables.rules[rule].scope:
            watching.setdefault(var, []).append(rule)
    if start is None:
        domains = [set(range(size)) for size in tables.sizes]
        reasons: dict[tuple[int, int], frozenset[int]] = {}
        why: list[frozenset[int]] = [frozenset()] * len(tables.sizes)
        queue = [(rank[rule], rule) for rule in rules]
    else:
        domains = [set(values) for values in start.domains]
        reasons = dict(start.reasons)
        why = list(start.narrowed_by)
        # A variable the start already narrowed to its fixed value changes nothing.
        changed = [var for var, value in fixed.items() if start.domains[var] != {value}]
        queue = sorted({(rank[r], r) for var in changed for r in watching.get(var, ())})
    for var, value in fixed.items():
        if value not in domains[var]:
            return None
        domains[var] = {value}
        why[var] = frozenset()
        for other in range(tables.sizes[var]):
            reasons.pop((var, other), None)  # gone by fixing: no rule needed
    heapq.heapify(queue)
    queued = {rule for _, rule in queue}
    excludes = _Excludes(tables, allowed, fixed)
    while queue:
        rule = heapq.heappop(queue)[1]
        queued.discard(rule)
        scope = tables.rules[rule].scope
        current = [domains[v] for v in scope]
        breaking = allowed[rule][1]
        sizes = [len(d) for d in current]
        total = 1
        for size in sizes:
            total *= size
        broken = tables.rules[rule].broken
        broken_count = len(broken)
        for k, var in enumerate(scope):
            # A value keeps a support while the combinations of the other values left
            # outnumber the broken ones among them; fixed values always keep theirs.
            others = total // sizes[k]
            if broken_count < others or var in fixed:
                continue
            gone = [
                value
                for value in current[k]
                if len(breaking[k][value]) >= others and not _supported(broken, current, k, value)
            ]
            if not gone:
                continue
            if len(gone) == len(current[k]):
                return None
            because: frozenset[int] = frozenset()
            for value in gone:
                found = _blame(tables, allowed, rule, k, value, domains, excludes, reasons)
                reasons[var, value] = found
                because |= found
            domains[var] = current[k] = current[k] - set(gone)
            total = total // sizes[k] * len(current[k])
            sizes[k] = len(current[k])
            why[var] = why[var] | because
            for follower in watching[var]:
                if follower != rule and follower not in queued:
                    heapq.heappush(queue, (rank[follower], follower))
                    queued.add(follower)
    return Narrowed(tuple(frozenset(d) for d in domains), reasons, tuple(why))


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


def feasible(tables: Tables, fixed: Mapping[int, int], rules: Iterable[int]) -> bool:
    """Whether some completion of ``fixed`` breaks none of ``rules``.

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
    >>> feasible(tables, gmail, blocking_rules(tables))
    False
    >>> feasible(tables, gmail, [])
    True
    """
    chosen = [tables.rules[i] for i in rules]
    return _search(tables, dict(fixed), chosen)


def _search(tables: Tables, assign: dict[int, int], chosen: Sequence[RuleTable]) -> bool:
    # Rules already decided by the fixed values are checked once, up front.
    open_rules = []
    for table in chosen:
        if all(v in assign for v in table.scope):
            if tuple(assign[v] for v in table.scope) in table.broken:
                return False
        else:
            open_rules.append(table)
    free = sorted({v for t in open_rules for v in t.scope if v not in assign})
    if not free:
        return True
    position = {v: i for i, v in enumerate(free)}
    due: list[list[RuleTable]] = [[] for _ in free]
    for table in open_rules:
        due[max(position[v] for v in table.scope if v in position)].append(table)
    sizes = tables.sizes

    def go(depth: int) -> bool:
        if depth == len(free):
            return True
        var = free[depth]
        for value in range(sizes[var]):
            assign[var] = value
            if all(tuple(assign[v] for v in t.scope) not in t.broken for t in due[depth]) and go(
                depth + 1
            ):
                return True
        del assign[var]
        return False

    return go(0)


def minimal_rules(
    tables: Tables,
    fixed: Mapping[int, int],
    rules: Iterable[int] | None = None,
    *,
    infeasible: bool = False,
) -> tuple[int, ...]:
    """A minimal subset of ``rules`` that, with ``fixed``, admits no completion.

    Uses QuickXplain (Junker, 2004): about ``k log(n / k)`` feasibility checks
    for an answer of ``k`` rules out of ``n``. Minimal means that dropping any
    one rule of the answer makes ``fixed`` feasible again.

    Parameters
    ----------
    rules : iterable of int, optional
        Candidate rules; the blocking rules (untested or unsupported) by default.
    infeasible : bool
        Whether the caller has already shown that ``rules`` leave ``fixed`` no
        completion (e.g. by arc consistency), so the opening search is skipped.

    Raises
    ------
    ValueError
        If ``fixed`` is feasible under ``rules``: there is nothing to explain.

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
    if not infeasible and feasible(tables, fixed, candidates):
        raise ValueError("the fixed values are feasible under these rules")

    def consistent(subset: Sequence[int]) -> bool:
        return feasible(tables, fixed, subset)

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
