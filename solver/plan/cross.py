"""Plans across editions: steps valid under one edition, one upgrade step, then steps under another.

The search walks a layered graph: configurations of the start edition A (its
minimal moves), the *upgrade* edges from an A-valid configuration to a
B-valid one, and configurations of the target edition B (its minimal moves).
Every plan crosses exactly once, and the planner picks where, with the
objective of :mod:`~syncscope.solver.plan.planner`: monotone first, then the
fewest steps (the upgrade counts as one), then the lowest cost.

An upgrade carries every setting both editions have, changes each one whose
value B does not cover (the version, and the deployment when B covers only
the other one) to any value B covers, drops the settings only A has and sets
the ones only B has. When the result is not valid under B, the upgrade also
changes a *minimal* set of the other settings: no proper part of those
changes makes it valid (the repairs of :func:`upgrade_moves`, enumerated on
B's diagram the way :mod:`~syncscope.solver.plan.moves` finds minimal moves).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any, ClassVar

from syncscope.model import ConfigurationError, Level, Model, Rule, Value, format_value
from syncscope.model.costs import costs_for, load_costs

from ..diagram.space import Space
from ..repair.nearest import Candidate, nearest
from ..repair.weights import UNIFORM, Weights, exact_weight, load_weights_file
from ..results import Change, json_number
from .batch import RecordLike, Skipped
from .ends import nearest_targets
from .moves import Node, move_diagram
from .org import OrgAction, OrgPlan, OrgStep, Unplannable
from .results import Step
from .search import Goal, Limits, Walker, any_valid
from .ties import ties

__all__ = [
    "BUDGET",
    "CrossOrgPlan",
    "CrossPlan",
    "Upgrade",
    "plan_across",
    "plan_organisation_across",
    "upgrade_moves",
]

BUDGET = 20_000
"""Configurations (of both editions) a search expands before it gives up."""
ENDS = 8
"""For a partial target: how many of its cheapest valid completions a monotone plan may end at."""
SUGGESTIONS = 5
"""How many nearest valid targets an invalid target gets."""

_VALID = frozenset(int(level) for level in Level.valid_levels())
_SET = -1
"""In an upgrade, a variable set afresh (B only, or a value B does not cover)."""

State = tuple[int, Node]
"""A configuration of the layered graph: (0 for the start edition, 1 for the target's, node)."""
UpEdge = tuple[Node, int, tuple[int, ...]]
"""An upgrade: the B configuration reached, its cost (common units), the B variables changed."""


@dataclass(frozen=True, slots=True)
class Upgrade:
    """The step where the edition changes."""

    from_edition: str
    """The edition every earlier step is valid under."""
    to_edition: str
    """The edition this step and every later one is valid under."""
    dropped: Mapping[str, Value] = field(default_factory=lambda: MappingProxyType({}))
    """Settings only the earlier edition has, as they were: they stop existing here."""
    introduced: Mapping[str, Value] = field(default_factory=lambda: MappingProxyType({}))
    """Settings only the later edition has, as this step sets them."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"from_edition", "to_edition", "dropped", "introduced"}``."""
        return {
            "from_edition": self.from_edition,
            "to_edition": self.to_edition,
            "dropped": dict(self.dropped),
            "introduced": dict(self.introduced),
        }


@dataclass(frozen=True, slots=True)
class CrossPlan:
    """A plan across two editions, or the reason there is none."""

    feasible: bool
    """Whether a plan exists within the limits."""
    edition: str
    """The start's edition."""
    to_edition: str
    """The target's edition."""
    start: Mapping[str, Value]
    """The start, canonical, in the start edition's model order."""
    target: Mapping[str, Value]
    """The target as given (full, or the settings the end must have), under ``to_edition``."""
    steps: tuple[Step, ...] = ()
    """The steps in order; each is valid under its entry of ``editions``."""
    editions: tuple[str, ...] = ()
    """Per step, the edition its configuration is valid under."""
    upgrade: Upgrade | None = None
    """What the upgrade step drops and sets; None without a plan."""
    upgrade_step: int | None = None
    """The index in ``steps`` of the upgrade step; None without a plan."""
    cost: float | None = None
    """The total change cost; None without a plan."""
    start_verdict: Level = Level.SUPPORTED
    """The start's verdict under ``edition``."""
    reason: str | None = None
    """Without a plan: why, in a sentence."""
    suggestions: tuple[Candidate, ...] = ()
    """For a target no configuration valid under ``to_edition`` matches: the nearest valid ones."""
    monotone: bool = True
    """Whether every setting changes at most once, straight to its end value."""

    @property
    def end(self) -> Mapping[str, Value]:
        """Where the plan ends (the start when there is no step)."""
        return self.steps[-1].configuration if self.steps else self.start

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: the keys of ``Plan.to_dict`` plus ``edition``, ``to_edition`` and
        ``upgrade_step``; each step adds ``edition`` and ``upgrade`` (null but at the upgrade)."""
        steps = []
        for i, (step, edition) in enumerate(zip(self.steps, self.editions, strict=True)):
            data = step.to_dict()
            data["edition"] = edition
            data["upgrade"] = (
                self.upgrade.to_dict() if i == self.upgrade_step and self.upgrade else None
            )
            steps.append(data)
        out: dict[str, object] = {
            "feasible": self.feasible,
            "edition": self.edition,
            "to_edition": self.to_edition,
            "cost": None if self.cost is None else json_number(self.cost),
            "steps": steps,
            "upgrade_step": self.upgrade_step,
            "start": dict(self.start),
            "start_verdict": self.start_verdict.id,
            "target": dict(self.target),
            "monotone": self.monotone,
        }
        if not self.feasible:
            out["reason"] = self.reason
            out["suggestions"] = [c.to_dict() for c in self.suggestions]
        return out


def plan_across(
    a: Space,
    b: Space,
    start: Mapping[str, Value],
    target: Mapping[str, Value],
    *,
    keep: Iterable[str] = (),
    avoid: Iterable[tuple[str, Value]] = (),
    weights: str | Mapping[str, object] | None = None,
    max_step: int | None = None,
) -> CrossPlan:
    """The plan from ``start`` (valid under ``a``) to ``target`` (under ``b``) through one upgrade.

    Parameters
    ----------
    a, b : Space
        The compiled start and target editions (different editions).
    start : mapping
        A full configuration of ``a``, valid under it, canonical.
    target : mapping
        A full or partial configuration of ``b``, canonical.
    keep : iterable of str
        Variables held at their start values throughout (both editions must have them,
        and ``b`` must cover the start value).
    avoid : iterable of (variable, value)
        Values no configuration along the way may take, in whichever edition has them.
    weights : str, mapping or None
        As ``Weights.of`` takes them; applied to each edition. A change at the upgrade
        between values no single edition covers (``version: 8.2 -> 9.1``) costs what
        the shared cost table says, 1 with ``uniform``, or a plain number given for it.
    max_step : int, optional
        The most settings one step may change (the upgrade's changes included).

    Returns
    -------
    CrossPlan
        Frozen; ``to_dict()`` gives the JSON contract.

    Raises
    ------
    ConfigurationError
        For the same edition twice, a partial or invalid start, a kept variable that
        must change at the upgrade, an unknown kept or avoided variable or value, a
        bad weight or a step cap below 1.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> from syncscope.solver.diagram.space import compiled
    >>> a, b = compiled(load_model()), compiled(load_model(edition="online-2022-01"))
    >>> start = {"deployment": "online", "version": "8.2", "email_system": "exchange-online",
    ...     "incoming_protocol": "ews", "outgoing_protocol": "ews",
    ...     "sync_appointments_contacts_tasks": True, "authentication": "server-to-server",
    ...     "autodiscover": True, "profile_type": "exchange-online", "ports": "default",
    ...     "same_tenant": True, "fips_mode": False, "mfa": False, "customer_key": False,
    ...     "outlook_on_the_web": False, "outlook_manual_tracking": False,
    ...     "mass_email_campaigns": False, "custom_email_provider": False,
    ...     "mixed_outlook_act_sync": False}
    >>> result = plan_across(a, b, start, {"version": "9.2"})
    >>> result.editions, result.upgrade_step
    (('online-2022-01',), 0)
    >>> [str(c) for c in result.steps[0].changes]
    ['version: 8.2 -> 9.2']
    >>> sorted(result.upgrade.dropped)
    ['fips_mode', 'outlook_on_the_web', 'ports']
    """
    return _Cross(a, b, start, target, keep, avoid, weights, max_step).run()


def upgrade_moves(a: Space, b: Space, x: Node) -> tuple[tuple[Node, tuple[int, ...]], ...]:
    """Every upgrade from the ``a``-valid configuration ``x``: (``b`` configuration, changed).

    ``changed`` lists the ``b`` variables whose value differs from ``x``'s (a
    value ``b`` does not cover always does; settings only ``b`` has are set,
    not changed). The changes besides the forced ones are minimal: no proper
    part of them, with the same forced values and new settings, is valid under ``b``.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> from syncscope.solver.diagram.space import compiled
    >>> a, b = compiled(load_model()), compiled(load_model(edition="online-2022-01"))
    >>> x = a.tables.encode({"deployment": "online", "version": "8.2",
    ...     "email_system": "exchange-online", "incoming_protocol": "ews",
    ...     "outgoing_protocol": "ews", "sync_appointments_contacts_tasks": True,
    ...     "authentication": "server-to-server", "autodiscover": True,
    ...     "profile_type": "exchange-online", "ports": "default", "same_tenant": True,
    ...     "fips_mode": False, "mfa": False, "customer_key": False,
    ...     "outlook_on_the_web": False, "outlook_manual_tracking": False,
    ...     "mass_email_campaigns": False, "custom_email_provider": False,
    ...     "mixed_outlook_act_sync": False})
    >>> found = upgrade_moves(a, b, tuple(x.values()))
    >>> sorted({b.tables.domains[1][y[1]] for y, _ in found})
    ['9.1', '9.2']
    """
    return _Bridge.of(a, b).moves(x)


@dataclass(frozen=True, slots=True)
class CrossOrgPlan:
    """One plan for every mailbox of an inventory across two editions: the upgrade, with every
    organisation-scope change, is one step for everyone."""

    edition: str
    """The inventory's edition: every step before the upgrade is valid under it."""
    to_edition: str
    """The target's edition: the upgrade step and every later one are valid under it."""
    plan: OrgPlan
    """The steps (``kind`` is ``mailboxes`` before and after the upgrade, ``upgrade`` at it),
    the organisation's settings at the end, and the mailboxes that cannot be taken along."""
    upgrade_step: int | None
    """The index of the upgrade in ``plan.steps``; None when no mailbox is planned."""
    introduced: tuple[Mapping[str, Value], ...] = ()
    """Per action of the upgrade step, the settings only ``to_edition`` has, as it sets them
    (the settings only ``edition`` has are dropped there)."""

    @property
    def complete(self) -> bool:
        """Whether every mailbox is planned (rows out of scope aside)."""
        return self.plan.complete

    def editions(self) -> tuple[str, ...]:
        """Per step, the edition its configurations are valid under."""
        at = len(self.plan.steps) if self.upgrade_step is None else self.upgrade_step
        return (self.edition,) * at + (self.to_edition,) * (len(self.plan.steps) - at)

    def to_dict(self) -> dict[str, object]:
        """``OrgPlan.to_dict`` plus ``edition``, ``to_edition`` and ``upgrade_step``; each
        step adds ``edition`` and ``upgrade`` (``{"from_edition", "to_edition"}`` or null), and
        each action of the upgrade step ``introduced``."""
        out = self.plan.to_dict()
        steps = out["steps"]
        assert isinstance(steps, list)
        for i, (step, edition) in enumerate(zip(steps, self.editions(), strict=True)):
            step["edition"] = edition
            step["upgrade"] = None
            if i == self.upgrade_step:
                step["upgrade"] = {"from_edition": self.edition, "to_edition": self.to_edition}
                for action, new in zip(step["actions"], self.introduced, strict=True):
                    action["introduced"] = dict(new)
        out.update(edition=self.edition, to_edition=self.to_edition, upgrade_step=self.upgrade_step)
        return out


def plan_organisation_across(
    a: Space,
    b: Space,
    records: Iterable[RecordLike],
    target: Mapping[str, Value],
    *,
    keep: Iterable[str] = (),
    avoid: Iterable[tuple[str, Value]] = (),
    weights: str | Mapping[str, object] | None = None,
    max_step: int | None = None,
) -> CrossOrgPlan:
    """One plan for an inventory (read under ``a``) to ``target`` (under ``b``), one upgrade.

    Organisation-scope settings (``model/data/costs.toml``) change only at the upgrade, the
    same for everyone: to the target's values, and where the target leaves one open, to where
    the plan of the largest group of mailboxes takes it. Each distinct configuration is
    planned with :func:`plan_across` under that constraint; its steps before the upgrade are
    merged with the other mailboxes' step by step, then comes the upgrade for everyone, then
    the steps after it. A configuration not valid under ``a``, or with no plan, is named in
    ``unplannable`` with the reason.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from syncscope.model import load_model
    >>> from syncscope.solver.diagram.space import compiled
    >>> a, b = compiled(load_model()), compiled(load_model(edition="online-2022-01"))
    >>> exo = {"deployment": "online", "version": "8.2", "email_system": "exchange-online",
    ...     "incoming_protocol": "ews", "outgoing_protocol": "ews",
    ...     "sync_appointments_contacts_tasks": True, "authentication": "server-to-server",
    ...     "autodiscover": True, "profile_type": "exchange-online", "ports": "default",
    ...     "same_tenant": True, "fips_mode": False, "mfa": False, "customer_key": False,
    ...     "outlook_on_the_web": False, "outlook_manual_tracking": False,
    ...     "mass_email_campaigns": False, "custom_email_provider": False,
    ...     "mixed_outlook_act_sync": False}
    >>> rows = [SimpleNamespace(row=1, extra={"id": "ann"}, config=exo, status="ok", error=None),
    ...         SimpleNamespace(row=2, extra={"id": "bo"}, status="ok", error=None,
    ...                         config=dict(exo, outlook_manual_tracking=True))]
    >>> org = plan_organisation_across(a, b, rows, {"version": "9.2",
    ...                                             "outlook_manual_tracking": False})
    >>> [(s.kind, s.mailboxes) for s in org.plan.steps], org.upgrade_step
    ([('mailboxes', 1), ('upgrade', 2)], 1)
    """
    keep, avoid = tuple(keep), tuple(avoid)
    ta, tb = a.tables, b.tables
    scope_a, scope_b = costs_for(a.model), costs_for(b.model)
    held = [n for n in ta.names if scope_a.scope(n) == "organisation"]
    org_b = [n for n in tb.names if scope_b.scope(n) == "organisation"]
    groups: dict[Node, tuple[list[int], list[str]]] = {}
    skipped: list[Skipped] = []
    for record in records:
        config = record.config
        if config is None or record.status != "ok":
            skipped.append(Skipped(record.row, record.status, record.error, record.extra))
            continue
        node = tuple(ta.value_index[i][config[n]] for i, n in enumerate(ta.names))
        rows, ids = groups.setdefault(node, ([], []))
        rows.append(record.row)
        ids.append(next((x for x in record.extra.values() if x), f"row {record.row}"))
    ordered = sorted(groups.items(), key=lambda g: (-len(g[1][0]), g[1][0][0]))
    options: dict[str, Any] = {
        "keep": keep,
        "avoid": avoid,
        "weights": weights,
        "max_step": max_step,
    }
    ends: dict[str, Value] = {n: target[n] for n in org_b if n in target}
    for node, _ in ordered:
        if len(ends) == len(org_b) or not ta.verdict(node).valid:
            continue
        first = plan_across(a, b, ta.decode(node), target, **options)
        if first.feasible:
            ends.update({n: first.end[n] for n in org_b if n not in ends})
            break
    unplannable: list[Unplannable] = []
    lanes: list[tuple[list[int], list[str], CrossPlan]] = []
    for node, (rows, ids) in ordered:
        config = MappingProxyType(ta.decode(node))
        try:
            found = _Cross(a, b, config, target, keep, avoid, weights, max_step, held, ends).run()
        except ConfigurationError as exc:
            if "the start is" not in exc.message:
                raise
            unplannable.append(Unplannable(config, tuple(rows), tuple(ids), exc.message))
            continue
        if not found.feasible:
            reason = found.reason or "no plan"
            unplannable.append(Unplannable(config, tuple(rows), tuple(ids), reason))
            continue
        lanes.append((rows, ids, found))
    steps, at, introduced = _merge_lanes(lanes)
    return CrossOrgPlan(
        _edition(a.model),
        _edition(b.model),
        OrgPlan(
            MappingProxyType(dict(target)),
            MappingProxyType({n: ends[n] for n in org_b if n in ends}),
            steps,
            tuple(unplannable),
            tuple(skipped),
            sum(len(r) for r, _, _ in lanes),
        ),
        at,
        introduced,
    )


_Lane = tuple[list[int], list[str], Step, tuple[tuple[str, Value], ...]]
"""One group's step in a column: rows, ids, the step, and what it introduces at the upgrade."""
_ActionKey = tuple[tuple[Change, ...], tuple[tuple[str, Value], ...]]


def _merge_lanes(
    lanes: Sequence[tuple[list[int], list[str], CrossPlan]],
) -> tuple[tuple[OrgStep, ...], int | None, tuple[Mapping[str, Value], ...]]:
    """Steps before the upgrade by position, the upgrade for everyone, then the rest; with the
    settings each action of the upgrade introduces."""
    if not lanes:
        return (), None, ()

    def at(p: CrossPlan) -> int:
        return p.upgrade_step or 0

    def new(p: CrossPlan) -> tuple[tuple[str, Value], ...]:
        return tuple(p.upgrade.introduced.items()) if p.upgrade else ()

    before = max(at(p) for _, _, p in lanes)
    after = max(len(p.steps) - at(p) - 1 for _, _, p in lanes)
    columns: list[tuple[str, list[_Lane]]] = []
    for j in range(before):
        columns.append(("mailboxes", [(r, i, p.steps[j], ()) for r, i, p in lanes if j < at(p)]))
    columns.append(("upgrade", [(r, i, p.steps[at(p)], new(p)) for r, i, p in lanes]))
    for j in range(after):
        later: list[_Lane] = [
            (r, i, p.steps[at(p) + 1 + j], ()) for r, i, p in lanes if at(p) + 1 + j < len(p.steps)
        ]
        columns.append(("mailboxes", later))
    out = []
    introduced: tuple[Mapping[str, Value], ...] = ()
    for kind, moves in columns:
        actions: dict[_ActionKey, tuple[list[int], list[str], float]] = {}
        for rows, ids, step, extra in moves:
            got = actions.setdefault((step.changes, extra), ([], [], step.cost))
            got[0].extend(rows)
            got[1].extend(ids)
        merged = sorted(
            (
                (
                    OrgAction(
                        changes,
                        tuple(sorted(rows)),
                        tuple(i for _, i in sorted(zip(rows, ids, strict=True))),
                        cost,
                    ),
                    extra,
                )
                for (changes, extra), (rows, ids, cost) in actions.items()
            ),
            key=lambda x: (-len(x[0].rows), x[0].rows[0]),
        )
        if kind == "upgrade":
            introduced = tuple(MappingProxyType(dict(extra)) for _, extra in merged)
        out.append(OrgStep(kind, tuple(action for action, _ in merged)))
    return tuple(out), before, introduced


# -- the upgrade edges ------------------------------------------------------------------------
class _Bridge:
    """How configurations of one edition map into another's, and the upgrades between them."""

    _built: ClassVar[dict[tuple[str, str], _Bridge]] = {}

    def __init__(self, a: Space, b: Space) -> None:
        ta, tb = a.tables, b.tables
        self.a, self.b = a, b
        self.source: tuple[int | None, ...] = tuple(ta.index_of.get(n) for n in tb.names)
        """Per B variable, the A variable of the same name (None: B only)."""
        self.values: tuple[tuple[int, ...], ...] = tuple(
            ()
            if s is None
            else tuple(tb.value_index[w].get(value, _SET) for value in ta.domains[s])
            for w, s in enumerate(self.source)
        )
        """Per B variable, per A value index: the B value index (``_SET``: not covered)."""
        self.dropped = tuple(v for v, n in enumerate(ta.names) if n not in tb.index_of)
        """A variables B does not have."""
        diagram = b.diagram
        mask = diagram.lane_mask(Level.valid_levels())
        self.alive = tuple(bool(bits & mask) for bits in diagram.below)
        self._memo: dict[Node, tuple[tuple[Node, tuple[int, ...]], ...]] = {}

    @classmethod
    def of(cls, a: Space, b: Space) -> _Bridge:
        key = (a.model.digest, b.model.digest)
        hit = cls._built.get(key)
        if hit is None:
            hit = cls._built[key] = cls(a, b)
        return hit

    def carried(self, x: Node) -> tuple[int, ...]:
        """Per B variable, the B value index ``x`` carries over (``_SET`` where it has none)."""
        return tuple(_SET if s is None else self.values[w][x[s]] for w, s in enumerate(self.source))

    def moves(self, x: Node) -> tuple[tuple[Node, tuple[int, ...]], ...]:
        hit = self._memo.get(x)
        if hit is not None:
            return hit
        found = self._enumerate(self.carried(x))
        if len(self._memo) > 200_000:
            self._memo.clear()
        self._memo[x] = found
        return found

    def _enumerate(self, carried: tuple[int, ...]) -> tuple[tuple[Node, tuple[int, ...]], ...]:
        """Depth-first over B's levels (depth = the number of variables), memoised per state.

        A state is (node of the carried path, node of the reached path, nodes of the
        mixed paths that apply only some of the optional changes, changed yet); see
        :mod:`~syncscope.solver.plan.moves`. The carried path need not end valid: it
        is the configuration the upgrade repairs.
        """
        children = self.b.diagram.children
        alive = self.alive
        n = len(carried)
        memo: dict[tuple[int, int, int, frozenset[int], bool], tuple[tuple[int, ...], ...]] = {}

        def visit(
            level: int, left: int, right: int, mixed: frozenset[int], changed: bool
        ) -> tuple[tuple[int, ...], ...]:
            key = (level, left, right, mixed, changed)
            hit = memo.get(key)
            if hit is not None:
                return hit
            out: list[tuple[int, ...]] = []
            if level == n:
                if right in _VALID and (
                    not changed or (left not in _VALID and not (mixed & _VALID))
                ):
                    out.append(())
                memo[key] = () if not out else ((),)
                return memo[key]
            here = carried[level]
            lkids, rkids = children[left], children[right]
            for y, rkid in enumerate(rkids):
                if not alive[rkid]:
                    continue
                if here == _SET or y == here:
                    lkid = lkids[y]
                    nxt = frozenset(children[m][y] for m in mixed)
                    now = changed
                else:
                    lkid = lkids[here]
                    spread = set()
                    for m in mixed:
                        kids = children[m]
                        spread.add(kids[here])
                        spread.add(kids[y])
                    if changed:
                        spread.add(lkids[y])
                        spread.add(rkids[here])
                    nxt = frozenset(spread)
                    now = True
                # A mixed path that meets the reached one shares its valid future.
                if rkid in nxt or (now and lkid == rkid):
                    continue
                for tail in visit(level + 1, lkid, rkid, nxt, now):
                    out.append((y, *tail))
            found = tuple(out)
            memo[key] = found
            return found

        root = self.b.diagram.root
        result = []
        for y in visit(0, root, root, frozenset(), False):
            changed = tuple(w for w, (c, v) in enumerate(zip(carried, y, strict=True)) if c != v)
            changed = tuple(w for w in changed if self.source[w] is not None)
            result.append((y, changed))
        return tuple(result)


# -- the planner ------------------------------------------------------------------------------
class _Cross:
    """One planning question across two editions, checked and answered."""

    def __init__(
        self,
        a: Space,
        b: Space,
        start: Mapping[str, Value],
        target: Mapping[str, Value],
        keep: Iterable[str],
        avoid: Iterable[tuple[str, Value]],
        weights: str | Mapping[str, object] | None,
        max_step: int | None,
        hold: Iterable[str] = (),
        fixed: Mapping[str, Value] | None = None,
    ) -> None:
        ea, eb = _edition(a.model), _edition(b.model)
        if ea == eb:
            raise ConfigurationError(
                f"the start and target editions are both {ea}: give a different --to-edition"
                " (or plan within one edition without it)"
            )
        self.a, self.b, self.ea, self.eb = a, b, ea, eb
        ta, tb = self.ta, self.tb = a.tables, b.tables
        missing = [n for n in ta.names if n not in start]
        if missing:
            raise ConfigurationError(
                "the start must be a full configuration; it does not set " + ", ".join(missing),
                variable=missing[0],
            )
        if max_step is not None and (isinstance(max_step, bool) or max_step < 1):
            raise ConfigurationError(f"the step cap must be at least 1, got {max_step}")
        self.max_step = max_step
        self.start = MappingProxyType(ta.decode(ta.encode(start)))
        self.target = MappingProxyType(tb.decode(tb.encode(target)))
        self.node: Node = tuple(ta.value_index[v][self.start[n]] for v, n in enumerate(ta.names))
        self.start_verdict = ta.verdict(self.node)
        if not self.start_verdict.valid:
            broken = [
                t.rule.id for t in ta.rules if t.level >= Level.UNTESTED and t.breaks(self.node)
            ]
            raise ConfigurationError(
                f"the start is {self.start_verdict.id} under {ea} (it breaks {', '.join(broken)}):"
                f" a plan across editions starts from a configuration valid under {ea};"
                f" plan its repair first (syncscope plan --edition {ea})"
            )
        self.given = tb.encode(self.target)
        self.bridge = _Bridge.of(a, b)
        self.wa, self.wb = Weights.of(a, weights), Weights.of(b, weights)
        self.forced = self._forced_costs(weights)
        dens = [self.wa.scale, self.wb.scale] + [
            c.denominator for row in self.forced.values() for c in row.values()
        ]
        self.scale = math.lcm(*dens)
        self.ma, self.mb = self.scale // self.wa.scale, self.scale // self.wb.scale
        self.allowed_a, self.allowed_b = self._limits(keep, avoid)
        self._hold(hold, fixed or {})
        groups = move_diagram(b).components
        group_of = [0] * len(tb.names)
        for number, members in enumerate(groups):
            for v in members:
                group_of[v] = number
        self.group_of = tuple(group_of)

    # -- inputs ------------------------------------------------------------------------------
    def _forced_costs(
        self, spec: str | Mapping[str, object] | None
    ) -> dict[int, dict[tuple[Value, Value], Fraction]]:
        """Per B variable, the cost of each change from a value B does not cover."""
        ta, tb = self.ta, self.tb
        out: dict[int, dict[tuple[Value, Value], Fraction]] = {}
        table = load_costs()
        if isinstance(spec, str) and spec.strip().casefold() != UNIFORM:
            spec = load_weights_file(spec)
        for w, s in enumerate(self.bridge.source):
            if s is None:
                continue
            name = tb.names[w]
            pairs: dict[tuple[Value, Value], Fraction] = {}
            for i, before in enumerate(ta.domains[s]):
                if self.bridge.values[w][i] != _SET:
                    continue
                for after in tb.domains[w]:
                    pairs[(before, after)] = self._pair(spec, table, name, before, after)
            if pairs:
                out[w] = pairs
        return out

    def _pair(
        self,
        spec: str | Mapping[str, object] | None,
        table: Mapping[str, object],
        name: str,
        before: Value,
        after: Value,
    ) -> Fraction:
        if isinstance(spec, str):
            return Fraction(1)
        if isinstance(spec, Mapping):
            for key, raw in spec.items():
                if (
                    isinstance(key, str)
                    and key.strip().casefold() == name
                    and not isinstance(raw, Mapping)
                ):
                    return exact_weight(raw, name)
        base = exact_weight(self.a.model.variable(name).change_weight, name, "change_weight")
        entry = table.get(name)
        if entry is None:
            return base
        return entry.pair_cost(before, after, base)  # type: ignore[attr-defined, no-any-return]

    def _limits(
        self, keep: Iterable[str], avoid: Iterable[tuple[str, Value]]
    ) -> tuple[tuple[frozenset[int] | None, ...], tuple[frozenset[int] | None, ...]]:
        ta, tb = self.ta, self.tb
        la: list[frozenset[int] | None] = [None] * len(ta.names)
        lb: list[frozenset[int] | None] = [None] * len(tb.names)
        for name in keep:
            if name not in ta.index_of:
                raise ConfigurationError(
                    f"unknown variable {name!r} to keep: {self.ea} has no such setting",
                    variable=name,
                )
            value = self.start[name]
            la[ta.index_of[name]] = frozenset([ta.value_index[ta.index_of[name]][value]])
            if name not in tb.index_of:
                continue  # kept until the upgrade drops it
            lv = tb.index_of[name]
            if value not in tb.value_index[lv]:
                raise ConfigurationError(
                    f"{name} cannot be kept at {format_value(value)}: {self.eb} does not cover"
                    " it, so the upgrade must change it",
                    variable=name,
                    value=value,
                )
            lb[lv] = frozenset([tb.value_index[lv][value]])
        for name, value in avoid:
            hit = False
            for tables, limits in ((ta, la), (tb, lb)):
                v = tables.index_of.get(name)
                if v is None or value not in tables.value_index[v]:
                    continue
                hit = True
                i = tables.value_index[v][value]
                was = limits[v]
                limits[v] = (frozenset(range(tables.sizes[v])) if was is None else was) - {i}
            if not hit:
                raise ConfigurationError(
                    f"unknown value {value!r} of {name} to avoid under {self.ea} or {self.eb}",
                    variable=name,
                    value=value,
                )
        return tuple(la), tuple(lb)

    def _hold(self, hold: Iterable[str], fixed: Mapping[str, Value]) -> None:
        """Settings that change only at the upgrade: held at the start's value before it
        (``hold``), and at ``fixed``'s value from it on (an organisation's cutover)."""
        ta, tb = self.ta, self.tb
        la, lb = list(self.allowed_a), list(self.allowed_b)
        for name in hold:
            v = ta.index_of[name]
            was_a = la[v]
            one = frozenset([self.node[v]])
            la[v] = one if was_a is None else one & was_a
        for name, value in fixed.items():
            w = tb.index_of[name]
            was_b = lb[w]
            only = frozenset([tb.value_index[w][value]])
            lb[w] = only if was_b is None else only & was_b
        self.allowed_a, self.allowed_b = tuple(la), tuple(lb)

    # -- the answer --------------------------------------------------------------------------
    def run(self) -> CrossPlan:
        problem = self._target_problem()
        if problem is not None:
            return problem
        if not all(a is None or v in a for v, a in zip(self.node, self.allowed_a, strict=True)):
            return self._fail("the start itself has a value to be avoided")
        best: tuple[int, int, list[State]] | None = None
        for end in self._ends():
            found = self._search(end)
            if found is not None and (best is None or found[:2] < best[:2]):
                best = found
        monotone = best is not None
        if best is None:
            best = self._search(None)
        if best is None:
            return self._fail(
                "no plan reaches the target within the limits"
                + (f" of {self.max_step} changes a step" if self.max_step else "")
                + f" (or within the search's budget of {BUDGET:,} configurations)"
            )
        return self._plan(best[2], monotone)

    def _target_problem(self) -> CrossPlan | None:
        tb, names = self.tb, self.tb.names
        if len(self.given) == len(names):
            node = tuple(self.given[v] for v in range(len(names)))
            verdict = tb.verdict(node)
            if verdict.valid:
                return None
            broken = [t.rule.id for t in tb.rules if t.level >= Level.UNTESTED and t.breaks(node)]
            return self._fail(
                f"the target is {verdict.id} under {self.eb}: it breaks {', '.join(broken)}",
                self._suggest(),
            )
        wanted: list[frozenset[int] | None] = [None] * len(names)
        for v, i in self.given.items():
            wanted[v] = frozenset([i])
        if any_valid(self.b.diagram, wanted):
            return None
        return self._fail(
            f"no configuration valid under {self.eb} has the target's settings", self._suggest()
        )

    def _suggest(self) -> tuple[Candidate, ...]:
        free = [None] * len(self.tb.names)
        return nearest_targets(self.b, self.given, free, self.wb, top=SUGGESTIONS)

    def _fail(self, reason: str, suggestions: tuple[Candidate, ...] = ()) -> CrossPlan:
        return CrossPlan(
            False,
            self.ea,
            self.eb,
            self.start,
            self.target,
            start_verdict=self.start_verdict,
            reason=reason,
            suggestions=suggestions,
        )

    def _ends(self) -> tuple[Node, ...]:
        """Where a monotone plan may end: the target, or its cheapest valid completions."""
        tb = self.tb
        names = tb.names
        if len(self.given) == len(names):
            return (tuple(self.given[v] for v in range(len(names))),)
        overlay = {n: self.start[n] for n in names if n in self.start}
        overlay = {n: v for n, v in overlay.items() if v in tb.value_index[tb.index_of[n]]}
        overlay.update(self.target)
        found = nearest(
            self.b,
            overlay,
            keep=list(self.target),
            weights=self.wb,
            top=ENDS,
            allowed=self.allowed_b,
        )
        return tuple(
            tuple(tb.value_index[v][c.configuration[n]] for v, n in enumerate(names))
            for c in found.cheapest
        )

    def _search(self, end: Node | None) -> tuple[int, int, list[State]] | None:
        """Best-first over (steps, cost) in the layered graph; ``end``: monotone towards it."""
        cap = self.max_step
        if end is None:
            walk_a = Walker(move_diagram(self.a), Limits(self.allowed_a, cap, self.wa))
            walk_b = Walker(move_diagram(self.b), Limits(self.allowed_b, cap, self.wb))
            goal = Goal(tuple(sorted(self.given.items())), self.group_of, self.wb)
        else:
            walk_a, walk_b = self._monotone_walkers(end)
            goal = Goal(tuple(enumerate(end)), self.group_of, self.wb)
        ma, mb = self.ma, self.mb
        start: State = (0, self.node)
        best: dict[State, tuple[int, int, State | None]] = {start: (0, 0, None)}
        heap: list[tuple[int, int, int, State]] = [(1, 0, 0, start)]
        closed: set[State] = set()
        while heap:
            if len(closed) >= BUDGET:
                return None
            state = heapq.heappop(heap)[3]
            if state in closed:
                continue
            gs, gc, _ = best[state]
            layer, node = state
            if layer == 1 and goal.matches(node):
                path = [state]
                parent = best[state][2]
                while parent is not None:
                    path.append(parent)
                    parent = best[parent][2]
                path.reverse()
                return gs, gc, path
            closed.add(state)
            edges: list[tuple[State, int]] = []
            if layer == 0:
                edges.extend(((0, y), c * ma) for y, c, _ in walk_a.edges(node))
                edges.extend(((1, y), c) for y, c, _ in self._upgrades(node, end))
            else:
                edges.extend(((1, y), c * mb) for y, c, _ in walk_b.edges(node))
            for nxt, w in edges:
                if nxt in closed:
                    continue
                steps, cost = gs + 1, gc + w
                old = best.get(nxt)
                if old is None or (steps, cost) < (old[0], old[1]):
                    best[nxt] = (steps, cost, state)
                    if nxt[0] == 1:
                        hs, hc = goal.estimate(nxt[1])
                        hc *= mb
                    else:
                        hs, hc = 1, 0
                    heapq.heappush(heap, (steps + hs, cost + hc, -steps, nxt))
        return None

    def _monotone_walkers(self, end: Node) -> tuple[Walker, Walker]:
        """Moves that change each setting at most once, straight to its value in ``end``."""
        ta, tb = self.ta, self.tb
        allowed_a = list(self.allowed_a)
        wanted_a: list[int | None] = [None] * len(ta.names)
        for v, name in enumerate(ta.names):
            lv = tb.index_of.get(name)
            if lv is None:
                continue
            after = tb.domains[lv][end[lv]]
            i = ta.value_index[v].get(after)
            if i is None:  # only the upgrade can reach it
                allowed_a[v] = frozenset([self.node[v]])
            else:
                wanted_a[v] = i
                both = frozenset({self.node[v], i})
                allowed_a[v] = both if allowed_a[v] is None else both & allowed_a[v]  # type: ignore[operator]
        carried = self.bridge.carried(self.node)
        once_b = tuple(c for c in carried)  # _SET never matches: those never change in B
        limits_a = Limits(tuple(allowed_a), self.max_step, self.wa, self.node, tuple(wanted_a))
        limits_b = Limits(self.allowed_b, self.max_step, self.wb, once_b, end)
        return Walker(move_diagram(self.a), limits_a), Walker(move_diagram(self.b), limits_b)

    def _upgrades(self, x: Node, end: Node | None) -> list[UpEdge]:
        """The upgrades from ``x`` the limits allow, with their costs in common units."""
        bridge, tb = self.bridge, self.tb
        carried = bridge.carried(x)
        start = bridge.carried(self.node) if end is not None else ()
        cap = self.max_step
        allowed = self.allowed_b
        units, mb = self.wb.units, self.mb
        out: list[UpEdge] = []
        for y, changed in bridge.moves(x):
            if cap is not None and len(changed) > cap:
                continue
            if not all(a is None or v in a for v, a in zip(y, allowed, strict=True)):
                continue
            if end is not None and not self._monotone_upgrade(x, y, changed, start, end):
                continue
            cost = 0
            for w in changed:
                c = carried[w]
                if c == _SET:
                    s = bridge.source[w]
                    assert s is not None
                    pair = (self.ta.domains[s][x[s]], tb.domains[w][y[w]])
                    cost += int(self.forced[w][pair] * self.scale)
                else:
                    cost += units[w][c][y[w]] * mb
            out.append((y, cost, changed))
        return out

    def _monotone_upgrade(
        self, x: Node, y: Node, changed: tuple[int, ...], start: tuple[int, ...], end: Node
    ) -> bool:
        bridge = self.bridge
        for w in changed:
            s = bridge.source[w]
            assert s is not None
            if x[s] != self.node[s] or y[w] != end[w]:
                return False
        return all(y[w] == end[w] for w, s in enumerate(bridge.source) if s is None)

    # -- the plan ----------------------------------------------------------------------------
    def _plan(self, path: list[State], monotone: bool) -> CrossPlan:
        ta, tb = self.ta, self.tb
        end = path[-1][1]
        end_values = {n: tb.domains[v][end[v]] for v, n in enumerate(tb.names)}
        detour = (
            None
            if monotone
            else (
                "no direct route exists: every order that changes each setting once, straight to"
                " its end value, passes through a configuration that is not valid under its edition"
                " (or breaks the limits)"
            )
        )
        steps: list[Step] = []
        editions: list[str] = []
        upgrade: Upgrade | None = None
        at: int | None = None
        total = 0
        for (la, before), (lb, after) in itertools.pairwise(path):
            if la == lb:
                tables, w, m = (ta, self.wa, self.ma) if la == 0 else (tb, self.wb, self.mb)
                changed = [v for v, (p, q) in enumerate(zip(before, after, strict=True)) if p != q]
                changes = tuple(
                    Change(
                        tables.names[v], tables.domains[v][before[v]], tables.domains[v][after[v]]
                    )
                    for v in changed
                )
                units = w.cost(before, after) * m
                tied = ties(tables, before, after)
                edition = self.ea if la == 0 else self.eb
            else:
                changes, units, tied, upgrade = self._upgrade_step(before, after)
                at = len(steps)
                tables, edition = tb, self.eb
            total += units
            borrowed = tuple(
                c for c in changes if c.variable in end_values and c.after != end_values[c.variable]
            )
            steps.append(
                Step(
                    changes,
                    MappingProxyType(tables.decode(after)),
                    tables.verdict(after),
                    units / self.scale,
                    False,
                    tied,
                    borrowed,
                    detour if borrowed else None,
                )
            )
            editions.append(edition)
        seen: set[str] = set()
        once = True
        for step in steps:
            for c in step.changes:
                once = once and c.variable not in seen
                seen.add(c.variable)
        return CrossPlan(
            True,
            self.ea,
            self.eb,
            self.start,
            self.target,
            tuple(steps),
            tuple(editions),
            upgrade,
            at,
            total / self.scale,
            self.start_verdict,
            monotone=monotone and once and not any(s.borrowed for s in steps),
        )

    def _upgrade_step(
        self, x: Node, y: Node
    ) -> tuple[tuple[Change, ...], int, tuple[Rule, ...], Upgrade]:
        ta, tb, bridge = self.ta, self.tb, self.bridge
        carried = bridge.carried(x)
        changes = []
        cost = 0
        repaired = list(y)
        for w, s in enumerate(bridge.source):
            if s is None or carried[w] == y[w]:
                continue
            before, after = ta.domains[s][x[s]], tb.domains[w][y[w]]
            changes.append(Change(tb.names[w], before, after))
            if carried[w] == _SET:
                cost += int(self.forced[w][(before, after)] * self.scale)
            else:
                cost += self.wb.units[w][carried[w]][y[w]] * self.mb
                repaired[w] = carried[w]
        # Why the optional changes come along: what the upgrade without them breaks.
        tied = (
            tuple(
                t.rule for t in tb.rules if t.level >= Level.UNTESTED and t.breaks(tuple(repaired))
            )
            if tuple(repaired) != y
            else ()
        )
        upgrade = Upgrade(
            self.ea,
            self.eb,
            MappingProxyType({ta.names[v]: ta.domains[v][x[v]] for v in bridge.dropped}),
            MappingProxyType(
                {tb.names[w]: tb.domains[w][y[w]] for w, s in enumerate(bridge.source) if s is None}
            ),
        )
        return tuple(changes), cost, tied, upgrade


def _edition(model: Model) -> str:
    return model.edition if model.edition else "pre-9.0"
