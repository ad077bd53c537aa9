"""The one error a batch run raises: an input that can't be read at all."""

from __future__ import annotations

from syncscope.model import SyncscopeError

__all__ = ["UnreadableInput"]


class UnreadableInput(SyncscopeError):
    """The input can't be read at all (missing file, no header, unknown format...).

    A bad row never raises: it becomes an ``error`` row and the run goes on.
    This error is for inputs where no row can be trusted, and maps to exit code 2.

    Examples
    --------
    >>> str(UnreadableInput("inventory.csv: cannot read: No such file or directory"))
    'inventory.csv: cannot read: No such file or directory'
    """
