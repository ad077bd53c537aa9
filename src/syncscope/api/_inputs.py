"""Turning what a user gives into a compiled space and canonical configuration."""

from __future__ import annotations

from collections.abc import Mapping

from syncscope.model import ConfigurationError, Model, Value, load_model, normalize_config
from syncscope.solver.diagram.space import Space, compiled

__all__ = ["prepare", "resolve_model"]


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
