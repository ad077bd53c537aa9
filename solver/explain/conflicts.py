"""Conflicts: sets of settings that no valid configuration contains, with the rules to blame."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from syncscope.model import Level, Rule, Value

from ..diagram.space import Space
from ..diagram.tables import RuleTable
from ..results import Finding
from .propagate import blocking_rules, minimal_rules

__all__ = ["Conflict", "blame", "conflict_of", "feasible", "shrink"]

_VALID = (Level.SUPPORTED, Level.DISCOURAGED)


@dataclass(frozen=True, slots=True)
class Conflict:
    """Settings that no valid configuration contains, and rules that rule them out together."""

    settings: Mapping[str, Value]
    """The settings, in canonical values and model order."""
    rules: tuple[Rule, ...]
    """A minimal set of untested or unsupported rules that, with the settings, admit nothing."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"settings", "rules": [ids], "reasons": [rule with quote]}``."""
        return {
            "settings": dict(self.settings),
            "rules": [r.id for r in self.rules],
            "reasons": [Finding(r).to_dict() for r in self.rules],
        }


def feasible(space: Space, fixed: Mapping[int, int]) -> bool:
    """Whether some valid configuration agrees with ``fixed`` (variable index -> value index)."""
    counts = space.diagram.count(fixed)
    return any(counts[level] for level in _VALID)


def shrink(
    space: Space, fixed: Mapping[int, int], order: Iterable[int] | None = None
) -> dict[int, int]:
    """A minimal infeasible subset of the infeasible ``fixed``, by deletion.

    Each variable of ``order`` (all of ``fixed`` in index order by default) is
    dropped when the rest stays infeasible; what remains is infeasible and
    every proper subset is feasible (feasibility is monotone in the settings).

    Raises
    ------
    ValueError
        If ``fixed`` is feasible.
    """
    if feasible(space, fixed):
        raise ValueError("the settings are feasible")
    keep = dict(fixed)
    for var in sorted(fixed) if order is None else list(order):
        trial = {v: i for v, i in keep.items() if v != var}
        if not feasible(space, trial):
            keep = trial
    return dict(sorted(keep.items()))


def conflict_of(space: Space, fixed: Mapping[int, int]) -> Conflict:
    """The :class:`Conflict` of an infeasible set of settings, with a minimal set of its rules.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> fixed = space.encode({"email_system": "gmail", "authentication": "server-to-server"})
    >>> conflict_of(space, fixed).to_dict()["rules"]
    ['important.profile-type', 'facts.server-to-server-profile']
    """
    tables = space.tables
    return Conflict(
        settings=MappingProxyType(tables.decode(fixed)),
        rules=tuple(tables.rules[i].rule for i in blame(space, fixed)),
    )


def blame(space: Space, fixed: Mapping[int, int]) -> tuple[int, ...]:
    """A minimal set of blocking rules (indices) that, with ``fixed``, admit nothing.

    A rule that every completion of ``fixed`` breaks is a whole answer by
    itself. Otherwise propagation (generalized arc consistency over the rule
    tables) usually wipes out a domain using a few rules; QuickXplain then
    minimises those few. When propagation alone can't show the conflict,
    QuickXplain runs over every rule that some completion could break (the
    others constrain nothing here).
    """
    tables = space.tables
    sizes = tables.sizes
    blocking = [tables.rules[i] for i in blocking_rules(tables)]
    for table in blocking:
        if table.surely_broken(fixed, sizes):
            return (table.index,)
    relevant = [t for t in blocking if t.maybe_broken(fixed, sizes)]
    used = _propagate(sizes, fixed, relevant)
    pool = [t.index for t in relevant]
    if used is not None:
        pool = used
    return minimal_rules(tables, fixed, pool)


def _propagate(
    sizes: Sequence[int], fixed: Mapping[int, int], rules: Sequence[RuleTable]
) -> list[int] | None:
    """Rules that together wipe out a domain by propagation, or None if no domain runs empty.

    Each variable carries the set of rules (a bit mask of rule indices) that
    justified its prunings; a rule that prunes a variable adds itself and the
    reasons of the other variables it read. The reasons of a wipe-out are a
    set of rules that, with ``fixed``, admit no completion.
    """
    domains = [{fixed[v]} if v in fixed else set(range(n)) for v, n in enumerate(sizes)]
    reasons = [0] * len(sizes)
    watching: dict[int, list[RuleTable]] = {}
    for table in rules:
        for v in table.scope:
            watching.setdefault(v, []).append(table)
    queue = dict.fromkeys(t.index for t in rules)
    by_index = {t.index: t for t in rules}
    while queue:
        index = next(iter(queue))
        del queue[index]
        table = by_index[index]
        scope = table.scope
        support: list[set[int]] = [set() for _ in scope]
        for combo in itertools.product(*(domains[v] for v in scope)):
            if combo not in table.broken:
                for k, x in enumerate(combo):
                    support[k].add(x)
        read = 1 << index
        for v in scope:
            read |= reasons[v]
        for k, v in enumerate(scope):
            if len(support[k]) < len(domains[v]):
                if not support[k]:
                    return [i for i in range(read.bit_length()) if read >> i & 1]
                domains[v] = support[k]
                reasons[v] |= read
                queue.update(dict.fromkeys(t.index for t in watching[v] if t.index != index))
    return None
