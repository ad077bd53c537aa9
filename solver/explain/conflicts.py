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

from ..diagram.space import Space, per_space
from ..results import Finding
from .blame import SURELY, statuses
from .propagate import Supports, minimal_rules, propagate, supports

__all__ = [
    "Conflict",
    "NoSolution",
    "blame",
    "choose_rules",
    "conflict_of",
    "has_valid_completion",
    "shrink",
    "specificity",
]

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
        The settings and rules that leave nothing valid, when known: the first
        of ``causes``.
    causes : sequence of Conflict, optional
        Every cause (:func:`syncscope.solver.explain.causes.causes`), the
        ``conflict`` alone by default.

    Examples
    --------
    >>> error = NoSolution("nothing is valid")
    >>> error.message, error.conflict, error.to_dict()
    ('nothing is valid', None, {'error': 'nothing is valid', 'conflict': None, 'causes': []})
    """

    def __init__(
        self,
        message: str,
        conflict: Conflict | None = None,
        causes: Iterable[Conflict] | None = None,
    ) -> None:
        self.message = message
        self.conflict = conflict
        found = tuple(causes) if causes is not None else ()
        self.causes: tuple[Conflict, ...] = found or (() if conflict is None else (conflict,))
        super().__init__(message)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"error", "conflict", "causes"}`` (conflict shapes, or null)."""
        return {
            "error": self.message,
            "conflict": None if self.conflict is None else self.conflict.to_dict(),
            "causes": [c.to_dict() for c in self.causes],
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
    """The :class:`Conflict` of settings with no valid completion; rules by :func:`choose_rules`.

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

    The rules :func:`choose_rules` picks for ``fixed`` and its verdict.
    """
    return choose_rules(space, fixed)


@per_space
def specificity(space: Space) -> tuple[int, ...]:
    """Every rule, most specific first: the share of its scope a rule rules out, ascending.

    The blocking rules come in the order of
    :func:`~syncscope.solver.explain.blame.preference` (the same key), so a
    cause is blamed on the narrowest statement that is enough.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> order = [space.tables.rules[i].rule.id for i in specificity(space)]
    >>> order.index("unsupported.fips") < order.index("table.email-system")
    True
    """
    tables = space.tables

    def share(index: int) -> tuple[float, int]:
        table = tables.rules[index]
        combos = 1
        for var in table.scope:
            combos *= tables.sizes[var]
        return (len(table.broken) / combos, index)

    return tuple(sorted(range(len(tables.rules)), key=share))


@per_space
def _supports(space: Space) -> Supports:
    """:func:`~syncscope.solver.explain.propagate.supports` of every rule (once per space)."""
    return supports(space.tables, range(len(space.tables.rules)))


def choose_rules(
    space: Space, fixed: Mapping[int, int], level: Level | None = None
) -> tuple[int, ...]:
    """The rules a cause names: the one choice every query makes (rule indices, ascending).

    ``fixed`` must keep every completion at ``level`` or worse (by default its
    verdict, the best any completion reaches, which must be worse than
    supported). The rules are picked among those of ``level`` or worse, most
    specific first (:func:`specificity`):

    1. the most specific rule that every completion of ``fixed`` breaks, alone;
    2. else a minimal set found by QuickXplain over the rules some completion
       breaks, in that order, started from the rules behind the domain that arc
       consistency empties when it empties one.

    The answer depends on ``fixed`` and ``level`` only, so ``check``,
    ``explain``, ``domains``, ``list`` and ``batch`` name the same rules for the
    same question.

    Raises
    ------
    ValueError
        If some completion of ``fixed`` is better than ``level``.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> ids = lambda found: [space.tables.rules[i].rule.id for i in found]
    >>> ids(choose_rules(space, space.encode({"deployment": "online", "email_system": "msn"})))
    ['unsupported.fips']
    >>> ids(choose_rules(space, space.encode({"email_system": "gmail",
    ...                                       "authentication": "server-to-server"})))
    ['important.profile-type', 'facts.server-to-server-profile']
    """
    tables = space.tables
    if level is None:
        level = _best(space, fixed)
    if level is Level.SUPPORTED:
        raise ValueError("a supported completion exists: there is nothing to explain")
    status = statuses(space)
    pool: list[int] = []
    for i in specificity(space):
        table = tables.rules[i]
        if table.level < level:
            continue
        found = status[i][tuple(fixed.get(v, -1) for v in table.scope)]
        if found == SURELY:
            return (i,)
        if found:  # some completion breaks it
            pool.append(i)
    rank = {rule: k for k, rule in enumerate(pool)}
    narrowed = propagate(tables, fixed, pool, allowed=_supports(space), schedule="cheapest")
    if narrowed.wipeout is not None:
        derived = sorted(narrowed.wipeout, key=rank.__getitem__)
        return minimal_rules(tables, fixed, derived, infeasible=True)
    return minimal_rules(tables, fixed, pool)


def _best(space: Space, fixed: Mapping[int, int]) -> Level:
    tables = space.tables
    if len(fixed) == len(tables.sizes):
        return tables.verdict([fixed[v] for v in range(len(tables.sizes))])
    return space.diagram.best(fixed)
