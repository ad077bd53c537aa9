"""``syncscope editions``: the editions of the page, with their source, date and cover."""

from __future__ import annotations

import click

from syncscope.model.editions import EDITIONS

from .common import emit, handle_errors, output_options, terminal_width

__all__ = ["command"]


@click.command("editions")
@output_options("text", "json", "jsonl")
@handle_errors
def command(fmt: str) -> None:
    """List the editions of the page: id, date, versions and deployments covered, source.

    A row too wide for the terminal puts its source on a line of its own.
    """
    if fmt != "text":
        emit([e.to_dict() for e in EDITIONS], fmt)
        return
    width = terminal_width()
    for e in EDITIONS:
        mark = " (default)" if e.id == "pre-9.0" else ""
        cover = f"{', '.join(e.versions)}; {', '.join(e.deployments)}"
        line = f"{e.id:<20} {e.date:<11} {cover:<32} {e.source}{mark}"
        if len(line) > width:
            line = f"{e.id:<20} {e.date:<11} {cover}{mark}\n    {e.source}"
        click.echo(line)
