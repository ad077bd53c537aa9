"""Feasibility under a subset of the rules, and minimal sets of rules that explain a conflict.

The compiled diagram answers questions about the whole rule set; explanations
need to switch rules off one by one, so they use this small search instead:
forward checking over the rules' tables, one variable at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from syncscope.model import Level

from .tables import RuleTable, Tables

__all__ = ["blocking_rules", "feasible", "minimal_rules"]


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
    >>> from syncscope.solver.tables import build_tables
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
    tables: Tables, fixed: Mapping[int, int], rules: Iterable[int] | None = None
) -> tuple[int, ...]:
    """A minimal subset of ``rules`` that, with ``fixed``, admits no completion.

    Uses QuickXplain (Junker, 2004): about ``k log(n / k)`` feasibility checks
    for an answer of ``k`` rules out of ``n``. Minimal means that dropping any
    one rule of the answer makes ``fixed`` feasible again.

    Parameters
    ----------
    rules : iterable of int, optional
        Candidate rules; the blocking rules (untested or unsupported) by default.

    Raises
    ------
    ValueError
        If ``fixed`` is feasible under ``rules``: there is nothing to explain.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> from syncscope.solver.tables import build_tables
    >>> tables = build_tables(load_model())
    >>> fixed = tables.encode({"email_system": "gmail", "authentication": "server-to-server"})
    >>> [tables.rules[i].rule.id for i in minimal_rules(tables, fixed)]
    ['important.profile-type', 'facts.server-to-server-profile']
    """
    candidates = list(blocking_rules(tables) if rules is None else rules)
    if feasible(tables, fixed, candidates):
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
