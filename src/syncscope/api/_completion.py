"""Inventory rows that leave settings unknown, completed for planning where they are forced."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from syncscope.batch.record import ERROR, OK, Record
from syncscope.model import Value
from syncscope.solver.diagram.space import Space
from syncscope.solver.plan.batch import Completed
from syncscope.solver.queries.check import check

__all__ = ["Completions"]

_MEMO_LIMIT = 4096


class Completions:
    """The rows of an inventory, each partial one completed where its values are forced.

    A row that leaves settings unknown (read with ``require_complete=False``) is
    judged as ``syncscope.check`` judges a partial configuration. When every valid
    completion of it shares the values of the unknown settings (check's
    ``required``: the best completion is the only valid one on them), the row is
    planned from those values and listed in ``completed``. Otherwise it is an
    ``error`` row naming the unknown settings: no valid completion (its known
    values are already invalid, so nothing tells what the others are), or valid
    completions that differ on them (a plan from any one of them could be wrong
    for the mailbox). Complete rows and error rows pass through unchanged.

    Examples
    --------
    >>> from syncscope.batch.record import Record
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> row = {"deployment": "online", "version": "8.2", "email_system": "gmail",
    ...        "sync_appointments_contacts_tasks": False,
    ...        "authentication": "user-or-queue-credentials", "autodiscover": True,
    ...        "profile_type": "pop3-smtp", "ports": "default", "same_tenant": True,
    ...        "fips_mode": False, "mfa": False, "customer_key": False,
    ...        "outlook_on_the_web": False, "outlook_manual_tracking": False,
    ...        "mass_email_campaigns": False, "custom_email_provider": False,
    ...        "mixed_outlook_act_sync": False}
    >>> rows = Completions(space, [Record(1, {"id": "m1"}, row, "ok", None),
    ...                            Record(2, {"id": "m2"}, {"email_system": "gmail"}, "ok", None)])
    >>> [(r.status, len(r.config or {})) for r in rows]
    [('ok', 19), ('error', 0)]
    >>> dict(rows.completed[0].values)
    {'incoming_protocol': 'pop3', 'outgoing_protocol': 'smtp'}
    """

    def __init__(self, space: Space, records: Iterable[Record]) -> None:
        self._space = space
        self._records = records
        self._names = space.tables.names
        self._memo: dict[tuple[tuple[str, Value], ...], dict[str, Value] | str] = {}
        self.completed: list[Completed] = []

    def __iter__(self) -> Iterator[Record]:
        size = len(self._names)
        for rec in self._records:
            config = rec.config
            if rec.status != OK or config is None or len(config) >= size:
                yield rec
                continue
            fill = self._fill(config)
            if isinstance(fill, str):
                yield Record(rec.row, rec.extra, None, ERROR, f"row {rec.row} leaves {fill}")
                continue
            self.completed.append(Completed(rec.row, rec.extra, fill))
            full = {n: config[n] if n in config else fill[n] for n in self._names}
            yield Record(rec.row, rec.extra, full, OK, None)

    def _fill(self, config: Mapping[str, Value]) -> dict[str, Value] | str:
        """The forced values of the unknown settings, or why there are none."""
        key = tuple(config.items())
        hit = self._memo.get(key)
        if hit is None:
            hit = self._forced(config)
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = hit
        return hit

    def _forced(self, config: Mapping[str, Value]) -> dict[str, Value] | str:
        result = check(self._space, config)
        unknown = [n for n in self._names if n not in config]
        if not result.valid:
            return (
                f"{_names(unknown)} unknown, and no valid configuration has its other values"
                f" (best: {result.verdict.id}), so nothing tells what {_them(unknown)} for"
                f" the plan to start from: give {_them(unknown, 'it', 'them')} in the row,"
                " with --set or --defaults"
            )
        free = [n for n in unknown if n not in result.required]
        if free:
            return (
                f"{_names(free)} unknown, and the valid configurations with its values"
                f" differ on {_them(free, 'it', 'them')}, so the plan has no start: give"
                f" {_them(free, 'it', 'them')} in the row, with --set or --defaults"
            )
        return {n: result.required[n] for n in unknown}


def _names(names: list[str]) -> str:
    return ", ".join(names)


def _them(names: list[str], one: str = "it is", many: str = "they are") -> str:
    return one if len(names) == 1 else many
