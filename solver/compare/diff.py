"""What changed between two rule sets: verdict transitions, tables of what moved, and rules.

The comparison ranges over the configurations both rule sets can express:
the variables both have, each over the values both domains hold. A variable
only one of them has (or whose values the two never share, like ``version``
between ``pre-9.0`` and a 9.x edition) is projected out of that side: a shared
configuration gets, on each side, the best verdict any value of those
variables reaches (docs/diff.md says why).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from syncscope.model import Level, Model, Rule, Value

from ..diagram.space import Space
from ..queries.matrix import Matrix
from .product import cover, transitions
from .project import project

__all__ = ["Diff", "RuleChange", "diff_spaces", "rule_changes", "shared_values"]


@dataclass(frozen=True, slots=True)
class RuleChange:
    """A rule added, removed or changed between two rule sets, matched by id."""

    id: str
    change: str
    """``added``, ``removed`` or ``changed``."""
    before: Rule | None
    after: Rule | None
    fields: tuple[str, ...] = ()
    """For a changed rule: which of level, message, condition, section and quote differ."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data, each side with its level, message and source (the quote)."""

        def side(rule: Rule | None) -> dict[str, object] | None:
            if rule is None:
                return None
            return {
                "level": rule.level.id,
                "message": rule.message,
                "source": rule.source.to_dict(),
            }

        return {
            "id": self.id,
            "change": self.change,
            "fields": list(self.fields),
            "before": side(self.before),
            "after": side(self.after),
        }


@dataclass(frozen=True, slots=True)
class Diff:
    """How support changed from rule set ``a`` to rule set ``b``."""

    a: str
    b: str
    shared: tuple[str, ...]
    """The variables compared, in output order."""
    projected: Mapping[str, tuple[str, ...]]
    """Per side (``a``, ``b``): the variables projected out (best value taken)."""
    fixed: Mapping[str, Mapping[str, Value]]
    """Per side: the values ``--set`` pinned there."""
    transitions: Mapping[tuple[Level, Level], int]
    """Shared configurations by (verdict under ``a``, verdict under ``b``); zero pairs left out."""
    total: int
    """Every shared configuration matching the pinned values."""
    became_unsupported: Matrix
    """Valid under ``a``, untested or unsupported under ``b``."""
    became_supported: Matrix
    """Untested or unsupported under ``a``, valid under ``b``."""
    rules: tuple[RuleChange, ...]

    def count(self, before: Level, after: Level) -> int:
        """Shared configurations going from ``before`` to ``after``."""
        return self.transitions.get((before, after), 0)

    @property
    def changed(self) -> int:
        """Shared configurations whose verdict differs."""
        return sum(n for (x, y), n in self.transitions.items() if x != y)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: transitions as a list of ``{from, to, configurations}``."""
        return {
            "a": self.a,
            "b": self.b,
            "shared": list(self.shared),
            "projected": {k: list(v) for k, v in self.projected.items()},
            "fixed": {k: dict(v) for k, v in self.fixed.items()},
            "total": self.total,
            "changed": self.changed,
            "transitions": [
                {"from": x.id, "to": y.id, "configurations": n}
                for (x, y), n in self.transitions.items()
            ],
            "became_unsupported": self.became_unsupported.to_dict(),
            "became_supported": self.became_supported.to_dict(),
            "rules": [r.to_dict() for r in self.rules],
        }


def shared_values(a: Model, b: Model) -> list[tuple[str, tuple[Value, ...]]]:
    """The variables both rule sets have with values in common, in ``a``'s order.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> shared = dict(shared_values(load_model(), load_model(edition="online-2022-01")))
    >>> shared["deployment"], "version" in shared, "ports" in shared
    (('online',), False, False)
    """
    out = []
    for var in a.variables:
        if var.name not in b.names:
            continue
        other = set(b.variable(var.name).domain)
        values = tuple(v for v in var.domain if v in other)
        if values:
            out.append((var.name, values))
    return out


def diff_spaces(
    a: Space,
    b: Space,
    fixed_a: Mapping[str, Value],
    fixed_b: Mapping[str, Value],
) -> Diff:
    """Compare two compiled rule sets over their shared configurations.

    ``fixed_a`` and ``fixed_b`` are canonical values per side; a variable
    compared on both sides must be pinned to the same value on both.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> from syncscope.solver.diagram.space import compiled
    >>> old, new = compiled(), compiled(load_model(edition="9.x-2018-07"))
    >>> pin = {"email_system": "exchange-2010"}
    >>> found = diff_spaces(old, new, pin, pin)
    >>> found.count(Level.UNSUPPORTED, Level.SUPPORTED), found.became_supported.count
    (576, 768)
    """
    keep = []
    for name, values in shared_values(a.model, b.model):
        if name in fixed_a or name in fixed_b:
            if fixed_a.get(name) != fixed_b.get(name) or fixed_a[name] not in values:
                raise ValueError(f"{name} is compared, so it must be pinned on both sides alike")
            values = (fixed_a[name],)
        keep.append((name, values))
    names = [n for n, _ in keep]
    order_b = [n for n in b.model.names if n in names]
    if order_b != names:
        raise ValueError(f"the shared variables come in different orders: {names} / {order_b}")
    pa = project(
        a, keep, {d: i for d, i in a.encode(fixed_a).items() if a.tables.names[d] not in names}
    )
    pb = project(
        b, keep, {d: i for d, i in b.encode(fixed_b).items() if b.tables.names[d] not in names}
    )
    pinned = {n: v for n, v in fixed_a.items() if n in names}
    levels = b.model.levels
    total = 1
    for _, values in keep:
        total *= len(values)
    return Diff(
        a=_label(a.model),
        b=_label(b.model),
        shared=tuple(names),
        projected=MappingProxyType(
            {
                "a": tuple(n for n in a.model.names if n not in names),
                "b": tuple(n for n in b.model.names if n not in names),
            }
        ),
        fixed=MappingProxyType(
            {"a": MappingProxyType(dict(fixed_a)), "b": MappingProxyType(dict(fixed_b))}
        ),
        transitions=MappingProxyType(transitions(pa, pb)),
        total=total,
        became_unsupported=cover(
            pa, pb, lambda x, y: x.valid and not y.valid, pinned, [v for v in levels if not v.valid]
        ),
        became_supported=cover(
            pa, pb, lambda x, y: not x.valid and y.valid, pinned, [v for v in levels if v.valid]
        ),
        rules=rule_changes(a.model, b.model),
    )


def _label(model: Model) -> str:
    return model.edition or model.name


def _condition(rule: Rule) -> object:
    when = sorted(sorted((k, sorted(map(str, v))) for k, v in alt.items()) for alt in rule.when)
    clause = sorted((k, sorted(map(str, v))) for k, v in rule.clause.items())
    tuples = sorted(tuple(map(str, t)) for t in rule.tuples)
    return (rule.kind, when, clause, rule.scope, tuples)


def rule_changes(a: Model, b: Model) -> tuple[RuleChange, ...]:
    """The rules added, removed or changed from ``a`` to ``b``, matched by id.

    Removed rules come in ``a``'s order, then changed and added ones in ``b``'s.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> changes = rule_changes(load_model(), load_model(edition="online-2022-01"))
    >>> sorted({c.change for c in changes})
    ['added', 'changed', 'removed']
    """
    before = {r.id: r for r in a.rules}
    after = {r.id: r for r in b.rules}
    out = [RuleChange(r.id, "removed", r, None) for r in a.rules if r.id not in after]
    for rule in b.rules:
        old = before.get(rule.id)
        if old is None:
            out.append(RuleChange(rule.id, "added", None, rule))
            continue
        fields = []
        if old.level != rule.level:
            fields.append("level")
        if old.message != rule.message:
            fields.append("message")
        if _condition(old) != _condition(rule):
            fields.append("condition")
        if old.source.section != rule.source.section:
            fields.append("section")
        if old.source.quotes != rule.source.quotes:
            fields.append("quote")
        if fields:
            out.append(RuleChange(rule.id, "changed", old, rule, tuple(fields)))
    return tuple(out)
