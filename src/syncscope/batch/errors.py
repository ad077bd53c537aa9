"""The batch errors, which belong to the one error tree of :mod:`syncscope.errors`."""

from __future__ import annotations

from syncscope.model.errors import UnreadableInput, UnwritableOutput

__all__ = ["UnreadableInput", "UnwritableOutput"]
