"""``syncscope docs``: rewrite, or check, the documents generated from the model."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from syncscope import docgen

from .common import EXIT_INVALID, handle_errors

__all__ = ["command"]


@click.command("docs")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The project folder that holds docs/.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any document is stale.")
@handle_errors
def command(root: Path, check: bool) -> None:
    """Regenerate the model reference and the traceability table under ROOT/docs."""
    docs = docgen.generate()
    if check:
        stale = docgen.stale(docs, root)
        for rel in stale:
            click.echo(f"stale: {rel}", err=True)
        sys.exit(EXIT_INVALID if stale else 0)
    written = docgen.write(docs, root)
    for rel in written:
        click.echo(f"wrote {rel}")
    if not written:
        click.echo("generated documents are up to date")
