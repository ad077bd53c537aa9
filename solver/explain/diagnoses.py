"""``explain``: every minimal conflict and minimal diagnosis of a configuration, exactly.

A *conflict* is a set of the user's settings that no valid configuration
contains, minimal when each proper subset is contained in one. A *diagnosis* is
a set of settings whose change restores validity, minimal when no proper subset
does. Both come from the compiled diagram without any search over settings:

1. A valid path of the diagram *agrees* with the user on some settings. Bottom
   up, each node keeps the antichain of maximal agreement sets (bit masks over
   the given settings) of its paths to a valid terminal. A level only adds its
   own bit and the bits below it are disjoint from those above, so keeping only
   maximal masks per node is exact. At the root these are the maximal feasible
   subsets of the settings.
2. The minimal diagnoses are their complements.
3. The minimal conflicts are the minimal hitting sets of the minimal diagnoses
   (Berge duality), computed by Berge's incremental transversal algorithm.

Each conflict then gets the rules of the one choice every query makes
(:func:`syncscope.solver.explain.conflicts.choose_rules`). The text names the
*causes* (:func:`syncscope.solver.explain.causes.causes`, the same ones ``check``,
``domains`` and ``list`` name), one paragraph each, then the distinct fixes as
:func:`syncscope.solver.repair.nearest.nearest` ranks them under the cost model,
equally cheap alternatives included (see :data:`MAX_FIXES`).

A discouraged configuration is explained the same way against the better
verdicts: its recommendations, then what would remove them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from syncscope.model import Level, Value

from ..diagram.space import Space
from ..queries.check import Outcome, single_outcomes
from ..queries.conditions import Condition, conditions
from ..results import Change
from .causes import causes, mask_key, maximal_agreements, transversals, verdict_of
from .conflicts import Conflict, conflict_of
from .wording import Fix, Wording

if TYPE_CHECKING:
    from ..repair.nearest import Candidate

__all__ = [
    "MAX_CONFLICTS",
    "MAX_FIXES",
    "Explanation",
    "explain",
    "maximal_agreements",
    "transversals",
]

MAX_CONFLICTS = 32
"""The most conflicts an explanation lists; ``more`` says when others exist."""
MAX_FIXES = 5
"""The most fixes listed, in ``nearest``'s order: its default ``top``, enough on the seed for
the equally cheap alternatives of one change (Gmail and Yahoo! Mail for MSN) and the next
dearer fixes, and still a short list. ``fixes_more`` says when others exist."""
FIX_POOL = 4 * MAX_FIXES
"""How many fixes are asked of ``nearest``, so that :data:`MAX_FIXES` remain once the fixes
that make another listed fix's changes and more are left out."""


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a configuration gets its verdict: its causes, minimal conflicts and fixes.

    For an invalid configuration, ``conflicts`` and ``diagnoses`` are about
    validity; for a discouraged (or limited) one, about reaching a better
    verdict (what would remove the recommendation); a supported one has none.
    """

    configuration: Mapping[str, Value]
    """The input, in canonical values and model order."""
    verdict: Level
    """As ``check`` gives it: for a partial input, the best any completion reaches."""
    conflicts: tuple[Conflict, ...]
    """Minimal conflicts, smallest first, then in model order; at most :data:`MAX_CONFLICTS`."""
    diagnoses: tuple[tuple[str, ...], ...]
    """Every minimal diagnosis (variables in model order), smallest first, then in model order."""
    more: bool
    """Whether more minimal conflicts exist than ``conflicts`` lists."""
    text: str
    """The explanation in words: one paragraph per cause, then the fixes ranked by cost."""
    causes: tuple[Conflict, ...] = ()
    """The causes the text names, as ``check``, ``domains`` and ``list`` name them."""
    fixes: tuple[Candidate, ...] = ()
    """For an invalid input: the distinct fixes in ``nearest``'s order (cost first, equally
    cheap alternatives included), up to :data:`MAX_FIXES`, without any fix whose changes
    contain another listed fix's changes."""
    fixes_more: bool = False
    """Whether more fixes exist than ``fixes`` lists (at the same cost or dearer)."""
    remedies: tuple[tuple[Change, ...], ...] = ()
    """For a discouraged input: changes of one setting each that reach a better verdict."""
    outcomes: tuple[Outcome, ...] = ()
    """For a partial valid input: what one unknown decides alone (see ``check``)."""
    conditions: tuple[Condition, ...] = ()
    """For a partial valid input: what the unknowns decide, one or two settings each
    (see ``check``)."""

    @property
    def valid(self) -> bool:
        """Whether the configuration (or some completion of it) is valid."""
        return self.verdict.valid

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"causes", "conflicts", "diagnoses", "fixes", "more", "text",
        "valid", "verdict", ...}``."""
        return {
            "configuration": dict(self.configuration),
            "verdict": self.verdict.id,
            "valid": self.valid,
            "causes": [c.to_dict() for c in self.causes],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "diagnoses": [list(d) for d in self.diagnoses],
            "more": self.more,
            "fixes": [f.to_dict() for f in self.fixes],
            "fixes_more": self.fixes_more,
            "remedies": [[c.to_dict() for c in r] for r in self.remedies],
            "outcomes": [o.to_dict() for o in self.outcomes],
            "conditions": [c.to_dict() for c in self.conditions],
            "text": self.text,
        }


def explain(space: Space, config: Mapping[str, Value], *, verbose: bool = False) -> Explanation:
    """Explain a canonical configuration: causes, minimal conflicts and diagnoses, fixes, words.

    ``verbose`` adds to the text, per cause, the other values that would not
    help, and the minimal diagnoses.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> result = explain(space, {"email_system": "gmail", "authentication": "server-to-server"})
    >>> [dict(c.settings) for c in result.conflicts]
    [{'email_system': 'gmail', 'authentication': 'server-to-server'}]
    >>> [r.id for r in result.conflicts[0].rules]
    ['important.profile-type', 'facts.server-to-server-profile']
    >>> result.diagnoses
    (('email_system',), ('authentication',))
    >>> [str(c) for c in result.fixes[0].changes]
    ['authentication: server-to-server -> user-or-queue-credentials']
    """
    tables = space.tables
    given = tables.encode(config)
    variables = sorted(given)
    configuration = MappingProxyType(tables.decode(given))
    verdict = verdict_of(space, given)
    wording = Wording.of(space.model)
    found = causes(space, given, verdict)
    if verdict is Level.SUPPORTED or (verdict.valid and not found.conflicts):
        told = conditions(space, given, verdict) if len(given) < len(tables.sizes) else ()
        return Explanation(
            configuration,
            verdict,
            (),
            (),
            False,
            wording.valid(verdict, given, conditions=told),
            outcomes=single_outcomes(told),
            conditions=told,
        )
    better = [level for level in Level if level < verdict] if verdict.valid else None
    full = (1 << len(variables)) - 1
    feasible_sets = maximal_agreements(space, given, better)
    diagnoses = sorted((full & ~m for m in feasible_sets), key=mask_key)
    conflict_masks = sorted(transversals(diagnoses), key=mask_key)
    shown = conflict_masks[:MAX_CONFLICTS]
    more = len(conflict_masks) - len(shown)
    named = tuple(tuple(tables.names[v] for v in _members(m, variables)) for m in diagnoses)
    if verdict.valid:
        conflicts = tuple(conflict_of(space, dict(_pairs(m, variables, given))) for m in shown)
        remedies = _remedies(space, given, verdict, diagnoses, variables)
        text = wording.discouraged(
            found.conflicts, verdict, [_fix(r) for r in remedies], named, given=configuration
        )
        return Explanation(
            configuration,
            verdict,
            conflicts,
            named,
            more > 0,
            text,
            found.conflicts,
            remedies=remedies,
        )
    conflicts = tuple(conflict_of(space, dict(_pairs(m, variables, given))) for m in shown)
    fixes, fixes_more = _fixes(space, configuration)
    text = wording.invalid(
        [(c, verdict_of(space, space.encode(dict(c.settings)))) for c in found.conflicts],
        named if verbose else (),
        more=0,
        given=configuration,
        fixes=[_fix(f.changes, f.cost, f.advice) for f in fixes],
        fixes_more=fixes_more,
        verbose=verbose,
    )
    return Explanation(
        configuration,
        verdict,
        conflicts,
        named,
        more > 0,
        text,
        found.conflicts,
        fixes,
        fixes_more=fixes_more,
    )


def _fix(changes: Sequence[Change], cost: float | None = None, advice: Sequence[str] = ()) -> Fix:
    return Fix(tuple(changes), cost, tuple(advice))


def _fixes(space: Space, configuration: Mapping[str, Value]) -> tuple[tuple[Candidate, ...], bool]:
    """The fixes ``nearest`` ranks first, up to :data:`MAX_FIXES`, and whether more exist.

    The order is ``nearest``'s own (cost, then its tie-breaks): no second
    ranking. A fix whose changes contain every change of a fix listed before it
    is left out: it does what that one does, and more, for no less.
    """
    from ..repair.nearest import nearest  # the repair search only when a fix is wanted

    found = nearest(space, configuration, top=FIX_POOL)
    kept: list[Candidate] = []
    seen: list[frozenset[tuple[str, Value]]] = []
    for candidate in found.candidates:
        changes = frozenset((c.variable, c.after) for c in candidate.changes)
        if any(earlier < changes for earlier in seen):
            continue
        if len(kept) == MAX_FIXES:
            return tuple(kept), True
        kept.append(candidate)
        seen.append(changes)
    return tuple(kept), found.more


def _remedies(
    space: Space,
    given: Mapping[int, int],
    verdict: Level,
    diagnoses: Sequence[int],
    variables: Sequence[int],
) -> tuple[tuple[Change, ...], ...]:
    """For each one-setting diagnosis, the values of that setting that reach a better verdict."""
    tables = space.tables
    out = []
    for mask in diagnoses:
        members = _members(mask, variables)
        if len(members) != 1:
            continue
        (var,) = members
        name = tables.names[var]
        for index, value in enumerate(tables.domains[var]):
            if index != given[var] and space.diagram.best({**given, var: index}) < verdict:
                out.append((Change(name, tables.domains[var][given[var]], value),))
    return tuple(out)


def _members(mask: int, variables: Sequence[int]) -> list[int]:
    return [v for i, v in enumerate(variables) if mask >> i & 1]


def _pairs(mask: int, variables: Sequence[int], given: Mapping[int, int]) -> list[tuple[int, int]]:
    return [(v, given[v]) for v in _members(mask, variables)]
