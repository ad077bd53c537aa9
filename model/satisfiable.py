"""A small depth-first search that finds one valid configuration, to validate rule sets."""

from __future__ import annotations

from .schema import Level, Model, Value

__all__ = ["find_valid_configuration"]


def find_valid_configuration(model: Model) -> dict[str, Value] | None:
    """Return some valid configuration of ``model``, or None if there is none.

    Each blocking rule (untested or unsupported) is checked as soon as every
    variable it reads is assigned, so dead branches are cut early.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> config = find_valid_configuration(load_model())
    >>> config is not None
    True
    """
    names = model.names
    position = {name: i for i, name in enumerate(names)}
    due: list[list[int]] = [[] for _ in names]
    blocking = [r for r in model.rules if r.level > Level.DISCOURAGED]
    for index, rule in enumerate(blocking):
        last = max((position[v] for v in rule.variables), default=0)
        due[last].append(index)
    domains = [var.domain for var in model.variables]
    config: dict[str, Value] = {}

    def search(depth: int) -> bool:
        if depth == len(names):
            return True
        for value in domains[depth]:
            config[names[depth]] = value
            if not any(blocking[i].broken(config) for i in due[depth]) and search(depth + 1):
                return True
        del config[names[depth]]
        return False

    return dict(config) if search(0) else None
