"""The compiled form of a model: its rule tables and decision diagram, built once."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar, cast

from syncscope.model import Level, Model, Value, builtin_path, load_model

from .compile import compile_diagram
from .indices import Depth, ValueIndex
from .mdd import Diagram
from .tables import Tables, build_tables

__all__ = ["Space", "compiled", "per_space"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Space:
    """A model together with everything the solvers precompute for it."""

    model: Model
    tables: Tables
    diagram: Diagram
    memo: dict[Hashable, object] = field(default_factory=dict, compare=False, repr=False)
    """Answers worth keeping for the life of the space (e.g. explanations), by query key."""

    def encode(self, config: Mapping[str, Value]) -> dict[Depth, ValueIndex]:
        """Canonical configuration -> ``{depth: value index}`` (depths follow model order)."""
        return self.tables.encode(config)

    def is_valid(self, config: Mapping[str, Value]) -> bool:
        """Whether some completion of ``config`` is valid (supported or discouraged)."""
        counts = self.diagram.count(self.encode(config))
        return any(counts[level] for level in Level.valid_levels())


def per_space(build: Callable[[Space], T]) -> Callable[[Space], T]:
    """Run ``build`` once per space and keep its answer in :attr:`Space.memo`.

    For tables that depend on the compiled model alone, never on a query.

    Examples
    --------
    >>> @per_space
    ... def variables(space: Space) -> int:
    ...     return len(space.tables.sizes)
    >>> space = compiled()
    >>> variables(space), variables(space) is variables(space)
    (19, True)
    """
    key = f"{build.__module__}.{build.__qualname__}"

    @functools.wraps(build)
    def kept(space: Space) -> T:
        try:
            return cast(T, space.memo[key])
        except KeyError:
            found = space.memo[key] = build(space)
            return found

    return kept


_lock = threading.Lock()
_memo: dict[str, Space] = {}
_seed: list[Space] = []
"""The built-in seed's space, once compiled (see :func:`compiled`)."""


def compiled(model: Model | None = None, *, use_cache: bool = True) -> Space:
    """Return the compiled space of ``model`` (the built-in seed model by default).

    The diagram is always compiled from the rule tables: nothing is read from
    or written to disk, so no stale or forged file can change an answer.
    Unless ``use_cache`` is false, the space is kept for the life of the
    process, per rule-set hash, and returned again for the same rule set.
    The built-in seed is part of the installed package, so its space is
    looked up once per process, not re-checked against the file each call (a
    rule set passed as a model is the loader's to re-read when its file changes).

    Examples
    --------
    >>> space = compiled()
    >>> space.diagram.count({})[0]  # supported configurations
    19440
    >>> compiled() is space, compiled(use_cache=False) is space
    (True, False)
    """
    builtin = model is None
    if builtin and use_cache and _seed:
        return _seed[0]
    model = model if model is not None else load_model(_builtin_path())
    if use_cache:
        with _lock:
            hit = _memo.get(model.digest)
            if hit is not None and builtin and not _seed:
                _seed.append(hit)
        if hit is not None:
            return hit
    found = _precompiled(model) if use_cache else None
    if found is None:
        tables = build_tables(model)
        found = Space(model, tables, compile_diagram(tables))
    space = found
    if use_cache:
        with _lock:
            space = _memo.setdefault(model.digest, space)
            if builtin and not _seed:
                _seed.append(space)
    return space


def _precompiled(model: Model) -> Space | None:
    """The built-in seed's space as its precompiled file holds it, when current and of ``model``."""
    from .precompiled import space_for

    return space_for(model)


@functools.cache
def _builtin_path() -> str:
    """Where the built-in rule set lives (resolved once)."""
    return str(builtin_path())
