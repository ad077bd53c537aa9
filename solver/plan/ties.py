"""The rules that tie a move's changes together: why they can't be made one by one."""

from __future__ import annotations

from collections.abc import Iterable

from syncscope.model import Level, Rule

from ..diagram.tables import Tables
from .moves import Node

__all__ = ["TIE_LIMIT", "ties"]

TIE_LIMIT = 12
"""Above this many changes in one step, ties are read from single changes and their complements."""


def ties(tables: Tables, before: Node, after: Node) -> tuple[Rule, ...]:
    """The rules that keep any proper part of a move's changes from landing on a valid setup.

    Each proper, non-empty part of the changes, applied alone, leads to an
    invalid configuration; the untested or unsupported rules it breaks are
    returned, in model order. Every such rule reads a variable of the part and
    one of the rest, so it is what ties them. (Above ``TIE_LIMIT`` changes,
    only single changes and all-but-one are applied.)

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> tables = compiled().tables
    >>> base = {n: d[0] for n, d in zip(tables.names, tables.domains)}
    >>> before = dict(base, deployment="on-premises", email_system="gmail",
    ...     incoming_protocol="pop3", outgoing_protocol="smtp",
    ...     sync_appointments_contacts_tasks=False, authentication="profile-credentials",
    ...     profile_type="pop3-smtp", same_tenant=False, customer_key=False,
    ...     outlook_on_the_web=False, outlook_manual_tracking=False,
    ...     mass_email_campaigns=False, custom_email_provider=False, fips_mode=False,
    ...     mfa=False, mixed_outlook_act_sync=False)
    >>> after = dict(before, incoming_protocol="ews", outgoing_protocol="ews",
    ...     email_system="exchange-2016", profile_type="exchange-server")
    >>> def node(config):
    ...     return tuple(tables.encode(config)[v] for v in range(len(tables.names)))
    >>> [r.id for r in ties(tables, node(before), node(after))]
    ['table.exchange-ews', 'table.pop3-smtp', 'important.profile-type', 'unsupported.protocol-mix']
    """
    changed = tuple(v for v, (a, b) in enumerate(zip(before, after, strict=True)) if a != b)
    if len(changed) < 2:
        return ()
    k = len(changed)
    if k <= TIE_LIMIT:
        parts: Iterable[int] = range(1, (1 << k) - 1)
    else:
        full = (1 << k) - 1
        singles = [1 << j for j in range(k)]
        parts = sorted(set(singles) | {full ^ s for s in singles})
    blocking = [t for t in tables.rules if t.level >= Level.UNTESTED]
    found: set[int] = set()
    for part in parts:
        point = list(before)
        for j, v in enumerate(changed):
            if part >> j & 1:
                point[v] = after[v]
        for t in blocking:
            if t.index not in found and t.breaks(point):
                found.add(t.index)
    return tuple(tables.rules[i].rule for i in sorted(found))
