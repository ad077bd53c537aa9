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

Each conflict then gets a minimal set of rules that rule it out, by QuickXplain
(:func:`syncscope.solver.explain.propagate.minimal_rules`), and a sentence built from the
user's own choices and the rules' messages and quotes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from syncscope.model import Level, Value

from ..diagram.space import Space
from .conflicts import Conflict, conflict_of
from .wording import Wording

__all__ = ["MAX_CONFLICTS", "Explanation", "explain", "maximal_agreements", "transversals"]

MAX_CONFLICTS = 32
"""The most conflicts an explanation lists; ``more`` says when others exist."""


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a configuration is (in)valid: its minimal conflicts and minimal diagnoses."""

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
    """A short derivation in words, one paragraph per conflict."""

    @property
    def valid(self) -> bool:
        """Whether the configuration (or some completion of it) is valid."""
        return self.verdict.valid

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"conflicts", "diagnoses", "more", "text", "valid", "verdict"}``."""
        return {
            "configuration": dict(self.configuration),
            "verdict": self.verdict.id,
            "valid": self.valid,
            "conflicts": [c.to_dict() for c in self.conflicts],
            "diagnoses": [list(d) for d in self.diagnoses],
            "more": self.more,
            "text": self.text,
        }


def explain(space: Space, config: Mapping[str, Value]) -> Explanation:
    """Explain a canonical configuration: minimal conflicts, minimal diagnoses, and words.

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
    """
    tables = space.tables
    given = tables.encode(config)
    variables = sorted(given)
    configuration = MappingProxyType(tables.decode(given))
    verdict = _verdict(space, given)
    wording = Wording.of(space.model)
    if verdict.valid:
        return Explanation(configuration, verdict, (), (), False, wording.valid(verdict, given))
    full = (1 << len(variables)) - 1
    feasible_sets = maximal_agreements(space, given)
    diagnoses = sorted((full & ~m for m in feasible_sets), key=lambda m: _key(m))
    conflict_masks = sorted(transversals(diagnoses), key=_key)
    shown = conflict_masks[:MAX_CONFLICTS]
    conflicts = tuple(
        conflict_of(space, {v: given[v] for v in _members(m, variables)}) for m in shown
    )
    named = tuple(tuple(tables.names[v] for v in _members(m, variables)) for m in diagnoses)
    more = len(conflict_masks) - len(shown)
    # Each conflict's level over the settings its sentence names (see Wording.split).
    named_settings = [wording.split(c, configuration)[2] for c in conflicts]
    levels = [space.diagram.best(space.encode(s)) for s in named_settings]
    text = wording.invalid(
        zip(conflicts, levels, strict=True), named, more=more, given=configuration
    )
    return Explanation(configuration, verdict, conflicts, named, more > 0, text)


def _verdict(space: Space, given: Mapping[int, int]) -> Level:
    tables = space.tables
    if len(given) == len(tables.sizes):
        return tables.verdict([given[v] for v in range(len(tables.sizes))])
    return space.diagram.best(given)


def _key(mask: int) -> tuple[int, tuple[int, ...]]:
    return mask.bit_count(), tuple(i for i in range(mask.bit_length()) if mask >> i & 1)


def _members(mask: int, variables: Sequence[int]) -> list[int]:
    return [v for i, v in enumerate(variables) if mask >> i & 1]


def maximal_agreements(space: Space, given: Mapping[int, int]) -> list[int]:
    """The maximal sets of given settings that some valid configuration keeps, as bit masks.

    Bit ``i`` stands for the ``i``-th given variable in model order. The
    result is an antichain: no mask is a subset of another.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> given = space.encode({"email_system": "gmail", "authentication": "server-to-server"})
    >>> sorted(maximal_agreements(space, given))
    [1, 2]
    """
    diagram = space.diagram
    children = diagram.children
    bit = {v: 1 << i for i, v in enumerate(sorted(given))}
    # Terminal masks: a valid terminal agrees on nothing below it; an invalid one has no path.
    sets: list[tuple[int, ...]] = [(0,) if level.valid else () for level in Level]
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
