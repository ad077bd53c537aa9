"""The built-in rule set in precompiled form: plain data, checked against its sources.

``data/seed.precompiled`` holds the validated seed model, and for the solver
its compiled space, as :mod:`marshal` data of plain values only (numbers,
strings, tuples, lists, sets, dicts): reading it runs no code and builds only
the frozen records of this package and the solver's, through their own
constructors. The file is written by ``syncscope docs``
(:func:`syncscope.solver.diagram.precompiled.write`) and records what it was
built from:

- ``inputs``: the SHA-256 of every rule, vocabulary and source file the
  loader read for the seed;
- ``code``: the SHA-256 of every module of the model (and, in its own list,
  of the solver) whose code ran while it was built, so a change to the
  loader, the schema or the compiler makes it stale too;
- the format and the Python version.

It is used only when every one of them matches what is on disk now; anything
else (a missing, truncated, corrupt, oversized or non-regular file, a
mismatched hash, data of the wrong shape) is a miss, and the seed is read from
its TOML and validated as usual. The digests prove that the file was built
from these very sources by this very code, which is what running the loader
would show again: the file is part of the installed package, like the code.

Examples
--------
>>> from syncscope.model import load_model
>>> fresh_state(Path("/nonexistent/seed.precompiled"))
'missing'
>>> model = builtin_model()  # None while a file it was built from is edited
>>> model is None or model == load_model()
True
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import marshal
import os
import stat
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .schema import Advice, Document, Level, Model, Rule, Source, ValueSpec, Variable

__all__ = [
    "FORMAT",
    "MAGIC",
    "MAX_BYTES",
    "Codec",
    "builtin_model",
    "digests",
    "file_path",
    "fresh_state",
    "read",
    "seal",
    "unseal",
]

FORMAT = 3
"""The layout of the file; a file of any other format is stale."""
MAGIC = b"syncscope precompiled\n"
"""How the file starts; the SHA-256 of the rest follows, then the :mod:`marshal` data."""
MAX_BYTES = 32 << 20
"""A larger file is not read at all."""
_NAME = "seed.precompiled"
_PLAIN = frozenset({int, float, str, bool, type(None), bytes})
_CONTAINERS = frozenset({tuple, frozenset, dict})

MODEL_CLASSES: tuple[type, ...] = (
    Model,
    Variable,
    ValueSpec,
    Document,
    Source,
    Rule,
    Advice,
    Level,
)
"""The records (and the enum) a precompiled model is made of."""


def file_path() -> Path:
    """Where the precompiled seed lives: next to ``data/seed.toml``."""
    return Path(__file__).parent.joinpath("data", _NAME)


def data_dir() -> Path:
    """The folder of the built-in rule files (what ``inputs`` are relative to)."""
    return Path(__file__).parent / "data"


def code_dir() -> Path:
    """The folder of the model's modules (what ``model_code`` is relative to)."""
    return Path(__file__).parent


def _read_regular(path: Path, limit: int) -> bytes:
    """A regular file's bytes, opened so that a FIFO or device never blocks; OSError else."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise OSError(0, "not a regular file of a sane size")
        return fh.read(info.st_size + 1)


def digests(root: Path, names: Iterable[str]) -> list[tuple[str, str]]:
    """``(name, SHA-256 hex)`` of each file ``root/name``; OSError when one cannot be read."""
    return [
        (name, hashlib.sha256(_read_regular(root / name, MAX_BYTES)).hexdigest()) for name in names
    ]


def seal(payload: bytes) -> bytes:
    """The file's bytes for ``payload``: :data:`MAGIC`, the payload's SHA-256, the payload.

    The hashes inside the payload say whether it is current; this one says whether it is
    the payload that was written, so a damaged byte is never read as data.

    Examples
    --------
    >>> unseal(seal(b"data")), unseal(b"data"), unseal(seal(b"data")[:-1] + b"x")
    (b'data', None, None)
    """
    return MAGIC + hashlib.sha256(payload).digest() + payload


def unseal(raw: bytes) -> bytes | None:
    """The payload of a file written by :func:`seal`, or None when it is not one or is damaged."""
    head = len(MAGIC) + hashlib.sha256().digest_size
    if len(raw) < head or not raw.startswith(MAGIC):
        return None
    payload = raw[head:]
    return payload if hashlib.sha256(payload).digest() == raw[len(MAGIC) : head] else None


def _inside(name: object) -> bool:
    """Whether ``name`` is a relative path that stays inside the folder it is relative to."""
    if not isinstance(name, str) or not name:
        return False
    path = Path(name)
    return not path.is_absolute() and ".." not in path.parts and "\\" not in name


def matches(root: Path, recorded: object) -> bool:
    """Whether ``recorded`` is a list of ``(name, hex)`` pairs that all match the files now.

    A name must be relative and stay inside ``root``, so a forged file can't make
    the check read any other file.

    Examples
    --------
    >>> matches(data_dir(), [("/etc/passwd", "0" * 64)]), matches(data_dir(), [("../x", "")])
    (False, False)
    """
    if not isinstance(recorded, list) or not recorded:
        return False
    try:
        names = [name for name, _ in recorded]
        if not all(_inside(name) for name in names):
            return False
        return digests(root, names) == [tuple(entry) for entry in recorded]
    except (OSError, TypeError, ValueError):
        return False


def load_file(path: Path) -> dict[str, Any] | None:
    """The file's data when it is a regular file of this format and Python, else None."""
    try:
        payload = unseal(_read_regular(path, MAX_BYTES))
        if payload is None:
            return None
        data = marshal.loads(payload)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    if data.get("format") != FORMAT or data.get("python") != list(sys.version_info[:2]):
        return None
    return data


@functools.cache
def read() -> dict[str, Any] | None:
    """The precompiled file's data when its format, inputs and model code are current, else None.

    Read and checked once per process; the solver checks its own ``solver_code``.
    """
    data = load_file(file_path())
    if data is None:
        return None
    if not matches(data_dir(), data.get("inputs")):
        return None
    if not matches(code_dir(), data.get("model_code")):
        return None
    return data


def fresh_state(path: Path | None = None) -> str:
    """``'fresh'``, ``'missing'``, ``'unreadable'`` or ``'stale'``: the state of the file now.

    For the model's part only (format, inputs, model code): the solver's
    part is judged by :func:`syncscope.solver.diagram.precompiled.state`.
    """
    path = path or file_path()
    if not path.exists():
        return "missing"
    data = load_file(path)
    if data is None:
        return "unreadable"
    if not matches(data_dir(), data.get("inputs")) or not matches(
        code_dir(), data.get("model_code")
    ):
        return "stale"
    return "fresh"


@functools.cache
def builtin_model() -> Model | None:
    """The built-in seed model from the precompiled file, or None when it is not current.

    The model's ``file`` is the seed's path in this installation.
    """
    data = read()
    if data is None:
        return None
    try:
        model = Codec(MODEL_CLASSES).decode(data["model"])
        if not isinstance(model, Model):
            return None
        return dataclasses.replace(model, file=str(data_dir() / "seed.toml"))
    except Exception:  # any malformed entry is a miss, never a traceback
        return None


class Codec:
    """Frozen records <-> plain data that :mod:`marshal` stores.

    Plain values, and tuples, frozensets and dicts of plain values only, are
    stored as they are (so :mod:`marshal` rebuilds them at C speed); anything
    else is a tagged *list*, the one container plain data never holds:

    - ``["o", class, {field: value}]`` a record, rebuilt by its constructor
      (each is numbered in order, and ``["r", n]`` refers back to it);
    - ``["e", class, value]`` an enum member; ``["x", key]`` an object given
      from outside (``externals``), such as the model the solver's data is about;
    - ``["t" | "f" | "l", items]``, ``["d", keys, values]``, ``["m", dict]``,
      ``["g", start, stop, step]``: a tuple, frozenset, list, dict, read-only
      mapping or range holding something that is not plain.

    Only the classes given are ever built.

    Examples
    --------
    >>> codec = Codec(MODEL_CLASSES)
    >>> value = ValueSpec("gmail", "Gmail", ("google",))
    >>> data = codec.encode((value, Level.SUPPORTED, range(3), {"a": (1, 2)}))
    >>> data[0], data[1][2], data[1][3]
    ('t', ['g', 0, 3, 1], {'a': (1, 2)})
    >>> Codec(MODEL_CLASSES).decode(data) == (value, Level.SUPPORTED, range(3), {"a": (1, 2)})
    True
    """

    def __init__(
        self, classes: Iterable[type], externals: Mapping[str, object] | None = None
    ) -> None:
        self.classes = {cls.__qualname__: cls for cls in classes}
        self.externals = dict(externals or {})
        self._out: dict[int, str] = {}
        self._seen: dict[int, int] = {}
        self._keep: list[object] = []
        self._built: list[object] = []

    def external(self, key: str, obj: object) -> None:
        """Encode ``obj`` (by identity) as a reference to ``key``."""
        self._out[id(obj)] = key
        self._keep.append(obj)

    # -- writing ---------------------------------------------------------
    def encode(self, obj: object) -> Any:
        """Plain data for ``obj``; TypeError for a value of a type the codec does not know."""
        kind = type(obj)
        if kind in _PLAIN:
            return obj
        key = self._out.get(id(obj))
        if key is not None:
            return ["x", key]
        if isinstance(obj, enum.Enum):
            return ["e", self._name(kind), obj.value]
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            ref = self._seen.get(id(obj))
            if ref is not None:
                return ["r", ref]
            fields = {
                f.name: self.encode(getattr(obj, f.name))
                for f in dataclasses.fields(obj)
                if f.init and f.compare
            }
            self._seen[id(obj)] = len(self._seen)
            self._keep.append(obj)
            return ["o", self._name(kind), fields]
        if kind is range:
            assert isinstance(obj, range)
            return ["g", obj.start, obj.stop, obj.step]
        if kind is MappingProxyType:
            assert isinstance(obj, MappingProxyType)
            return ["m", self.encode(dict(obj))]
        if kind is list:
            assert isinstance(obj, list)
            return ["l", [self.encode(x) for x in obj]]
        if kind in _CONTAINERS:
            if _is_plain(obj):
                return obj
            if isinstance(obj, dict):
                return ["d", [self.encode(k) for k in obj], [self.encode(v) for v in obj.values()]]
            assert isinstance(obj, (tuple, frozenset))
            return ["t" if kind is tuple else "f", [self.encode(x) for x in obj]]
        raise TypeError(f"cannot store a {kind.__qualname__}")

    def _name(self, kind: type) -> str:
        if self.classes.get(kind.__qualname__) is not kind:
            raise TypeError(f"cannot store a {kind.__qualname__}")
        return kind.__qualname__

    # -- reading ---------------------------------------------------------
    def decode(self, data: Any) -> Any:
        """The objects ``data`` describes; ValueError or TypeError (among others) when malformed."""
        if type(data) is not list:
            return data
        tag = data[0]
        if tag == "o":
            cls = self.classes[data[1]]
            if not dataclasses.is_dataclass(cls) or type(data[2]) is not dict:
                raise ValueError("not a record")
            decode = self.decode
            built = cls(**{str(k): decode(v) for k, v in data[2].items()})
            self._built.append(built)
            return built
        if tag == "m":
            return MappingProxyType(self.decode(data[1]))
        build = _BUILDERS.get(tag)
        if build is not None:
            return build(_decoded(self, data[1]))
        if tag == "r":
            return self._built[data[1]]
        if tag == "x":
            return self.externals[data[1]]
        if tag == "e":
            cls = self.classes[data[1]]
            if not issubclass(cls, enum.Enum):
                raise ValueError("not an enum")
            return cls(data[2])
        if tag == "g":
            return range(int(data[1]), int(data[2]), int(data[3]))
        if tag == "d":
            return dict(zip(_decoded(self, data[1]), _decoded(self, data[2]), strict=True))
        raise ValueError(f"unknown tag {tag!r}")


_BUILDERS: dict[str, Callable[[Sequence[Any]], Any]] = {"t": tuple, "f": frozenset, "l": list}


def _decoded(codec: Codec, items: Any) -> list[Any]:
    if type(items) is not list:
        raise ValueError("not a list of items")
    return [codec.decode(x) for x in items]


def _is_plain(obj: object) -> bool:
    """Whether ``obj`` holds plain values only (exact types: an IntEnum member is not plain)."""
    kind = type(obj)
    if kind in _PLAIN:
        return True
    if kind is tuple or kind is frozenset:
        assert isinstance(obj, (tuple, frozenset))
        return all(_is_plain(x) for x in obj)
    if kind is dict:
        assert isinstance(obj, dict)
        return all(_is_plain(k) and _is_plain(v) for k, v in obj.items())
    return False
