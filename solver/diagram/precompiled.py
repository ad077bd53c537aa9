"""The built-in seed's compiled space, read back from its precompiled file.

The file (:mod:`syncscope.model.precompiled`) holds, next to the seed model,
its rule tables, its decision diagram and the per-space tables that
explanations use (the single-rule and two-rule look-ups of
:mod:`~syncscope.solver.explain.blame`, arc consistency under each value of
:mod:`~syncscope.solver.explain.quickxplain`, ...), built by the same code a
process would run (:func:`build`). :func:`space_for` returns it only for the
model whose digest it was built for, and only while every solver module whose
code ran to build it is byte for byte the same (``solver_code``); any other
case, and any malformed entry, is a miss and the space is compiled as usual.

Examples
--------
>>> from syncscope.model import load_model
>>> from syncscope.solver.diagram.space import compiled
>>> found = space_for(load_model())  # None while stale: then the space is compiled
>>> fresh = compiled(load_model(), use_cache=False)
>>> found is None or (found.tables, found.diagram) == (fresh.tables, fresh.diagram)
True
>>> space_for(load_model(edition="online-2022-01")) is None  # built for the seed only
True
"""

from __future__ import annotations

import functools
import importlib
import marshal
import os
import sys
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import Any

from syncscope.model import Model, precompiled
from syncscope.model.loader import _Loader

from .space import Space, compiled

__all__ = ["KEPT", "build", "space_for", "state", "write"]

KEPT = (
    "syncscope.solver.explain.blame.preference",
    "syncscope.solver.explain.blame.ranks",
    "syncscope.solver.explain.blame.reading",
    "syncscope.solver.explain.blame.statuses",
    "syncscope.solver.explain.blame._rule_index",
    "syncscope.solver.explain.blame._single_index",
    "syncscope.solver.explain.blame._pair_index",
    "syncscope.solver.explain.conflicts.specificity",
    "syncscope.solver.explain.quickxplain._closure",
    "syncscope.solver.explain.quickxplain.blocking_supports",
    "syncscope.solver.explain.quickxplain.settled",
    "syncscope.solver.explain.quickxplain.reasoned",
    "syncscope.solver.explain.quickxplain.searched",
    "syncscope.solver.explain.quickxplain.paired",
)
"""The per-space tables (keys of :func:`~syncscope.solver.diagram.space.per_space`) it keeps."""

_INDEXES = (
    "syncscope.solver.explain.blame._single_index",
    "syncscope.solver.explain.blame._pair_index",
)
"""Kept without their projectors (functions), which are made again from the scopes."""


def _classes() -> tuple[type, ...]:
    from ..explain.propagate import Narrowed
    from ..explain.quickxplain import Tabled
    from .mdd import Diagram
    from .tables import RuleTable, Tables

    return (*precompiled.MODEL_CLASSES, Tables, RuleTable, Diagram, Narrowed, Tabled)


def _solver_root() -> Path:
    return Path(__file__).resolve().parent.parent


def _model_root() -> Path:
    return precompiled.code_dir().resolve()


def state() -> str:
    """``'fresh'``, ``'missing'``, ``'unreadable'`` or ``'stale'``: whether the file is current.

    Stale when any input or any model or solver module it was built with has
    changed. Read afresh on every call.
    """
    found = precompiled.fresh_state()
    if found != "fresh":
        return found
    data = precompiled.load_file(precompiled.file_path())
    if data is None or not precompiled.matches(_solver_root(), data.get("solver_code")):
        return "stale"
    return "fresh"


def space_for(model: Model) -> Space | None:
    """The precompiled space of ``model`` when the file is current and was built for it."""
    data = precompiled.read()
    if data is None or data.get("digest") != model.digest:
        return None
    if not _solver_current():
        return None
    try:
        return _decode(data, model)
    except Exception:  # any malformed entry is a miss, never a traceback
        return None


@functools.cache
def _solver_current() -> bool:
    """Whether the solver modules are those the file was built with (checked once)."""
    data = precompiled.read()
    return data is not None and precompiled.matches(_solver_root(), data.get("solver_code"))


def _externals(model: Model) -> dict[str, object]:
    out: dict[str, object] = {"model": model}
    out.update((f"rule{i}", rule) for i, rule in enumerate(model.rules))
    out.update((f"var{i}", var) for i, var in enumerate(model.variables))
    return out


def _decode(data: dict[str, Any], model: Model) -> Space:
    from .mdd import Diagram
    from .tables import RuleTable, Tables

    externals = _externals(model)
    codec = precompiled.Codec((*precompiled.MODEL_CLASSES, Tables, RuleTable, Diagram), externals)
    part = data["space"]
    tables = codec.decode(part["tables"])
    diagram = codec.decode(part["diagram"])
    if not isinstance(tables, Tables) or not isinstance(diagram, Diagram):
        raise TypeError("not a space")
    if tables.model is not model:
        raise ValueError("tables of another model")
    memo = part["memo"]
    if type(memo) is not dict or any(
        key not in KEPT or type(blob) is not bytes for key, blob in memo.items()
    ):
        raise ValueError("not a memo of the kept tables")

    def entry(key: str, blob: bytes) -> object:
        from ..explain.blame import projector

        found = precompiled.Codec(_classes(), externals).decode(marshal.loads(blob))
        if key in _INDEXES:
            found = [(projector(_scope(tables, owner)), per, owner) for per, owner in found]
        return found

    return Space(model, tables, diagram, memo=_Kept(dict(memo), entry))


class _Kept(dict[Hashable, object]):
    """A space's memo whose precompiled tables are decoded when first asked for.

    An entry that cannot be decoded is missing, and its table is built as usual.
    """

    def __init__(self, pending: dict[str, bytes], decode: Callable[[str, bytes], object]) -> None:
        super().__init__()
        self._pending = pending
        self._decode = decode

    def __missing__(self, key: Hashable) -> object:
        if not isinstance(key, str) or key not in self._pending:
            raise KeyError(key)
        blob = self._pending.pop(key)
        try:
            value = self._decode(key, blob)
        except Exception:  # any malformed entry is a miss, never a traceback
            raise KeyError(key) from None
        self[key] = value
        return value


def _scope(tables: Any, owner: int | tuple[int, int]) -> tuple[int, ...]:
    """The scope an index entry reads: its rule's, or the two rules' together."""
    if isinstance(owner, int):
        return tuple(tables.rules[owner].scope)
    first, second = owner
    return tuple(sorted(set(tables.rules[first].scope) | set(tables.rules[second].scope)))


# -- building ------------------------------------------------------------------


def _traced(run: Callable[[], object], root: Path) -> tuple[object, list[str]]:
    """Run ``run`` and list the ``.py`` files under ``root`` whose functions it called."""
    seen: set[str] = set()

    def hook(frame: Any, event: str, arg: object) -> None:
        if event == "call":
            seen.add(frame.f_code.co_filename)

    previous = sys.getprofile()
    sys.setprofile(hook)
    try:
        result = run()
    finally:
        sys.setprofile(previous)
    names = set()
    for name in seen:
        path = Path(name).resolve()
        if path.suffix == ".py" and path.is_relative_to(root):
            names.add(path.relative_to(root).as_posix())
    return result, sorted(names)


def _warm(space: Space) -> None:
    for key in KEPT:
        module, _, name = key.rpartition(".")
        getattr(importlib.import_module(module), name)(space)


def build() -> bytes:
    """The precompiled file for the built-in seed, from its TOML and this code.

    The model is loaded and validated afresh (never from an earlier file),
    compiled, and its explanation tables built, while the modules whose code
    runs are noted.
    """
    seed = Path(precompiled.data_dir()) / "seed.toml"

    def load() -> Model:
        return _Loader(seed).load()

    model_root, solver_root = _model_root(), _solver_root()
    model, model_code = _traced(load, model_root)
    assert isinstance(model, Model)
    space, solver_code = _traced(lambda: _build_space(model), solver_root)
    assert isinstance(space, Space)
    codec = precompiled.Codec(_classes())
    model_data = codec.encode(model)
    space_codec = precompiled.Codec(_classes())
    for key, obj in _externals(model).items():
        space_codec.external(key, obj)
    memo = {}
    for key in KEPT:  # each on its own, decoded when first used
        value = space.memo[key]
        if key in _INDEXES:
            assert isinstance(value, list)
            value = [(per, owner) for _, per, owner in value]
        entry_codec = precompiled.Codec(_classes())
        for name, obj in _externals(model).items():
            entry_codec.external(name, obj)
        memo[key] = marshal.dumps(entry_codec.encode(value))
    own = {"precompiled.py"}
    inputs = sorted(_inputs(model, seed))
    data = {
        "format": precompiled.FORMAT,
        "python": list(sys.version_info[:2]),
        "digest": model.digest,
        "inputs": precompiled.digests(precompiled.data_dir(), inputs),
        "model_code": precompiled.digests(model_root, sorted(set(model_code) | own)),
        "solver_code": precompiled.digests(
            solver_root, sorted(set(solver_code) | {"diagram/precompiled.py"})
        ),
        "model": model_data,
        "space": {
            "tables": space_codec.encode(space.tables),
            "diagram": space_codec.encode(space.diagram),
            "memo": memo,
        },
    }
    return precompiled.seal(marshal.dumps(data))


def _build_space(model: Model) -> Space:
    space = compiled(model, use_cache=False)
    _warm(space)
    return space


def _inputs(model: Model, seed: Path) -> Iterator[str]:
    """The data files the seed's loader reads, relative to the data folder."""
    import tomllib

    data_dir = precompiled.data_dir()
    yield seed.relative_to(data_dir).as_posix()
    raw = tomllib.loads(seed.read_text(encoding="utf-8"))
    vocabulary = raw.get("vocabulary", {}).get("file")
    if vocabulary:
        yield (seed.parent / vocabulary).resolve().relative_to(data_dir.resolve()).as_posix()
    for doc in raw.get("documents", []):
        yield (seed.parent / doc["path"]).resolve().relative_to(data_dir.resolve()).as_posix()


def write(target: Path | None = None) -> bool:
    """Write the precompiled file (atomically) unless it is already current; True if written."""
    target = target or precompiled.file_path()
    if target == precompiled.file_path() and state() == "fresh":
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    import tempfile

    payload = build()
    fd, temporary = tempfile.mkstemp(prefix=target.name, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
    precompiled.read.cache_clear()
    precompiled.builtin_model.cache_clear()
    _solver_current.cache_clear()
    return True
