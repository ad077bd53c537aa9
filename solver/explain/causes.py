"""The causes of a verdict: the one answer every query gives to "why not better?".

``check``, ``explain``, ``domains``, ``list`` and ``batch`` all name the causes
this module picks (the rule is written out in docs/interpretations.md, "Which
cause is named"). A cause is a :class:`~syncscope.solver.explain.conflicts.Conflict`:
some of the user's settings and the rules that, together, keep every completion
at the verdict or worse.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from syncscope.model import Level

from ..diagram.space import Space
from .blame import SURELY, statuses
from .conflicts import Conflict, choose_rules, specificity

__all__ = [
    "MAX_CAUSES",
    "Causes",
    "causes",
    "maximal_agreements",
    "minimal_conflicts",
    "transversals",
    "verdict_of",
]

MAX_CAUSES = 32
"""The most causes of one kind listed; ``more`` says when others exist."""


@dataclass(frozen=True, slots=True)
class Causes:
    """Why settings reach no better verdict than ``verdict``."""

    verdict: Level
    """The best verdict any completion reaches (a full configuration's own verdict)."""
    conflicts: tuple[Conflict, ...]
    """The causes, in the order of the choice rule (see :func:`causes`)."""
    more: bool
    """Whether more causes exist than ``conflicts`` lists."""

    @property
    def rule_ids(self) -> frozenset[str]:
        """The ids of every rule the causes name."""
        return frozenset(r.id for c in self.conflicts for r in c.rules)


def verdict_of(space: Space, fixed: Mapping[int, int]) -> Level:
    """The verdict of ``fixed``: its own when full, else the best any completion reaches."""
    tables = space.tables
    if len(fixed) == len(tables.sizes):
        return tables.verdict([fixed[v] for v in range(len(tables.sizes))])
    return space.diagram.best(fixed)


def causes(
    space: Space,
    fixed: Mapping[int, int],
    verdict: Level | None = None,
    *,
    limit: int = MAX_CAUSES,
) -> Causes:
    """The causes that keep ``fixed`` (variable index -> value index) from a better verdict.

    1. Each rule of the verdict's level or worse (untested or unsupported for
       an invalid verdict) that every completion of ``fixed`` breaks is a cause
       on its own, with the fewest of the settings that still make every
       completion break it (dropped in model order). For a full configuration
       these are the rules it breaks. Most specific rule first.
    2. When none of those reaches the verdict (a partial configuration whose
       rules only fail together), the causes are the minimal sets of settings
       that keep every completion at the verdict or worse, fewest settings
       first, then in model order; each names the rules of
       :func:`~syncscope.solver.explain.conflicts.choose_rules`.

    A supported verdict has no causes.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> found = causes(space, space.encode({"deployment": "online", "email_system": "msn"}))
    >>> found.verdict.id, [[r.id for r in c.rules] for c in found.conflicts]
    ('unsupported', [['unsupported.fips'], ['table.email-system']])
    >>> found = causes(space, space.encode({"email_system": "gmail",
    ...                                     "authentication": "server-to-server"}))
    >>> [(dict(c.settings), [r.id for r in c.rules]) for c in found.conflicts]
    [({'email_system': 'gmail', 'authentication': 'server-to-server'}, \
['important.profile-type', 'facts.server-to-server-profile'])]
    """
    tables = space.tables
    if verdict is None:
        verdict = verdict_of(space, fixed)
    if verdict is Level.SUPPORTED:
        return Causes(verdict, (), False)
    floor = min(verdict, Level.UNTESTED)  # an invalid verdict: every blocking rule counts
    status = statuses(space)
    out: list[Conflict] = []
    reached = False
    for i in specificity(space):
        table = tables.rules[i]
        if table.level < floor:
            continue
        if status[i][tuple(fixed.get(v, -1) for v in table.scope)] != SURELY:
            continue
        needed = {v: fixed[v] for v in table.scope if v in fixed}
        for var in sorted(needed):
            trial = {v: a for v, a in needed.items() if v != var}
            if status[i][tuple(trial.get(v, -1) for v in table.scope)] == SURELY:
                needed = trial
        out.append(Conflict(MappingProxyType(tables.decode(needed)), (table.rule,)))
        reached = reached or table.level >= verdict
    if reached:
        return Causes(verdict, tuple(out), False)
    better = [level for level in Level if level < verdict]
    found = minimal_conflicts(space, fixed, better)
    shown = [
        Conflict(
            MappingProxyType(tables.decode(s)),
            tuple(tables.rules[i].rule for i in choose_rules(space, s, verdict)),
        )
        for s in found[:limit]
    ]
    return Causes(verdict, (*out, *shown), len(found) > limit)


def minimal_conflicts(
    space: Space, fixed: Mapping[int, int], ok: Collection[Level] | None = None
) -> list[dict[int, int]]:
    """The minimal subsets of ``fixed`` that no completion ending in ``ok`` agrees with.

    ``ok`` is the valid levels by default. Fewest settings first, then in model
    order; empty when ``fixed`` itself has such a completion.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> fixed = space.encode({"deployment": "online", "email_system": "msn",
    ...                       "authentication": "impersonation"})
    >>> [space.tables.decode(s) for s in minimal_conflicts(space, fixed)]
    [{'deployment': 'online', 'email_system': 'msn'}, \
{'email_system': 'msn', 'authentication': 'impersonation'}]
    """
    variables = sorted(fixed)
    full = (1 << len(variables)) - 1
    diagnoses = sorted((full & ~m for m in maximal_agreements(space, fixed, ok)), key=mask_key)
    if diagnoses == [0]:
        return []
    return [
        {v: fixed[v] for i, v in enumerate(variables) if m >> i & 1}
        for m in sorted(transversals(diagnoses), key=mask_key)
    ]


def mask_key(mask: int) -> tuple[int, tuple[int, ...]]:
    """Fewest members first, then the earliest members (model order)."""
    return mask.bit_count(), tuple(i for i in range(mask.bit_length()) if mask >> i & 1)


def maximal_agreements(
    space: Space, given: Mapping[int, int], ok: Collection[Level] | None = None
) -> list[int]:
    """The maximal sets of given settings that some configuration ending in ``ok`` keeps.

    ``ok`` is the valid levels by default. Bit ``i`` stands for the ``i``-th
    given variable in model order. The result is an antichain: no mask is a
    subset of another.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> given = space.encode({"email_system": "gmail", "authentication": "server-to-server"})
    >>> sorted(maximal_agreements(space, given))
    [1, 2]
    """
    accepted = set(Level.valid_levels() if ok is None else ok)
    diagram = space.diagram
    children = diagram.children
    bit = {v: 1 << i for i, v in enumerate(sorted(given))}
    # Terminal masks: an accepted terminal agrees on nothing below it; another has no path.
    sets: list[tuple[int, ...]] = [(0,) if level in accepted else () for level in Level]
    sets.extend(() for _ in range(len(children) - len(sets)))
    for level in range(len(diagram.levels) - 1, -1, -1):
        value = given.get(level)
        for node in diagram.levels[level]:
            kids = children[node]
            if value is None:
                pooled = [m for kid in dict.fromkeys(kids) for m in sets[kid]]
                sets[node] = _maximal(pooled)
                continue
            b = bit[level]
            agree = [m | b for m in sets[kids[value]]]
            other = [
                m
                for kid in dict.fromkeys(k for v, k in enumerate(kids) if v != value)
                for m in sets[kid]
            ]
            sets[node] = _maximal(agree + other) if other else tuple(agree)
    return list(sets[diagram.root])


def _maximal(masks: Sequence[int]) -> tuple[int, ...]:
    """The masks not strictly contained in another, without repeats, in a stable order."""
    unique = sorted(set(masks), key=lambda m: -m.bit_count())
    out: list[int] = []
    for m in unique:
        if not any(m & o == m for o in out):
            out.append(m)
    return tuple(out)


def transversals(family: Sequence[int]) -> list[int]:
    """The minimal hitting sets of a family of sets (bit masks), by Berge's algorithm.

    Examples
    --------
    >>> sorted(transversals([0b011, 0b110]))
    [2, 5]
    """
    found = [0]
    for edge in family:
        hit = [t for t in found if t & edge]
        grown = {t | (1 << i) for t in found if not t & edge for i in _bits(edge)}
        found = _minimal(hit + sorted(grown))
    return found


def _bits(mask: int) -> list[int]:
    return [i for i in range(mask.bit_length()) if mask >> i & 1]


def _minimal(masks: Sequence[int]) -> list[int]:
    unique = sorted(set(masks), key=lambda m: (m.bit_count(), m))
    out: list[int] = []
    for m in unique:
        if not any(o & m == o for o in out):
            out.append(m)
    return out
