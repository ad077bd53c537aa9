"""``syncscope editions``: the editions of the page, with their source, date and cover."""

from __future__ import annotations

import json

import click

from syncscope.model.editions import EDITIONS

from .common import handle_errors

__all__ = ["command"]


@click.command("editions")
@click.option("--json", "as_json", is_flag=True, help="Print the editions as JSON.")
@handle_errors
def command(as_json: bool) -> None:
    """List the editions of the page: id, date, versions and deployments covered, source."""
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in EDITIONS], indent=2, sort_keys=True))
        return
    for e in EDITIONS:
        mark = " (default)" if e.id == "pre-9.0" else ""
        cover = f"{', '.join(e.versions)}; {', '.join(e.deployments)}"
        click.echo(f"{e.id:<20} {e.date:<11} {cover:<32} {e.source}{mark}")
