"""Counted nouns for batch messages: ``1 field``, ``4 fields``."""

from __future__ import annotations

__all__ = ["counted"]


def counted(count: int, word: str, many: str | None = None) -> str:
    """``count`` and ``word``, in the plural unless ``count`` is one.

    Examples
    --------
    >>> counted(1, "field"), counted(4, "field"), counted(2, "entry", "entries")
    ('1 field', '4 fields', '2 entries')
    """
    return f"{count} {word if count == 1 else (many or word + 's')}"
