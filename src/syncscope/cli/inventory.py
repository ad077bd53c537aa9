"""The options that say how an inventory is read, shared by ``batch`` and ``plan --batch``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

__all__ = ["DELIMITERS", "delimiter_option", "require_complete_option"]

F = TypeVar("F", bound=Callable[..., Any])

DELIMITERS = ("comma", "semicolon", "tab", ",", ";", "\t")
"""The accepted ``--delimiter`` values: by name or as the character."""


def delimiter_option(func: F) -> F:
    """``--delimiter comma|semicolon|tab``: the CSV delimiter (sniffed from the header when
    not given); the command receives ``delimiter``."""
    return click.option(
        "--delimiter",
        type=click.Choice(DELIMITERS),
        default=None,
        metavar="comma|semicolon|tab",
        help="The CSV delimiter (default: sniffed from the header: comma, semicolon or tab).",
    )(func)


def require_complete_option(otherwise: str) -> Callable[[F], F]:
    """``--require-complete``: a CSV or JSON Lines row that leaves a setting unknown is an
    error row; ``otherwise`` says what the command does with such a row by default. The
    command receives ``require_complete``.

    Examples
    --------
    >>> @click.command()
    ... @require_complete_option("it is read as it is")
    ... def show(require_complete: bool) -> None:
    ...     click.echo(require_complete)
    >>> from click.testing import CliRunner
    >>> CliRunner().invoke(show, ["--require-complete"]).output
    'True\\n'
    """

    def decorate(func: F) -> F:
        return click.option(
            "--require-complete",
            is_flag=True,
            help="A CSV or JSON Lines row that leaves a setting unknown is an error row (by"
            f" default {otherwise}).",
        )(func)

    return decorate
