"""Turning what a user gives into a compiled space and canonical configuration."""

from __future__ import annotations

from collections.abc import Mapping

from syncscope.model import Model, Value, normalize_config
from syncscope.solver.diagram.space import Space, compiled

__all__ = ["prepare"]


def prepare(config: Mapping[str, object], model: Model | None) -> tuple[Space, dict[str, Value]]:
    """Compile ``model`` (the built-in one by default) and normalize ``config`` against it."""
    space = compiled(model)
    return space, normalize_config(space.model, config)
