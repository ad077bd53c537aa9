"""Conflicts: sets of settings that no valid configuration contains, with the rules to blame.

:class:`Conflict` is the one value every query uses to say why settings leave
nothing valid (``domains``, ``list``, ``nearest``, ``explain``), and
:class:`NoSolution` the error that carries one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from syncscope.model import Level, Rule, Value, format_value
from syncscope.model.errors import SyncscopeError

from ..diagram.space import Space
from ..results import Finding
from .propagate import blocking_rules, minimal_rules, propagate
from .quickxplain import blocking_supports

__all__ = ["Conflict", "NoSolution", "blame", "conflict_of", "has_valid_completion", "shrink"]

_VALID = Level.valid_levels()


@dataclass(frozen=True, slots=True)
class Conflict:
    """Settings that no valid configuration contains, and rules that rule them out together.

    Its JSON shape (:meth:`to_dict`) is the same wherever a conflict is shown
    (``domains``, ``list``, ``nearest`` and ``explain``)::

        {
          "settings": {"VARIABLE": value, ...},
          "rules": ["rule id", ...],
          "reasons": [{"rule", "level", "message", "source": {..., "quote"}}, ...]
        }

    ``rules`` and ``reasons`` list the same rules in the same order;
    ``reasons`` holds each as a finding, with its level, message and quote.

    Examples
    --------
    >>> from types import MappingProxyType
    >>> from syncscope.model import load_model
    >>> model = load_model()
    >>> found = Conflict(MappingProxyType({"deployment": "online", "email_system": "msn"}),
    ...                  (model.rule("unsupported.fips"),))
    >>> data = found.to_dict()
    >>> data["rules"], [r["level"] for r in data["reasons"]]
    (['unsupported.fips'], ['unsupported'])
    >>> str(found).split(" (")[0]
    'deployment=online, email_system=msn is ruled out by unsupported.fips'
    """

    settings: Mapping[str, Value]
    """The settings, in canonical values and model order."""
    rules: tuple[Rule, ...]
    """A minimal set of untested or unsupported rules that, with the settings, admit nothing."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"settings", "rules": [ids], "reasons": [findings]}``."""
        return {
            "settings": dict(self.settings),
            "rules": [r.id for r in self.rules],
            "reasons": [Finding(r).to_dict() for r in self.rules],
        }

    def __str__(self) -> str:
        settings = ", ".join(f"{k}={format_value(v)}" for k, v in self.settings.items())
        rules = " and ".join(f"{r.id} ({r.message.rstrip('.')})" for r in self.rules)
        return f"{settings or 'every configuration'} is ruled out by {rules}"


class NoSolution(SyncscopeError):
    """A question has no answer; ``conflict`` says why, as data.

    Parameters
    ----------
    message : str
        A one-line summary.
    conflict : Conflict, optional
        The settings and rules that leave nothing valid, when known.

    Examples
    --------
    >>> error = NoSolution("nothing is valid")
    >>> error.message, error.conflict, error.to_dict()
    ('nothing is valid', None, {'error': 'nothing is valid', 'conflict': None})
    """

    def __init__(self, message: str, conflict: Conflict | None = None) -> None:
        self.message = message
        self.conflict = conflict
        super().__init__(message)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"error", "conflict"}`` (the conflict's shape, or null)."""
        return {
            "error": self.message,
            "conflict": None if self.conflict is None else self.conflict.to_dict(),
        }


NoSolution.__module__ = "syncscope.errors"  # where users import it from, like the rest of the tree


def has_valid_completion(space: Space, fixed: Mapping[int, int]) -> bool:
    """Whether some valid configuration agrees with ``fixed`` (variable index -> value index).

    The question the diagram answers under every rule; compare
    :func:`~syncscope.solver.explain.propagate.rules_admit`, which asks it
    under a subset of the rules.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> has_valid_completion(space, space.encode({"email_system": "gmail"}))
    True
    >>> has_valid_completion(space, space.encode({"deployment": "online", "email_system": "msn"}))
    False
    """
    counts = space.diagram.count(fixed)
    return any(counts[level] for level in _VALID)


def shrink(
    space: Space, fixed: Mapping[int, int], order: Iterable[int] | None = None
) -> dict[int, int]:
    """A minimal subset of ``fixed`` with no valid completion, by deletion.

    Each variable of ``order`` (all of ``fixed`` in index order by default) is
    dropped when the rest still has no valid completion; what remains has
    none, and every proper subset has one (having a valid completion is
    monotone in the settings).

    Raises
    ------
    ValueError
        If ``fixed`` has a valid completion.
    """
    if has_valid_completion(space, fixed):
        raise ValueError("the settings have a valid completion")
    keep = dict(fixed)
    for var in sorted(fixed) if order is None else list(order):
        trial = {v: i for v, i in keep.items() if v != var}
        if not has_valid_completion(space, trial):
            keep = trial
    return dict(sorted(keep.items()))


def conflict_of(space: Space, fixed: Mapping[int, int]) -> Conflict:
    """The :class:`Conflict` of settings with no valid completion, with a minimal set of rules.

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
    pool = [t.index for t in blocking if t.maybe_broken(fixed, sizes)]
    found = propagate(tables, fixed, pool, allowed=blocking_supports(space), schedule="queued")
    if found.wipeout is not None:
        return minimal_rules(tables, fixed, sorted(found.wipeout), infeasible=True)
    return minimal_rules(tables, fixed, pool)
