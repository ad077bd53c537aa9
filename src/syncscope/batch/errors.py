"""The batch errors: an input that can't be read, an output that can't be written."""

from __future__ import annotations

from syncscope.model import SyncscopeError

__all__ = ["UnreadableInput", "UnwritableOutput"]


class UnreadableInput(SyncscopeError):
    """The input can't be read at all (missing file, no header, unknown format...).

    A bad row never raises: it becomes an ``error`` row and the run goes on.
    This error is for inputs where no row can be trusted, and maps to exit code 2.

    Examples
    --------
    >>> str(UnreadableInput("inventory.csv: cannot read: No such file or directory"))
    'inventory.csv: cannot read: No such file or directory'
    """


class UnwritableOutput(SyncscopeError):
    """The output file can't be written (missing folder, no permission, full disk...).

    Examples
    --------
    >>> str(UnwritableOutput("out/rows.csv: cannot write: the folder 'out' does not exist"))
    "out/rows.csv: cannot write: the folder 'out' does not exist"
    """
