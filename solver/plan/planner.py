"""``plan``: safe, ordered migration steps from one configuration to another.

The result types live in :mod:`syncscope.solver.plan.results` and are re-exported here.

Every configuration a plan passes through is valid, and every step is a
minimal move (see :mod:`syncscope.solver.plan.moves`). A plan has the fewest steps,
then the lowest total change cost (a variable's weight counts each time it
changes), ties broken deterministically (see :mod:`syncscope.solver.plan.search`).

Two facts shape the answers when there is no plan:

- Kept variables and avoided values alone never cut a valid start off a valid
  target that respects them. If the changes from one to the other are not a
  minimal move, some part of them lands on a valid configuration; splitting
  there, again and again, gives a plan whose every configuration takes each
  variable's value from one end or the other, so it keeps what both ends keep
  and avoids what both ends avoid.
- So a plan can only be missing because an end is unusable (invalid target,
  a target that changes a kept variable or takes an avoided value, a start
  that no allowed repair fixes) or because the cap on the size of a step is
  smaller than some change that has to happen at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from syncscope.model import ConfigurationError, Level, Rule, Value, format_value

from ..diagram.space import Space
from ..diagram.tables import Tables
from ..repair.nearest import Candidate, nearest
from ..repair.weights import Weights
from ..results import Change
from .blocks import monotone_blocks
from .ends import cheapest_repairs, nearest_targets
from .moves import Node, move_diagram
from .results import Plan, Solution, Step
from .search import Goal, Limits, Route, Walker, any_valid, search
from .ties import ties

__all__ = ["Plan", "Solution", "Step", "plan", "solve"]

REPAIR_CHOICES = 256
"""How many of the cheapest repairs (all, when there are no more) may be the first step;
the one with the best continuation wins."""
MONOTONE_ENDS = 8
"""For a partial target: how many of its cheapest valid completions a monotone plan may end at."""
SUGGESTIONS = 5
"""How many nearest valid targets an invalid target gets."""
SUGGESTION_CHOICES = 256
"""How many of the cheapest distinct stand-ins for an invalid target are ranked for the
suggestions (supported first, then fewer changes, then value order)."""


def plan(
    space: Space,
    start: Mapping[str, Value],
    target: Mapping[str, Value],
    *,
    keep: Iterable[str] = (),
    avoid: Iterable[tuple[str, Value]] = (),
    weights: Weights | Mapping[str, object] | None = None,
    max_step: int | None = None,
) -> Plan:
    """The migration plan from ``start`` to ``target`` (canonical values).

    Parameters
    ----------
    space : Space
        The compiled model.
    start : mapping
        A full configuration; when invalid, the first step is the cheapest repair.
    target : mapping
        A full configuration, or some settings: then any valid configuration
        with those settings will do, and the plan picks the best.
    keep : iterable of str
        Variables held at their start values throughout.
    avoid : iterable of (variable, value)
        Values no configuration along the way (nor the target) may take.
    weights : mapping, optional
        Variable -> change weight, overriding the rule set's declared weights.
    max_step : int, optional
        The most settings one step may change.

    Returns
    -------
    Plan
        Frozen; ``to_dict()`` gives the JSON contract.

    Raises
    ------
    ConfigurationError
        For a partial start, an unknown kept or avoided variable or value, a
        bad weight, or a step cap below 1.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> start = {"deployment": "online", "version": "8.2", "email_system": "gmail",
    ...     "incoming_protocol": "pop3", "outgoing_protocol": "smtp",
    ...     "sync_appointments_contacts_tasks": False,
    ...     "authentication": "user-or-queue-credentials", "autodiscover": True,
    ...     "profile_type": "pop3-smtp", "ports": "default", "same_tenant": True,
    ...     "fips_mode": False, "mfa": False, "customer_key": False,
    ...     "outlook_on_the_web": False, "outlook_manual_tracking": False,
    ...     "mass_email_campaigns": False, "custom_email_provider": False,
    ...     "mixed_outlook_act_sync": False}
    >>> result = plan(space, start, {"email_system": "exchange-online"})
    >>> [str(c) for c in result.steps[0].changes]  # doctest: +NORMALIZE_WHITESPACE
    ['email_system: gmail -> exchange-online', 'incoming_protocol: pop3 -> ews',
     'outgoing_protocol: smtp -> ews',
     'authentication: user-or-queue-credentials -> server-to-server',
     'profile_type: pop3-smtp -> exchange-online']
    >>> len(result.steps), [r.id for r in result.steps[0].tied_by][:2]
    (1, ['table.exchange-ews', 'table.pop3-smtp'])
    """
    return solve(
        space, start, target, keep=keep, avoid=avoid, weights=weights, max_step=max_step
    ).plan


def solve(
    space: Space,
    start: Mapping[str, Value],
    target: Mapping[str, Value],
    *,
    keep: Iterable[str] = (),
    avoid: Iterable[tuple[str, Value]] = (),
    weights: Weights | Mapping[str, object] | None = None,
    max_step: int | None = None,
) -> Solution:
    """Like :func:`plan`, and also return the search, for :mod:`~syncscope.solver.plan.graph`."""
    return _Planner(space, start, target, keep, avoid, weights, max_step).run()


class _Planner:
    """One planning question, checked and answered."""

    def __init__(
        self,
        space: Space,
        start: Mapping[str, Value],
        target: Mapping[str, Value],
        keep: Iterable[str],
        avoid: Iterable[tuple[str, Value]],
        weights: Weights | Mapping[str, object] | None,
        max_step: int | None,
    ) -> None:
        self.space = space
        tables = self.tables = space.tables
        names = tables.names
        missing = [n for n in names if n not in start]
        if missing:
            raise ConfigurationError(
                "the start must be a full configuration; it does not set " + ", ".join(missing),
                variable=missing[0],
            )
        if max_step is not None and (isinstance(max_step, bool) or max_step < 1):
            raise ConfigurationError(f"the step cap must be at least 1, got {max_step}")
        self.start = MappingProxyType(tables.decode(tables.encode(start)))
        self.target = MappingProxyType(tables.decode(tables.encode(target)))
        self.node: Node = _node(tables, self.start)
        self.given = tables.encode(self.target)
        self.keep = tuple(sorted({tables.index_of[_known(tables, k)] for k in keep}))
        self.avoid = _avoided(tables, avoid)
        self.weights = Weights.of(space, weights)
        self.scale = self.weights.scale
        self.max_step = max_step
        allowed: list[frozenset[int] | None] = [None] * len(names)
        for v, bad in self.avoid.items():
            allowed[v] = frozenset(range(tables.sizes[v])) - bad
        for v in self.keep:
            allowed[v] = frozenset([self.node[v]])
        self.limits = Limits(tuple(allowed), max_step, self.weights)
        self.start_verdict = tables.verdict(self.node)

    # -- the answer ----------------------------------------------------------
    def run(self) -> Solution:
        problem = self._ends_problem()
        if problem is not None:
            return Solution(problem)
        goal = self._goal()
        moves = move_diagram(self.space)
        best = self._monotone(goal, self.max_step, self.limits.allowed)
        if best is not None:
            walker, repaired, route, reached = best
            return Solution(
                self._plan(repaired, route), walker, reached, route, self.node, repaired, self.scale
            )
        walker = Walker(moves, self.limits)
        if not self.start_verdict.valid:
            cost, _ = cheapest_repairs(
                self.space, self.node, self.limits.allowed, self.weights, top=1
            )
            if cost is None:
                return Solution(self._fail(self._unrepairable()))
        found = self._route(walker, goal, self.limits.allowed)
        if found is None:
            if not self.start_verdict.valid and self._repair_too_big(self.limits.allowed):
                return Solution(self._fail(self._repair_text(self.limits.allowed)))
            return Solution(self._cap_problem(goal))
        walker, repaired, route = found
        result = self._plan(repaired, route, detour=self._why_detour(goal))
        return Solution(result, walker, goal, route, self.node, repaired, self.scale)

    def _monotone(
        self, goal: Goal, max_step: int | None, allowed: tuple[frozenset[int] | None, ...]
    ) -> tuple[Walker, Node | None, Route, Goal] | None:
        """The best plan that changes every variable at most once, straight to its end value."""
        moves = move_diagram(self.space)
        best: tuple[Walker, Node | None, Route, Goal] | None = None
        for end in self._ends(allowed):
            once = Limits(allowed, max_step, self.weights, self.node, end)
            blocks = monotone_blocks(moves, self.node, end, allowed, max_step)
            target = Goal(tuple(enumerate(end)), goal.group_of, self.weights, blocks)
            found = self._route(Walker(moves, once), target, self._monotone_allowed(end, allowed))
            if found is not None and (
                best is None or (found[2].steps, found[2].cost) < (best[2].steps, best[2].cost)
            ):
                best = (*found, target)
        return best

    def _route(
        self, walker: Walker, goal: Goal, allowed: tuple[frozenset[int] | None, ...]
    ) -> tuple[Walker, Node | None, Route] | None:
        """The best route from the start (or from its cheapest repairs within ``allowed``)."""
        if self.start_verdict.valid:
            route = search(walker, [self.node], goal)
            return None if route is None else (walker, None, route)
        _, repairs = cheapest_repairs(
            self.space, self.node, allowed, self.weights, top=REPAIR_CHOICES
        )
        cap = self.max_step
        fitting = [r for r in repairs if cap is None or len(_changed(self.node, r)) <= cap]
        if not fitting:
            return None
        # Every repair costs the same, so one search from all of them picks the best.
        route = search(walker, fitting, goal)
        return None if route is None else (walker, route.path[0], route)

    def _wanted(self) -> tuple[int | None, ...]:
        return tuple(self.given.get(v) for v in range(len(self.tables.names)))

    def _ends(self, allowed: tuple[frozenset[int] | None, ...]) -> tuple[Node, ...]:
        """Where a monotone plan may end: the target, or for a partial one, its cheapest
        valid completions from the start (the start's own values wherever they will do)."""
        names = self.tables.names
        if len(self.given) == len(names):
            return (tuple(self.given[v] for v in range(len(names))),)
        overlay = dict(self.start)
        overlay.update(self.target)
        found = nearest(
            self.space,
            overlay,
            keep=list(self.target),
            weights=self.weights,
            top=MONOTONE_ENDS,
            allowed=allowed,
        )
        return tuple(_node(self.tables, c.configuration) for c in found.cheapest)

    def _monotone_allowed(
        self, wanted: tuple[int | None, ...], allowed: tuple[frozenset[int] | None, ...]
    ) -> tuple[frozenset[int] | None, ...]:
        """The values a monotone repair may take: a set variable's start or end value."""
        out = list(allowed)
        for v, i in enumerate(wanted):
            if i is None:
                continue
            both = frozenset({self.node[v], i})
            was = out[v]
            out[v] = both if was is None else both & was
        return tuple(out)

    def _repair_too_big(self, allowed: tuple[frozenset[int] | None, ...]) -> bool:
        if self.max_step is None:
            return False
        _, repairs = cheapest_repairs(self.space, self.node, allowed, self.weights, top=1)
        return bool(repairs) and len(_changed(self.node, repairs[0])) > self.max_step

    def _repair_text(self, allowed: tuple[frozenset[int] | None, ...]) -> str:
        _, repairs = cheapest_repairs(
            self.space, self.node, allowed, self.weights, top=REPAIR_CHOICES
        )
        size = min(len(_changed(self.node, r)) for r in repairs)
        return (
            f"the start is {self.start_verdict.id}, and its cheapest repair changes"
            f" {size} settings at once, more than the cap of {self.max_step} per step"
        )

    def _why_detour(self, goal: Goal) -> str:
        """Why no plan changes each setting at most once, straight to its end value."""
        if self.max_step is not None:
            found = self._monotone(goal, None, self.limits.allowed)
            if found is not None:
                _, repaired, route, _ = found
                path = list(route.path) if repaired is None else [self.node, *route.path]
                big = max(len(_changed(x, y)) for x, y in itertools.pairwise(path))
                return (
                    f"no direct route exists within {self.max_step} changes a step: changing"
                    f" each setting once needs a step of {big} changes that must be made"
                    " together"
                )
        if (self.keep or self.avoid) and self._monotone(
            goal, self.max_step, tuple([None] * len(self.node))
        ):
            return (
                "no direct route exists" + self._limits_text() + ": changing each setting"
                " once would pass through a setting that is kept or avoided"
            )
        return (
            "no direct route exists: every order that changes each setting once, straight to"
            " its end value, passes through an untested or unsupported configuration"
        )

    # -- problems with the ends ----------------------------------------------
    def _ends_problem(self) -> Plan | None:
        tables = self.tables
        names = tables.names
        for v in self.keep:
            if v in self.given and self.given[v] != self.node[v]:
                return self._fail(
                    f"the target sets {names[v]}={_text(tables, v, self.given[v])}, but"
                    f" {names[v]} is kept at its start value {_text(tables, v, self.node[v])}"
                )
        for v, bad in sorted(self.avoid.items()):
            if self.given.get(v) in bad:
                return self._fail(
                    f"the target itself has {names[v]}={_text(tables, v, self.given[v])},"
                    " which is to be avoided"
                )
            if self.node[v] in bad:
                return self._fail(
                    f"the start itself has {names[v]}={_text(tables, v, self.node[v])},"
                    " which is to be avoided"
                )
        if len(self.given) == len(names):
            verdict = tables.verdict(_node(tables, self.target))
            if not verdict.valid:
                broken = [
                    t.rule.id
                    for t in tables.rules
                    if t.level >= Level.UNTESTED and t.breaks(_node(tables, self.target))
                ]
                return self._fail(
                    f"the target is {verdict.id}: it breaks {', '.join(broken)}",
                    self._suggest(),
                )
            return None
        narrowed = list(self.limits.allowed)
        for v, i in self.given.items():
            was = narrowed[v]
            narrowed[v] = frozenset([i]) if was is None or i in was else frozenset()
        if any_valid(self.space.diagram, narrowed):
            return None
        plain: list[frozenset[int] | None] = [None] * len(names)
        for v, i in self.given.items():
            plain[v] = frozenset([i])
        if not any_valid(self.space.diagram, plain):
            return self._fail("no valid configuration has the target's settings", self._suggest())
        return self._fail("no valid configuration has the target's settings" + self._limits_text())

    def _limits_text(self) -> str:
        tables = self.tables
        parts = []
        if self.keep:
            kept = ", ".join(
                f"{tables.names[v]}={_text(tables, v, self.node[v])}" for v in self.keep
            )
            parts.append(f" while keeping {kept}")
        if self.avoid:
            avoided = ", ".join(
                f"{tables.names[v]}={_text(tables, v, i)}"
                for v, bad in sorted(self.avoid.items())
                for i in sorted(bad)
            )
            parts.append(f" {'and' if parts else 'while'} avoiding {avoided}")
        return "".join(parts)

    def _unrepairable(self) -> str:
        return (
            f"the start is {self.start_verdict.id}, and no valid configuration is left to"
            " repair it to" + self._limits_text()
        )

    def _suggest(self) -> tuple[Candidate, ...]:
        """The nearest valid targets the limits admit, one per distinct set of changes."""
        return nearest_targets(
            self.space, self.given, self.limits.allowed, self.weights, top=SUGGESTIONS
        )

    def _cap_problem(self, goal: Goal) -> Plan:
        """No route within the limits: by the module's argument, only the cap can be why."""
        free = Limits(self.limits.allowed, None, self.limits.weights)
        walker = Walker(move_diagram(self.space), free)
        origins = [self.node]
        if not self.start_verdict.valid:
            _, origins_found = cheapest_repairs(
                self.space, self.node, self.limits.allowed, self.weights, top=REPAIR_CHOICES
            )
            origins = list(origins_found)
        route = search(walker, origins, goal)
        if route is None or self.max_step is None:  # not expected: see the module notes
            return self._fail("no plan connects the start to the target within the limits")
        repaired = None if self.start_verdict.valid else route.path[0]
        uncapped = self._plan(repaired, route)
        big = tuple(s for s in uncapped.steps if len(s.changes) > self.max_step)
        sizes = sorted({len(s.changes) for s in big})
        names = sorted({c.variable for s in big for c in s.changes})
        text = (
            f"no plan keeps every step to at most {self.max_step} changed settings: the best"
            f" plan without the cap changes {' or '.join(map(str, sizes))} settings at once"
            f" ({', '.join(names)}), and no way around it fits the cap"
        )
        return Plan(
            False,
            self.start,
            self.target,
            start_verdict=self.start_verdict,
            reason=text,
            blockers=big,
        )

    def _fail(self, reason: str, suggestions: tuple[Candidate, ...] = ()) -> Plan:
        return Plan(
            False,
            self.start,
            self.target,
            start_verdict=self.start_verdict,
            reason=reason,
            suggestions=suggestions,
        )

    # -- the plan ------------------------------------------------------------
    def _goal(self) -> Goal:
        groups = move_diagram(self.space).components
        group_of = [0] * len(self.tables.names)
        for number, members in enumerate(groups):
            for v in members:
                group_of[v] = number
        return Goal(tuple(sorted(self.given.items())), tuple(group_of), self.weights)

    def _plan(self, repaired: Node | None, route: Route, detour: str | None = None) -> Plan:
        tables = self.tables
        steps: list[Step] = []
        end = route.path[-1]
        if repaired is not None:
            broken = tuple(
                t.rule for t in tables.rules if t.level >= Level.UNTESTED and t.breaks(self.node)
            )
            steps.append(self._step(self.node, repaired, end, detour, repair=True, tied_by=broken))
        for before, after in zip(route.path, route.path[1:], strict=False):
            steps.append(
                self._step(before, after, end, detour, tied_by=ties(tables, before, after))
            )
        return Plan(
            True,
            self.start,
            self.target,
            tuple(steps),
            self._real(sum(self._units_of(b, a) for b, a in _pairs(self.node, repaired, route))),
            self.start_verdict,
            monotone=not any(s.borrowed for s in steps) and _once(steps),
            proven=route.proven,
            gap=route.gap,
        )

    def _step(
        self,
        before: Node,
        after: Node,
        end: Node,
        detour: str | None,
        *,
        repair: bool = False,
        tied_by: tuple[Rule, ...],
    ) -> Step:
        tables = self.tables
        changed = _changed(before, after)
        changes = tuple(
            Change(tables.names[v], tables.domains[v][before[v]], tables.domains[v][after[v]])
            for v in changed
        )
        # A value the plan later leaves again is borrowed: neither where it starts nor ends.
        borrowed = tuple(c for c, v in zip(changes, changed, strict=True) if after[v] != end[v])
        return Step(
            changes,
            MappingProxyType(tables.decode(after)),
            tables.verdict(after),
            self._real(self._units_of(before, after)),
            repair,
            tied_by,
            borrowed,
            detour if borrowed else None,
        )

    def _units_of(self, before: Node, after: Node) -> int:
        return self.weights.cost(before, after)

    def _real(self, units: int) -> float:
        """A scaled cost back in the weights' own units, correctly rounded."""
        return self.weights.real(units)


# -- small helpers --------------------------------------------------------------
def _once(steps: Iterable[Step]) -> bool:
    """Whether no variable changes twice."""
    seen: set[str] = set()
    for step in steps:
        for c in step.changes:
            if c.variable in seen:
                return False
            seen.add(c.variable)
    return True


def _pairs(origin: Node, repaired: Node | None, route: Route) -> list[tuple[Node, Node]]:
    """The (before, after) configurations of every step of a plan."""
    path = list(route.path) if repaired is None else [origin, *route.path]
    return list(itertools.pairwise(path))


def _node(tables: Tables, config: Mapping[str, Value]) -> Node:
    index = tables.value_index
    return tuple(index[i][config[n]] for i, n in enumerate(tables.names))


def _changed(before: Node, after: Node) -> tuple[int, ...]:
    return tuple(v for v, (a, b) in enumerate(zip(before, after, strict=True)) if a != b)


def _text(tables: Tables, var: int, value: int) -> str:
    return format_value(tables.domains[var][value])


def _known(tables: Tables, name: str) -> str:
    if name not in tables.index_of:
        raise ConfigurationError(f"unknown variable {name!r} to keep", variable=name)
    return name


def _avoided(tables: Tables, avoid: Iterable[tuple[str, Value]]) -> dict[int, frozenset[int]]:
    out: dict[int, set[int]] = {}
    for name, value in avoid:
        if name not in tables.index_of:
            raise ConfigurationError(f"unknown variable {name!r} to avoid", variable=name)
        v = tables.index_of[name]
        if value not in tables.value_index[v]:
            raise ConfigurationError(
                f"unknown value {value!r} of {name} to avoid", variable=name, value=value
            )
        out.setdefault(v, set()).add(tables.value_index[v][value])
    return {v: frozenset(s) for v, s in sorted(out.items())}
