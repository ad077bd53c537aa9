"""What changing each setting costs, and who owns it: the one cost model as data.

The numbers are those :func:`syncscope.nearest` and :func:`syncscope.plan` sum
(:class:`syncscope.solver.repair.weights.Weights`, built from
``model/data/costs.toml``); the words (scope, reasons, advice) are the cost
table's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from syncscope.model import Model, Value, Variable, format_value
from syncscope.model.costs import costs_for
from syncscope.solver.repair.weights import Weights, pair_text

from ._inputs import resolve_model

__all__ = ["ChangeCosts", "PricedChange", "change_costs", "describe_variable"]


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


@dataclass(frozen=True, slots=True)
class PricedChange:
    """Changes of one variable whose cost depends on the pair of values."""

    changes: str
    """The changes in words: ``exchange-2013 → exchange-2013-sp1``, ``upgrades along …``."""
    cost: float
    reason: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {"changes": self.changes, "cost": _number(self.cost), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ChangeCosts:
    """What changing one variable costs, and who owns it."""

    variable: str
    scope: str
    """``organisation``, ``profile`` or ``mailbox``."""
    default: float
    """The cost of any change no pair below prices (the cost table's ``cost``, else the rule
    set's ``change_weight`` for a variable the table does not list)."""
    reason: str
    changes: tuple[PricedChange, ...] = ()
    """The cost table's entries for changes that cost something else, with their reasons."""
    pair_costs: Mapping[tuple[Value, Value], float] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """Every change (before, after) whose cost is not :attr:`default`, as the solver sums it."""
    advice: Mapping[Value, str] = field(default_factory=lambda: MappingProxyType({}))
    """Value reached -> what to do, in words (a policy reads as advice)."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data; a pair is spelled as ``--weights`` spells it (``"A -> B"``)."""
        return {
            "variable": self.variable,
            "scope": self.scope,
            "default": _number(self.default),
            "reason": self.reason,
            "changes": [c.to_dict() for c in self.changes],
            "pair_costs": {pair_text(a, b): _number(c) for (a, b), c in self.pair_costs.items()},
            "advice": {format_value(v): text for v, text in self.advice.items()},
        }


def change_costs(
    model: Model | None = None, *, edition: str | None = None
) -> tuple[ChangeCosts, ...]:
    """Every variable's scope and change costs, in model order, as nearest and plan use them.

    Parameters
    ----------
    model : Model, optional
        A rule set from :func:`syncscope.load_model`; the built-in seed by default.
    edition : str, optional
        An edition id; not together with ``model``.

    Examples
    --------
    >>> costs = {c.variable: c for c in change_costs()}
    >>> costs["email_system"].scope, costs["email_system"].default
    ('mailbox', 60.0)
    >>> costs["email_system"].pair_costs["exchange-2013", "exchange-2013-sp1"]
    5.0
    >>> costs["version"].default, costs["version"].changes[0].cost
    (60.0, 20.0)
    >>> costs["mfa"].advice[False]
    'connect with a service account that has no multi-factor authentication'
    """
    from syncscope.model import load_model

    rules = resolve_model(model, edition) or load_model()
    weights = Weights.of(rules)  # the matrices nearest and plan sum
    table = costs_for(rules)
    out = []
    for v, var in enumerate(rules.variables):
        entry = table.get(var.name)
        # The cost of a change no pair prices, as the solver's matrices fall back to it.
        default = float(var.change_weight if entry is None or entry.cost is None else entry.cost)
        matrix = weights.exact[v]
        domain = var.domain
        pairs = {
            (domain[a], domain[b]): float(cost)
            for a, row in enumerate(matrix)
            for b, cost in enumerate(row)
            if a != b and float(cost) != default
        }
        out.append(
            ChangeCosts(
                variable=var.name,
                scope=table.scope(var.name),
                default=default,
                reason=entry.reason if entry is not None and entry.reason else var.weight_reason,
                changes=tuple(
                    PricedChange(c.describe(), float(c.cost), c.reason)
                    for c in (entry.changes if entry is not None else ())
                    if c.pairs()
                ),
                pair_costs=MappingProxyType(pairs),
                advice=MappingProxyType(dict(entry.advice) if entry is not None else {}),
            )
        )
    return tuple(out)


def describe_variable(var: Variable, costs: ChangeCosts) -> dict[str, Any]:
    """A variable as JSON-ready data: name, label, description, scope, costs and values.

    The one description of a variable's costs, which ``syncscope vars --format
    json`` and ``GET /v1/model`` give. ``cost`` is the cost of any change that
    ``pair_costs`` does not price; ``changes`` are the cost table's entries for
    those pairs, with their reasons. ``change_weight`` is ``cost``, kept for
    older clients.

    Parameters
    ----------
    var : Variable
        The variable, from the rule set ``costs`` was computed for.
    costs : ChangeCosts
        Its costs, from :func:`change_costs`.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> model = load_model()
    >>> costs = {c.variable: c for c in change_costs(model)}
    >>> data = describe_variable(model.variable("email_system"), costs["email_system"])
    >>> data["values"][0]["id"], "EXO" in data["values"][0]["aliases"]
    ('exchange-online', True)
    >>> data["scope"], data["cost"], data["pair_costs"]["exchange-2013 -> exchange-2013-sp1"]
    ('mailbox', 60, 5)
    >>> data["change_weight"] == data["cost"]
    True
    """
    cost = costs.to_dict()
    return {
        "name": var.name,
        "label": var.label,
        "description": var.description,
        "scope": cost["scope"],
        "change_weight": cost["default"],
        "cost": cost["default"],
        "cost_reason": cost["reason"],
        "changes": cost["changes"],
        "pair_costs": cost["pair_costs"],
        "advice": cost["advice"],
        "values": [
            {"id": spec.id, "label": spec.label, "aliases": list(spec.aliases)}
            for spec in var.values
        ],
    }
