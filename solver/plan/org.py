"""One plan for a whole organisation: organisation-wide changes once, for every mailbox at once.

Each distinct configuration of the inventory is planned once, toward its goal:
the target's settings, the organisation's end values, and every other setting at
its start value wherever some valid end allows it with the others kept (monotone
first: no valid end keeps one more). It is planned in three parts:

1. an invalid configuration is repaired first, without touching an
   organisation-scope setting (:mod:`syncscope.model.costs` says which those are),
   each setting it changes straight to its goal value; when no such repair
   exists before the organisation's change but one does at it, or when only the
   organisation's change repairs some mailbox, the organisation step comes first
   instead and every repair is made at it; only when neither exists is the
   cheapest repair taken, whatever it changes;
2. the organisation step sets every organisation-scope setting to its end value
   for everyone at once, each mailbox taking with it the cheapest changes that
   keep it valid (straight to its goal values where they will do);
3. the rest of each mailbox's plan follows with the organisation settings held,
   its steps merged with the other mailboxes' step by step, to the goal (so a
   setting the target leaves open that a repair had to move goes back where
   the end allows).

The end values of the organisation settings are the target's, and for the ones
the target leaves open, where the plan of the largest group of mailboxes ends.
After every step every mailbox is valid; a mailbox for which that is impossible
is named, with the reason, and the others still get the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from syncscope.model import Value, format_value
from syncscope.model.costs import costs_for

from ..diagram.space import Space
from ..repair.nearest import nearest
from ..repair.weights import Weights
from ..results import Change, json_number
from .batch import Completed, RecordLike, Skipped
from .moves import Node
from .planner import plan
from .search import any_valid

__all__ = ["OrgAction", "OrgPlan", "OrgStep", "Unplannable", "plan_organisation"]


@dataclass(frozen=True, slots=True)
class OrgAction:
    """One set of changes at one step, and the mailboxes that make it."""

    changes: tuple[Change, ...]
    """The settings changed, in model order."""
    rows: tuple[int, ...]
    """The mailboxes' row numbers, in input order."""
    ids: tuple[str, ...]
    """The mailboxes' ids (their first carried-through column, else ``row N``)."""
    cost: float
    """The cost of the changes, for one mailbox."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"changes", "mailboxes", "rows", "ids", "cost"}``."""
        return {
            "changes": [c.to_dict() for c in self.changes],
            "mailboxes": len(self.rows),
            "rows": list(self.rows),
            "ids": list(self.ids),
            "cost": json_number(self.cost),
        }


@dataclass(frozen=True, slots=True)
class OrgStep:
    """One step of the organisation plan."""

    kind: str
    """``repair`` (invalid mailboxes made valid), ``organisation`` (the organisation-wide
    change, for everyone at once) or ``mailboxes`` (profile and mailbox changes)."""
    actions: tuple[OrgAction, ...]
    """What changes, for which mailboxes; largest group first."""

    @property
    def mailboxes(self) -> int:
        """How many mailboxes the step touches."""
        return sum(len(a.rows) for a in self.actions)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"kind", "mailboxes", "actions"}``."""
        return {
            "kind": self.kind,
            "mailboxes": self.mailboxes,
            "actions": [a.to_dict() for a in self.actions],
        }


@dataclass(frozen=True, slots=True)
class Unplannable:
    """Mailboxes that share a configuration for which the organisation plan cannot work."""

    configuration: Mapping[str, Value]
    rows: tuple[int, ...]
    ids: tuple[str, ...]
    reason: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"configuration", "mailboxes", "rows", "ids", "reason"}``."""
        return {
            "configuration": dict(self.configuration),
            "mailboxes": len(self.rows),
            "rows": list(self.rows),
            "ids": list(self.ids),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class OrgPlan:
    """One plan for every mailbox of an inventory."""

    target: Mapping[str, Value]
    organisation: Mapping[str, Value]
    """The end value of every organisation-scope setting, the same for everyone."""
    steps: tuple[OrgStep, ...]
    unplannable: tuple[Unplannable, ...]
    """Mailboxes named with the reason the plan cannot take them along."""
    skipped: tuple[Skipped, ...]
    """Rows that gave no configuration, in input order."""
    planned: int
    """Mailboxes the plan takes to the target."""
    completed: tuple[Completed, ...] = ()
    """Rows that left settings unknown, planned with the values every valid completion has."""

    @property
    def mailboxes(self) -> int:
        """Every input row."""
        return self.planned + sum(len(u.rows) for u in self.unplannable) + len(self.skipped)

    @property
    def complete(self) -> bool:
        """Whether every mailbox is planned (rows out of scope aside)."""
        return not self.unplannable and all(s.status != "error" for s in self.skipped)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: target, organisation, counts, steps, unplannable, skipped, completed."""
        return {
            "target": dict(self.target),
            "organisation": dict(self.organisation),
            "mailboxes": self.mailboxes,
            "planned": self.planned,
            "steps": [s.to_dict() for s in self.steps],
            "unplannable": [u.to_dict() for u in self.unplannable],
            "skipped": [s.to_dict() for s in self.skipped],
            "completed": [c.to_dict() for c in self.completed],
        }


def _id(row: int, extra: Mapping[str, str]) -> str:
    for value in extra.values():
        if value:
            return value
    return f"row {row}"


class _Group:
    __slots__ = ("ids", "node", "rows")

    def __init__(self, node: Node) -> None:
        self.node = node
        self.rows: list[int] = []
        self.ids: list[str] = []


def plan_organisation(
    space: Space,
    records: Iterable[RecordLike],
    target: Mapping[str, Value],
    *,
    keep: Iterable[str] = (),
    avoid: Iterable[tuple[str, Value]] = (),
    weights: Weights | Mapping[str, object] | None = None,
    max_step: int | None = None,
    organisation: Iterable[str] | None = None,
) -> OrgPlan:
    """One plan for every mailbox of an inventory, organisation-wide changes at one step.

    Parameters
    ----------
    space : Space
        The compiled model.
    records : iterable
        Rows with ``row``, ``extra``, ``config``, ``status`` and ``error``.
    target : mapping
        Canonical settings every mailbox must end with (full or partial).
    keep, avoid, weights, max_step
        As for :func:`~syncscope.solver.plan.planner.plan` (the cap is not applied
        to the organisation step, which changes what it must for everyone at once).
    organisation : iterable of str, optional
        The organisation-scope variables; by default those the cost table says.

    Returns
    -------
    OrgPlan
        Frozen; ``to_dict()`` gives the JSON contract.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> gmail = {"deployment": "online", "version": "8.0", "email_system": "gmail",
    ...     "incoming_protocol": "pop3", "outgoing_protocol": "smtp",
    ...     "sync_appointments_contacts_tasks": False,
    ...     "authentication": "user-or-queue-credentials", "autodiscover": True,
    ...     "profile_type": "pop3-smtp", "ports": "default", "same_tenant": True,
    ...     "fips_mode": False, "mfa": False, "customer_key": False,
    ...     "outlook_on_the_web": False, "outlook_manual_tracking": False,
    ...     "mass_email_campaigns": False, "custom_email_provider": False,
    ...     "mixed_outlook_act_sync": False}
    >>> rows = [SimpleNamespace(row=1, extra={"id": "ann"}, config=gmail, status="ok", error=None),
    ...         SimpleNamespace(row=2, extra={"id": "bo"}, config=dict(gmail, ports="custom"),
    ...                         status="ok", error=None)]
    >>> org = plan_organisation(space, rows, {"version": "8.2", "email_system": "yahoo-mail"})
    >>> [(s.kind, s.mailboxes) for s in org.steps]
    [('organisation', 2), ('mailboxes', 2)]
    >>> org.steps[0].actions[0].ids, [str(c) for c in org.steps[0].actions[0].changes]
    (('ann', 'bo'), ['version: 8.0 -> 8.2'])
    """
    keep, avoid = tuple(keep), tuple(avoid)
    tables = space.tables
    names = tables.names
    w = Weights.of(space, weights)
    table = costs_for(space.model)
    org_names = (
        [n for n in names if table.scope(n) == "organisation"]
        if organisation is None
        else [n for n in names if n in set(organisation)]
    )
    org = [tables.index_of[n] for n in org_names]
    groups: dict[Node, _Group] = {}
    skipped: list[Skipped] = []
    for record in records:
        config = record.config
        if config is None or record.status != "ok":
            skipped.append(Skipped(record.row, record.status, record.error, record.extra))
            continue
        node = tuple(tables.value_index[i][config[n]] for i, n in enumerate(names))
        group = groups.get(node)
        if group is None:
            group = groups[node] = _Group(node)
        group.rows.append(record.row)
        group.ids.append(_id(record.row, record.extra))
    ordered = sorted(groups.values(), key=lambda g: (-len(g.rows), g.rows[0]))
    ends = _org_ends(space, ordered, target, org, keep, avoid, w, max_step)
    # Without a mailbox to plan, only the target gives organisation settings an end value.
    org_end = MappingProxyType({names[v]: tables.domains[v][ends[v]] for v in org if v in ends})
    avoided = _avoided(space, avoid)
    unplannable: list[Unplannable] = []
    lanes: list[tuple[_Group, list[tuple[str, Node, Node]]]] = []
    for group in ordered:
        found = _lane(space, group.node, target, org, ends, keep, avoid, avoided, w, max_step)
        if isinstance(found, str):
            unplannable.append(
                Unplannable(
                    MappingProxyType(tables.decode(group.node)),
                    tuple(group.rows),
                    tuple(group.ids),
                    found,
                )
            )
        else:
            lanes.append((group, found))
    steps = _merge(space, lanes, w)
    planned = sum(len(g.rows) for g, _ in lanes)
    return OrgPlan(
        MappingProxyType(dict(target)),
        org_end,
        steps,
        tuple(unplannable),
        tuple(skipped),
        planned,
    )


def _avoided(space: Space, avoid: Sequence[tuple[str, Value]]) -> list[frozenset[int] | None]:
    tables = space.tables
    out: list[frozenset[int] | None] = [None] * len(tables.names)
    for name, value in avoid:
        v = tables.index_of[name]
        base = out[v] if out[v] is not None else frozenset(range(tables.sizes[v]))
        assert base is not None
        out[v] = base - {tables.value_index[v][value]}
    return out


def _org_ends(
    space: Space,
    ordered: Sequence[_Group],
    target: Mapping[str, Value],
    org: Sequence[int],
    keep: Sequence[str],
    avoid: Sequence[tuple[str, Value]],
    w: Weights,
    max_step: int | None,
) -> dict[int, int]:
    """The end value of each organisation setting: the target's, else where the largest
    group's own plan ends (else its start value)."""
    tables = space.tables
    ends: dict[int, int] = {}
    open_org = [v for v in org if tables.names[v] not in target]
    for v in org:
        if tables.names[v] in target:
            ends[v] = tables.value_index[v][target[tables.names[v]]]
    if open_org and ordered:
        first = ordered[0].node
        for v in open_org:
            ends[v] = first[v]
        result = plan(
            space,
            tables.decode(first),
            target,
            keep=keep,
            avoid=avoid,
            weights=w,
            max_step=max_step,
        )
        if result.feasible:
            end = result.end
            for v in open_org:
                ends[v] = tables.value_index[v][end[tables.names[v]]]
    return ends


def _lane(
    space: Space,
    node: Node,
    target: Mapping[str, Value],
    org: Sequence[int],
    ends: Mapping[int, int],
    keep: Sequence[str],
    avoid: Sequence[tuple[str, Value]],
    avoided: Sequence[frozenset[int] | None],
    w: Weights,
    max_step: int | None,
) -> list[tuple[str, Node, Node]] | str:
    """One configuration's part of the plan: ``(kind, before, after)`` steps, or why not."""
    tables = space.tables
    names = tables.names
    kept = {tables.index_of[k] for k in keep}
    out: list[tuple[str, Node, Node]] = []
    current = node

    def text(v: int) -> str:
        return f"{names[v]}={format_value(tables.domains[v][ends[v]])}"

    start = tables.decode(node)  # read only: every change below is made on a copy
    goal = _goal(space, node, start, target, org, ends, kept, avoided, w)
    if not tables.verdict(node).valid:
        allowed = list(avoided)
        for v in (*org, *kept):
            allowed[v] = frozenset([node[v]])
        at_cutover = list(allowed)
        overlay = dict(start)
        for v in org:
            overlay[names[v]] = tables.domains[v][ends[v]]
            at_cutover[v] = frozenset([ends[v]])
        # Monotone first: a repair that takes each setting it changes straight to its end
        # value (the target's, or the start's own for a setting the target leaves open),
        # before the organisation's change, else at it; only then any cheapest repair.
        tries = (
            ("repair", start, _toward(space, node, goal, allowed)),
            ("organisation", overlay, _toward(space, node, goal, at_cutover)),
            ("repair", start, allowed),
            ("organisation", overlay, at_cutover),
        )
        for kind, config, within in tries:
            fixed = nearest(space, config, weights=w, top=1, allowed=within)
            if fixed.cost is not None:
                current = _node(space, fixed.candidates[0].configuration)
                # Repaired only at the organisation's change: that step comes first, for everyone.
                out.append((kind, node, current))
                break
        else:
            return (
                f"it is {tables.verdict(node).id}, and no valid configuration of its"
                " profile and mailbox settings goes with the organisation's "
                + ", ".join(text(v) for v in org)
            )
    moving = [v for v in org if current[v] != ends[v]]
    if moving:
        if any(v in kept for v in moving):
            kept_moving = ", ".join(names[v] for v in moving if v in kept)
            return f"{kept_moving} is kept, but the organisation moves to " + ", ".join(
                text(v) for v in moving
            )
        overlay = tables.decode(current)
        for v in org:
            overlay[names[v]] = tables.domains[v][ends[v]]
        base = list(avoided)
        for v in (*org, *kept):
            base[v] = frozenset([tables.value_index[v][overlay[names[v]]]])
        # Straight to the target's values where they will do, else the cheapest fix.
        direct = _toward(space, current, goal, base)
        fixed = nearest(space, overlay, weights=w, top=1, allowed=direct)
        if fixed.cost is None:
            fixed = nearest(space, overlay, weights=w, top=1, allowed=base)
        if fixed.cost is None:
            return (
                "no valid configuration of its profile and mailbox settings goes with the"
                " organisation's " + ", ".join(text(v) for v in moving)
            )
        after = _node(space, fixed.candidates[0].configuration)
        out.append(("organisation", current, after))
        current = after
    held = sorted({*keep, *(names[v] for v in org)})
    # The rest of the way to the goal: a setting the target leaves open that a repair had to
    # move off its start value goes back to it where the end allows.
    here = tables.decode(current)
    result = plan(space, here, goal, keep=held, avoid=avoid, weights=w, max_step=max_step)
    if not result.feasible and goal != target:
        result = plan(
            space,
            here,
            target,
            keep=held,
            avoid=avoid,
            weights=w,
            max_step=max_step,
        )
    if not result.feasible:
        return f"with the organisation settings held, {result.reason}"
    before = current
    for step in result.steps:
        after = _node(space, step.configuration)
        out.append(("repair" if step.repair else "mailboxes", before, after))
        before = after
    return out


def _goal(
    space: Space,
    node: Node,
    start: Mapping[str, Value],
    target: Mapping[str, Value],
    org: Sequence[int],
    ends: Mapping[int, int],
    kept: Iterable[int],
    avoided: Sequence[frozenset[int] | None],
    w: Weights,
) -> dict[str, Value]:
    """Where one configuration's plan ends: the target's and the organisation's values, and
    as many other settings at their start values as some valid end allows together.

    The settings the cheapest valid end keeps (the :func:`nearest` configuration to the start
    with the target's settings and the organisation's end values, kept settings held, avoided
    values left out) are kept; then, in model order, every other setting whose start value
    some valid end still allows with all those kept so far. No valid end keeps one more. The
    settings left are open for the plan to choose. Without any valid end, the goal is the
    target alone (and the plan says why it fails). ``start`` is ``node`` decoded.
    """
    tables = space.tables
    names = tables.names
    allowed = list(avoided)
    overlay = dict(start)
    fixed: dict[int, int] = {v: node[v] for v in kept}
    fixed.update((v, ends[v]) for v in org)
    for name, value in target.items():
        fixed[tables.index_of[name]] = tables.value_index[tables.index_of[name]][value]
    for v, i in fixed.items():
        was = allowed[v]
        allowed[v] = frozenset([i]) if was is None or i in was else frozenset()
        overlay[names[v]] = tables.domains[v][i]
    found = nearest(space, overlay, weights=w, top=1, allowed=allowed)
    goal = dict(target)
    if found.cost is None:
        return goal
    end = _node(space, found.candidates[0].configuration)
    for v in org:
        goal[names[v]] = tables.domains[v][ends[v]]
    kept_here = [v for v in range(len(names)) if v not in fixed and end[v] == node[v]]
    for v in kept_here:
        allowed[v] = frozenset([node[v]])
    # Monotone first: keep one more start value wherever some valid end still allows it with
    # all those kept so far, even where that costs more elsewhere.
    for v in range(len(names)):
        if v in fixed or end[v] == node[v] or not _admits(allowed[v], node[v]):
            continue
        was = allowed[v]
        allowed[v] = frozenset([node[v]])
        if any_valid(space.diagram, allowed):
            kept_here.append(v)
        else:
            allowed[v] = was
    for v in sorted(kept_here):
        goal[names[v]] = tables.domains[v][node[v]]
    return goal


def _admits(allowed: frozenset[int] | None, value: int) -> bool:
    return allowed is None or value in allowed


def _toward(
    space: Space,
    node: Node,
    target: Mapping[str, Value],
    allowed: Sequence[frozenset[int] | None],
) -> list[frozenset[int] | None]:
    """``allowed``, with each setting the target names narrowed to its value now or the target's."""
    tables = space.tables
    out = list(allowed)
    for name, value in target.items():
        v = tables.index_of[name]
        both = frozenset({node[v], tables.value_index[v][value]})
        was = out[v]
        out[v] = both if was is None else both & was
    return out


def _merge(
    space: Space, lanes: Sequence[tuple[_Group, list[tuple[str, Node, Node]]]], w: Weights
) -> tuple[OrgStep, ...]:
    """Line the lanes up: repairs, then the organisation step, then the rest step by step."""
    tables = space.tables

    def phases(steps: list[tuple[str, Node, Node]]) -> tuple[list[Any], list[Any], list[Any]]:
        first = [s for s in steps[:1] if s[0] == "repair"]
        rest = steps[len(first) :]
        cut = [s for s in rest[:1] if s[0] == "organisation"]
        return first, cut, rest[len(cut) :]

    if any(
        steps[0][0] == "organisation"
        and steps[0][1] != steps[0][2]
        and not tables.verdict(steps[0][1]).valid
        for _, steps in lanes
        if steps
    ):
        # Some mailbox is repaired only by the organisation's change: the organisation step
        # comes first, and every other repair is made at it too.
        lanes = [(g, _repair_at_cutover(steps)) for g, steps in lanes]
    split = [(g, *phases(steps)) for g, steps in lanes]
    columns: list[tuple[str, list[tuple[_Group, Node, Node]]]] = [
        ("repair", [(g, b, a) for g, r, _, _ in split for _, b, a in r]),
        ("organisation", [(g, b, a) for g, _, c, _ in split for _, b, a in c]),
    ]
    depth = max((len(t) for _, _, _, t in split), default=0)
    for j in range(depth):
        columns.append(("mailboxes", [(g, t[j][1], t[j][2]) for g, _, _, t in split if len(t) > j]))
    out = []
    for kind, moves in columns:
        if not moves:
            continue
        actions: dict[tuple[Change, ...], tuple[list[int], list[str], float]] = {}
        for group, before, after in moves:
            changes = tuple(
                Change(tables.names[v], tables.domains[v][before[v]], tables.domains[v][after[v]])
                for v in range(len(before))
                if before[v] != after[v]
            )
            rows, ids, _ = actions.setdefault(changes, ([], [], w.real(w.cost(before, after))))
            rows.extend(group.rows)
            ids.extend(group.ids)
        merged = [
            OrgAction(changes, tuple(sorted(rows)), tuple(_in_row_order(rows, ids)), cost)
            for changes, (rows, ids, cost) in actions.items()
        ]
        merged.sort(key=lambda a: (-len(a.rows), a.rows[0]))
        out.append(OrgStep(kind, tuple(merged)))
    return tuple(out)


def _repair_at_cutover(steps: list[tuple[str, Node, Node]]) -> list[tuple[str, Node, Node]]:
    if not steps or steps[0][0] != "repair":
        return steps
    if len(steps) > 1 and steps[1][0] == "organisation":
        return [("organisation", steps[0][1], steps[1][2]), *steps[2:]]
    return [("organisation", steps[0][1], steps[0][2]), *steps[1:]]


def _in_row_order(rows: Sequence[int], ids: Sequence[str]) -> list[str]:
    return [i for _, i in sorted(zip(rows, ids, strict=True))]


def _node(space: Space, config: Mapping[str, Value]) -> Node:
    tables = space.tables
    return tuple(tables.value_index[i][config[n]] for i, n in enumerate(tables.names))
