"""syncscope: is this Dynamics 365 server-side synchronization setup supported?

The public API. Every function takes user spellings (aliases, labels, yes/no)
and the built-in seed model unless ``model=`` says otherwise, and returns a
frozen result with ``to_dict()``. Heavy parts load on first use.

Examples
--------
>>> import syncscope
>>> syncscope.check({"deployment": "online", "email_system": "Gmail"}).verdict.id
'supported'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from syncscope.model import (
    ConfigurationError,
    Level,
    Model,
    ModelError,
    NoSolution,
    SyncscopeError,
    load_model,
)

if TYPE_CHECKING:
    from syncscope.api.batch import check_batch
    from syncscope.api.check import check
    from syncscope.api.plan import plan, plan_graph
    from syncscope.api.repair import explain, nearest
    from syncscope.api.space import configurations, count, domains

__all__ = [
    "ConfigurationError",
    "Level",
    "Model",
    "ModelError",
    "NoSolution",
    "SyncscopeError",
    "check",
    "check_batch",
    "configurations",
    "count",
    "domains",
    "explain",
    "load_model",
    "nearest",
    "plan",
    "plan_graph",
]

_LAZY = {
    "check": "syncscope.api.check",
    "count": "syncscope.api.space",
    "domains": "syncscope.api.space",
    "configurations": "syncscope.api.space",
    "nearest": "syncscope.api.repair",
    "explain": "syncscope.api.repair",
    "plan": "syncscope.api.plan",
    "plan_graph": "syncscope.api.plan",
    "check_batch": "syncscope.api.batch",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'syncscope' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
