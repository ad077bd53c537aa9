"""Turning what a user gives into a compiled space and canonical configuration."""

from __future__ import annotations

from collections.abc import Mapping

from syncscope.model import ConfigurationError, Model, Value, load_model, normalize_config
from syncscope.solver.diagram.indices import ValueIndex, VarIndex
from syncscope.solver.diagram.space import Space, compiled, per_space

__all__ = ["prepare", "prepare_encoded", "resolve_model"]


def resolve_model(model: Model | None, edition: str | None) -> Model | None:
    """The rule set ``model=`` or ``edition=`` names (None: the built-in seed).

    Examples
    --------
    >>> resolve_model(None, "online-2022-01").edition
    'online-2022-01'
    >>> resolve_model(load_model(), "pre-9.0")
    Traceback (most recent call last):
    ...
    syncscope.errors.ConfigurationError: give model= or edition=, not both
    """
    if edition is None:
        return model
    if model is not None:
        raise ConfigurationError("give model= or edition=, not both")
    return load_model(edition=edition)


def prepare(
    config: Mapping[str, object], model: Model | None, edition: str | None = None
) -> tuple[Space, dict[str, Value]]:
    """Compile ``model`` (or ``edition``'s; the seed by default) and normalize ``config``."""
    space = compiled(resolve_model(model, edition))
    return space, normalize_config(space.model, config)


def prepare_encoded(
    config: Mapping[str, object], model: Model | None, edition: str | None = None
) -> tuple[Space, dict[VarIndex, ValueIndex]]:
    """:func:`prepare`, the configuration encoded (variable index -> value index).

    Canonical names with canonical values (the text ids, or bools for yes/no
    variables) are looked up directly; any other spelling goes through
    :func:`~syncscope.model.normalize_config`, with its errors.

    Examples
    --------
    >>> space, fixed = prepare_encoded({"email_system": "gmail"}, None)
    >>> fixed == space.encode({"email_system": "gmail"})
    True
    >>> prepare_encoded({"Email System": "Gmail"}, None)[1] == fixed
    True
    """
    space = compiled(resolve_model(model, edition))
    if type(config) is dict:
        codes = _codes(space)
        try:  # the type is part of the key, so that 1 never passes for True
            found = [codes.get((name, type(raw), raw)) for name, raw in config.items()]
        except TypeError:  # an unhashable value: the slow path names it
            found = [None]
        if None not in found:
            return space, dict(found)  # type: ignore[arg-type]
    return space, space.encode(normalize_config(space.model, config))


@per_space
def _codes(space: Space) -> dict[tuple[str, type, Value], tuple[VarIndex, ValueIndex]]:
    """(canonical name, type of the value, canonical value) -> (variable, value index)."""
    tables = space.tables
    return {
        (name, type(v), v): (var, i)
        for var, name in enumerate(tables.names)
        for i, v in enumerate(tables.domains[var])
    }
