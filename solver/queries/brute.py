"""Brute-force answers from the rules' plain semantics, to cross-check solvers on small models."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping

from syncscope.model import Level, Model, Value

__all__ = ["all_configurations", "brute_verdict", "brute_verdicts"]


def all_configurations(
    model: Model, fixed: Mapping[str, Value] | None = None
) -> Iterator[dict[str, Value]]:
    """Every combination of values agreeing with ``fixed``, in lexicographic order."""
    fixed = fixed or {}
    domains = [(fixed[v.name],) if v.name in fixed else v.domain for v in model.variables]
    for combo in itertools.product(*domains):
        yield dict(zip(model.names, combo, strict=True))


def brute_verdict(model: Model, config: Mapping[str, Value]) -> Level:
    """The verdict of a full configuration by evaluating every rule directly.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> model = load_model()
    >>> config = next(all_configurations(model, {"email_system": "exchange-2010"}))
    >>> brute_verdict(model, config).id
    'unsupported'
    """
    return max((r.level for r in model.rules if r.broken(config)), default=Level.SUPPORTED)


def brute_verdicts(
    model: Model, fixed: Mapping[str, Value] | None = None
) -> Iterator[tuple[dict[str, Value], Level]]:
    """Every configuration agreeing with ``fixed``, with its verdict."""
    for config in all_configurations(model, fixed):
        yield config, brute_verdict(model, config)
