"""Conflicts: sets of settings that no valid configuration contains, with the rules to blame."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from syncscope.model import Level, Rule, Value

from .rulesat import minimal_rules
from .space import Space

__all__ = ["Conflict", "conflict_of", "feasible", "shrink"]

_VALID = (Level.SUPPORTED, Level.DISCOURAGED)


@dataclass(frozen=True, slots=True)
class Conflict:
    """Settings that no valid configuration contains, and rules that rule them out together."""

    settings: Mapping[str, Value]
    """The settings, in canonical values and model order."""
    rules: tuple[Rule, ...]
    """A minimal set of untested or unsupported rules that, with the settings, admit nothing."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"settings": {...}, "rules": [ids]}``."""
        return {"settings": dict(self.settings), "rules": [r.id for r in self.rules]}


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
    >>> from syncscope.solver.space import compiled
    >>> space = compiled()
    >>> fixed = space.encode({"email_system": "gmail", "authentication": "server-to-server"})
    >>> conflict_of(space, fixed).to_dict()["rules"]
    ['important.profile-type', 'facts.server-to-server-profile']
    """
    tables = space.tables
    rules = minimal_rules(tables, fixed)
    return Conflict(
        settings=MappingProxyType(tables.decode(fixed)),
        rules=tuple(tables.rules[i].rule for i in rules),
    )
