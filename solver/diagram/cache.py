"""An on-disk cache of compiled diagrams, keyed by the rule set's hash; never trusted blindly."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from .mdd import Diagram

__all__ = ["FORMAT", "cache_dir", "load_cached", "store"]

FORMAT = 1
"""Bump when the diagram's construction or layout changes; old entries are then ignored."""


def cache_dir() -> Path:
    """Where compiled diagrams live: ``$SYNCSCOPE_CACHE_DIR``, else the user cache folder."""
    explicit = os.environ.get("SYNCSCOPE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "syncscope"


def _key(digest: str) -> str:
    return hashlib.sha256(f"{digest}:{FORMAT}".encode()).hexdigest()[:32]


def _path(digest: str) -> Path:
    return cache_dir() / f"diagram-{_key(digest)}.json"


def load_cached(digest: str) -> Diagram | None:
    """Return the cached diagram for a rule-set hash, or None if absent, stale or corrupt."""
    try:
        raw = json.loads(_path(digest).read_text(encoding="utf-8"))
        body = raw["diagram"]
        blob = json.dumps(body, sort_keys=True, separators=(",", ":"))
        if (
            raw.get("format") != FORMAT
            or raw.get("digest") != digest
            or raw.get("checksum") != hashlib.sha256(blob.encode()).hexdigest()
        ):
            return None
        return Diagram.from_data(body)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def store(digest: str, diagram: Diagram) -> None:
    """Write a diagram to the cache atomically; a cache that can't be written is skipped."""
    body = diagram.to_data()
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"))
    record = {
        "format": FORMAT,
        "digest": digest,
        "checksum": hashlib.sha256(blob.encode()).hexdigest(),
        "diagram": body,
    }
    target = _path(digest)
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".diagram-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(record, fh, separators=(",", ":"))
        os.replace(tmp, target)
        tmp = None
    except OSError:
        return
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
