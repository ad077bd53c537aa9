"""The results of planning: a plan's steps, the plan (or why there is none), and its search."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from syncscope.model import Level, Rule, Value

from ..repair.nearest import Candidate
from ..results import Change, json_number
from .moves import Node
from .search import Goal, Route, Walker

__all__ = ["Plan", "Solution", "Step"]


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a plan: the settings changed together and where they lead."""

    changes: tuple[Change, ...]
    """The settings changed, in model order."""
    configuration: Mapping[str, Value]
    """The full configuration after the step, in canonical values and model order."""
    verdict: Level
    """The verdict of ``configuration`` (``supported`` or ``discouraged``)."""
    cost: float
    """The sum of the change weights of ``changes``."""
    repair: bool = False
    """Whether the step repairs an invalid start (it need not be a minimal move)."""
    tied_by: tuple[Rule, ...] = ()
    """For a move: the rules that any part of its changes alone would break, so the
    changes go together. For a repair: the untested or unsupported rules the start breaks."""
    borrowed: tuple[Change, ...] = ()
    """Changes to a value the plan leaves again later: a detour, taken only when no plan
    changes each setting at most once, straight to its target value."""
    detour: str | None = None
    """With ``borrowed``: why no direct route exists."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: changes, configuration, verdict, repair, tied_by (rule ids), cost,
        borrowed (changes) and detour (why, or null)."""
        return {
            "changes": [c.to_dict() for c in self.changes],
            "configuration": dict(self.configuration),
            "verdict": self.verdict.id,
            "repair": self.repair,
            "tied_by": [r.id for r in self.tied_by],
            "cost": json_number(self.cost),
            "borrowed": [c.to_dict() for c in self.borrowed],
            "detour": self.detour,
        }


@dataclass(frozen=True, slots=True)
class Plan:
    """A migration plan, or the reason there is none."""

    feasible: bool
    """Whether a plan exists within the limits."""
    start: Mapping[str, Value]
    """The start, in canonical values and model order."""
    target: Mapping[str, Value]
    """The target as given: a full configuration, or the settings any end must have."""
    steps: tuple[Step, ...] = ()
    """The steps, in order; empty when the start already meets the target or there is no plan."""
    cost: float | None = None
    """The total change cost; None without a plan."""
    start_verdict: Level = Level.SUPPORTED
    """The verdict of the start."""
    reason: str | None = None
    """Without a plan: why, in a sentence."""
    suggestions: tuple[Candidate, ...] = ()
    """For a target that no valid configuration matches: the nearest valid ones."""
    blockers: tuple[Step, ...] = field(default=())
    """When the step cap is what rules a plan out: the steps of the best uncapped plan
    that change more settings at once than the cap allows."""
    monotone: bool = True
    """Whether every variable changes at most once, straight to its end value."""
    proven: bool = True
    """Whether no plan has fewer steps (the search proved it within its budget)."""
    gap: int = 0
    """When not ``proven``: how many steps this plan may have above the fewest."""

    @property
    def end(self) -> Mapping[str, Value]:
        """Where the plan ends: the last step's configuration (the start if nothing changes)."""
        return self.steps[-1].configuration if self.steps else self.start

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"feasible", "cost", "steps", "start", "target"}``.

        Without a plan, ``"reason"`` and ``"suggestions"`` (nearest valid targets)
        are added, and ``"blockers"`` when the step cap is the reason. A plan the
        search could not prove shortest within its budget adds ``"proven": false``
        and ``"gap"`` (the most steps it may have above the fewest).
        """
        out: dict[str, object] = {
            "feasible": self.feasible,
            "cost": None if self.cost is None else json_number(self.cost),
            "steps": [s.to_dict() for s in self.steps],
            "start": dict(self.start),
            "start_verdict": self.start_verdict.id,
            "target": dict(self.target),
            "monotone": self.monotone,
        }
        if not self.proven:
            out["proven"] = False
            out["gap"] = self.gap
        if not self.feasible:
            out["reason"] = self.reason
            out["suggestions"] = [c.to_dict() for c in self.suggestions]
            if self.blockers:
                out["blockers"] = [s.to_dict() for s in self.blockers]
        return out


@dataclass(frozen=True, slots=True)
class Solution:
    """A plan together with the search behind it, for building the plan's graph."""

    plan: Plan
    walker: Walker | None = None
    """The moves the plan may use (None without a plan)."""
    goal: Goal | None = None
    """What the end must be."""
    route: Route | None = None
    """The search's answer from the first valid configuration (after any repair) to the end."""
    origin: Node | None = None
    """The start, as value indices."""
    repaired: Node | None = None
    """The configuration the repair step reaches, when the start is invalid."""
    scale: int = 1
    """What the change weights were multiplied by to make the search's costs whole numbers."""
