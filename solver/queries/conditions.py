"""What the unknowns of a partial configuration decide: the conditions that make it worse.

A partial configuration gets the best verdict some completion reaches. When
other completions are worse yet still valid, the answer says on what:
"supported; discouraged if A is on and B is on". The rule (docs/interpretations.md,
"What the unknowns decide"):

- a **condition** is a set of settings of variables the configuration leaves
  open, of at most :data:`MAX_SETTINGS` of them;
- it is listed when, with the condition set and the other unknowns still open,
  the best verdict is valid and worse than the configuration's own, and no
  smaller part of it (no subset) already makes it worse.

So a condition of one setting is one open value whose completions are all worse
(what was said before for one unknown), and a condition of two settings says
that neither setting does it alone. Conditions are in model order: fewest
settings first, then by the variables' and values' places in the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from syncscope.model import Level, Value

from ..diagram.space import Space

__all__ = ["MAX_SETTINGS", "Condition", "conditions"]

MAX_SETTINGS = 2
"""The most open settings a condition names: a condition of more would read as a case
analysis, not an answer; on the seed, every minimal condition has at most two (tested)."""


@dataclass(frozen=True, slots=True)
class Condition:
    """With ``settings`` also set, the best verdict is ``verdict`` (worse, yet valid)."""

    settings: Mapping[str, Value]
    """Open variables and their values, in model order."""
    verdict: Level
    """The best verdict of the configuration with ``settings``: valid, and worse."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"settings": {variable: value}, "verdict"}``."""
        return {"settings": dict(self.settings), "verdict": self.verdict.id}


def conditions(
    space: Space, fixed: Mapping[int, int], verdict: Level | None = None
) -> tuple[Condition, ...]:
    """The minimal conditions on the open variables of ``fixed`` that make its verdict worse.

    ``fixed`` maps variable indices to value indices; ``verdict`` is its best
    verdict (computed when not given). Only a verdict with a valid worse one
    (``supported``) has conditions, and only when some completion is worse and
    valid. See the module notes for the rule.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> found = conditions(space, space.encode({"deployment": "online",
    ...                                         "email_system": "exchange-online"}))
    >>> [(dict(c.settings), c.verdict.id) for c in found]
    [({'sync_appointments_contacts_tasks': True, 'mixed_outlook_act_sync': True}, 'discouraged')]
    """
    diagram = space.diagram
    tables = space.tables
    if verdict is None:
        verdict = diagram.best(fixed)
    worse = [level for level in Level.valid_levels() if level > verdict]
    if not worse or len(fixed) == len(tables.sizes):
        return ()
    own = diagram.lane_mask([verdict])
    lanes = diagram.lane_mask(worse)
    if not diagram.count_packed(fixed) & lanes:
        return ()  # no completion is worse and valid: nothing to decide
    each = [(w, diagram.lane_mask([w])) for w in worse]  # one lane mask per worse level
    found: list[tuple[tuple[tuple[int, int], ...], Level]] = []
    # One pass per condition grown: the packed counts of every one-setting extension.
    frontier: list[tuple[tuple[int, int], ...]] = [()]
    for size in range(1, MAX_SETTINGS + 1):
        grown: list[tuple[tuple[int, int], ...]] = []
        for settings in frontier:
            base = {**fixed, **dict(settings)}
            kept = diagram.count_packed(base) & own
            last = settings[-1][0] if settings else -1
            for var, sums in enumerate(diagram.value_counts(base)):
                if var in base or var <= last:
                    continue
                for value, packed in enumerate(sums):
                    if not packed & lanes:
                        continue  # no completion is worse and valid: never a condition
                    extended = (*settings, (var, value))
                    if packed & own:
                        # Still reaches the verdict. Growing it helps only if this setting
                        # rules out some of the verdict's completions: else whatever more
                        # makes it worse would make it worse without this setting.
                        if size < MAX_SETTINGS and packed & own != kept:
                            grown.append(extended)
                    elif _minimal(space, fixed, extended, own):
                        level = next(w for w, lane in each if packed & lane)
                        found.append((extended, level))
        frontier = grown
    found.sort(key=lambda item: (len(item[0]), item[0]))
    return tuple(
        Condition(MappingProxyType(tables.decode(dict(settings))), level)
        for settings, level in found
    )


def _minimal(
    space: Space, fixed: Mapping[int, int], settings: tuple[tuple[int, int], ...], own: int
) -> bool:
    """Whether every part of ``settings`` without one of them still reaches the verdict."""
    if len(settings) == 1:
        return True
    count = space.diagram.count_packed
    return all(
        count({**fixed, **{v: a for v, a in settings if v != drop}}) & own for drop, _ in settings
    )
