"""One configuration under two rule sets: what happens to a setup on upgrade."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from syncscope.model import Model, Value

from ..diagram.space import Space
from ..queries.check import CheckResult, check
from ..repair.nearest import NearestResult, nearest
from ..results import Finding

__all__ = ["Against", "carry", "check_against_spaces"]


@dataclass(frozen=True, slots=True)
class Against:
    """A configuration checked under rule set ``a`` and again under ``b``."""

    a: str
    b: str
    before: CheckResult
    """The check under ``a``."""
    after: CheckResult
    """The check under ``b`` of the settings ``b`` can express (the rest left open)."""
    dropped: Mapping[str, Value]
    """Settings ``b`` cannot express: a variable its page never has, or a value outside its
    cover (``version=8.2`` under a 9.x edition); ``b`` leaves them open."""
    appeared: tuple[Finding, ...]
    """Findings under ``b`` whose rule ``a`` did not report."""
    disappeared: tuple[Finding, ...]
    """Findings under ``a`` whose rule ``b`` does not report."""
    nearest: NearestResult
    """The nearest configurations valid under ``b`` (cost 0 when the setup stays valid)."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: both checks, the findings that moved and the nearest fix under b."""
        return {
            "a": self.a,
            "b": self.b,
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "dropped": dict(self.dropped),
            "appeared": [f.to_dict() for f in self.appeared],
            "disappeared": [f.to_dict() for f in self.disappeared],
            "nearest": self.nearest.to_dict(),
        }


def carry(model: Model, config: Mapping[str, Value]) -> tuple[dict[str, Value], dict[str, Value]]:
    """Split a canonical configuration into what ``model`` can express and what it cannot.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> kept, dropped = carry(load_model(edition="online-2022-01"),
    ...                       {"deployment": "online", "version": "8.2", "ports": "default"})
    >>> kept, dropped
    ({'deployment': 'online'}, {'version': '8.2', 'ports': 'default'})
    """
    kept: dict[str, Value] = {}
    dropped: dict[str, Value] = {}
    for name, value in config.items():
        if name in model.names and value in model.variable(name).domain:
            kept[name] = value
        else:
            dropped[name] = value
    return {n: kept[n] for n in model.names if n in kept}, dropped


def check_against_spaces(a: Space, b: Space, config: Mapping[str, Value]) -> Against:
    """Check ``config`` (canonical under ``a``) under ``a`` and under ``b``.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> from syncscope.solver.diagram.space import compiled
    >>> old, new = compiled(), compiled(load_model(edition="online-2022-01"))
    >>> found = check_against_spaces(old, new, {"deployment": "online", "email_system": "gmail",
    ...                                          "incoming_protocol": "imap"})
    >>> found.before.verdict.id, found.after.verdict.id
    ('unsupported', 'supported')
    >>> [f.rule.id for f in found.disappeared]
    ['table.pop3-smtp']
    """
    before = check(a, config)
    kept, dropped = carry(b.model, config)
    after = check(b, kept)
    was = {f.rule.id for f in before.findings}
    now = {f.rule.id for f in after.findings}
    return Against(
        a=a.model.edition or a.model.name,
        b=b.model.edition or b.model.name,
        before=before,
        after=after,
        dropped=MappingProxyType(dropped),
        appeared=tuple(f for f in after.findings if f.rule.id not in was),
        disappeared=tuple(f for f in before.findings if f.rule.id not in now),
        nearest=nearest(b, kept, top=1),
    )
