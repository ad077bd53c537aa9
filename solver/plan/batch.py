"""Plans for a whole inventory: each distinct configuration planned once, grouped by plan."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from syncscope.model import Value

from ..diagram.space import Space
from ..repair.weights import Weights
from .planner import plan
from .results import Plan

__all__ = ["BatchPlan", "Completed", "PlanGroup", "RecordLike", "Skipped", "plan_batch"]


class RecordLike(Protocol):
    """An inventory row as the batch readers give it."""

    @property
    def row(self) -> int: ...
    @property
    def extra(self) -> Mapping[str, str]: ...
    @property
    def config(self) -> Mapping[str, Value] | None: ...
    @property
    def status(self) -> str: ...
    @property
    def error(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class PlanGroup:
    """The mailboxes that share one plan (they start from the same configuration)."""

    plan: Plan
    rows: tuple[int, ...]
    """Their row numbers, in input order."""
    extras: tuple[Mapping[str, str], ...]
    """Their carried-through columns (e.g. a mailbox id), row by row."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"mailboxes", "rows", "extra", "plan"}``."""
        return {
            "mailboxes": len(self.rows),
            "rows": list(self.rows),
            "extra": [dict(e) for e in self.extras],
            "plan": self.plan.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row that gave no configuration: an error, or a mailbox outside server-side sync."""

    row: int
    status: str
    error: str | None
    extra: Mapping[str, str]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"row", "status", "error", "extra"}``."""
        return {
            "row": self.row,
            "status": self.status,
            "error": self.error,
            "extra": dict(self.extra),
        }


@dataclass(frozen=True, slots=True)
class Completed:
    """A row that left settings unknown, planned with the values every valid completion has."""

    row: int
    extra: Mapping[str, str]
    values: Mapping[str, Value]
    """The settings the row left unknown, as every valid completion has them, in model order."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"row", "extra", "values"}``."""
        return {"row": self.row, "extra": dict(self.extra), "values": dict(self.values)}


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """Every mailbox's plan to one target, grouped."""

    target: Mapping[str, Value]
    groups: tuple[PlanGroup, ...]
    """Largest group first, then by first row."""
    skipped: tuple[Skipped, ...]
    """Rows reported, not planned, in input order."""
    completed: tuple[Completed, ...] = ()
    """Planned rows that left settings unknown, with the values they were planned from."""

    @property
    def mailboxes(self) -> int:
        """Every input row."""
        return sum(len(g.rows) for g in self.groups) + len(self.skipped)

    @property
    def planned(self) -> int:
        """Mailboxes with a plan."""
        return sum(len(g.rows) for g in self.groups if g.plan.feasible)

    @property
    def unplannable(self) -> int:
        """Mailboxes whose configuration was read but has no plan."""
        return sum(len(g.rows) for g in self.groups if not g.plan.feasible)

    @property
    def complete(self) -> bool:
        """Whether every row was read (or is out of scope) and every mailbox has a plan."""
        return self.unplannable == 0 and all(s.status != "error" for s in self.skipped)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: the target, counts, groups, skipped and completed rows."""
        return {
            "target": dict(self.target),
            "mailboxes": self.mailboxes,
            "planned": self.planned,
            "unplannable": self.unplannable,
            "groups": [g.to_dict() for g in self.groups],
            "skipped": [s.to_dict() for s in self.skipped],
            "completed": [c.to_dict() for c in self.completed],
        }


def plan_batch(
    space: Space,
    records: Iterable[RecordLike],
    target: Mapping[str, Value],
    *,
    keep: Iterable[str] = (),
    avoid: Iterable[tuple[str, Value]] = (),
    weights: Weights | Mapping[str, object] | None = None,
    max_step: int | None = None,
) -> BatchPlan:
    """Plan every readable row to ``target``, each distinct configuration once.

    Parameters are those of :func:`~syncscope.solver.plan.planner.plan`; ``records``
    are rows with ``row``, ``extra``, ``config``, ``status`` and ``error``.
    Rows without a configuration are reported in ``skipped``, never dropped.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> gmail = {"deployment": "online", "version": "8.2", "email_system": "gmail",
    ...     "incoming_protocol": "pop3", "outgoing_protocol": "smtp",
    ...     "sync_appointments_contacts_tasks": False,
    ...     "authentication": "user-or-queue-credentials", "autodiscover": True,
    ...     "profile_type": "pop3-smtp", "ports": "default", "same_tenant": True,
    ...     "fips_mode": False, "mfa": False, "customer_key": False,
    ...     "outlook_on_the_web": False, "outlook_manual_tracking": False,
    ...     "mass_email_campaigns": False, "custom_email_provider": False,
    ...     "mixed_outlook_act_sync": False}
    >>> rows = [SimpleNamespace(row=i, extra={}, config=gmail, status="ok", error=None)
    ...         for i in (1, 2)]
    >>> rows.append(SimpleNamespace(row=3, extra={}, config=None, status="error", error="bad"))
    >>> batch = plan_batch(space, rows, {"email_system": "exchange-online"})
    >>> [g.rows for g in batch.groups], batch.planned, [s.row for s in batch.skipped]
    ([(1, 2)], 2, [3])
    """
    keep, avoid = tuple(keep), tuple(avoid)
    tables = space.tables
    plans: dict[tuple[int, ...], Plan] = {}
    members: dict[tuple[int, ...], tuple[list[int], list[Mapping[str, str]]]] = {}
    skipped: list[Skipped] = []
    for record in records:
        config = record.config
        if config is None or record.status != "ok":
            skipped.append(Skipped(record.row, record.status, record.error, record.extra))
            continue
        key = tuple(tables.value_index[i][config[n]] for i, n in enumerate(tables.names))
        if key not in plans:
            plans[key] = plan(
                space, config, target, keep=keep, avoid=avoid, weights=weights, max_step=max_step
            )
            members[key] = ([], [])
        rows, extras = members[key]
        rows.append(record.row)
        extras.append(record.extra)
    groups = [
        PlanGroup(plans[key], tuple(rows), tuple(extras)) for key, (rows, extras) in members.items()
    ]
    groups.sort(key=lambda g: (-len(g.rows), g.rows[0]))
    return BatchPlan(dict(target), tuple(groups), tuple(skipped))
