"""``syncscope docs``: rewrite, or check, the documents generated from the model."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import click

from syncscope import docgen

from .common import EXIT_INVALID, InputError, handle_errors

__all__ = ["command", "is_project_root"]


@click.command("docs")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder that holds docs/ (default: the project folder around the current one).",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any document is stale.")
@handle_errors
def command(root: Path | None, check: bool) -> None:
    """Regenerate the model reference and the traceability table under ROOT/docs,
    and the built-in seed's precompiled file in the package (model/data/seed.precompiled).

    A developer command. Without --root it works on the syncscope project
    that holds the current folder (the nearest folder upwards whose
    pyproject.toml names syncscope), and refuses to run anywhere else, so
    it never leaves a stray docs/ folder behind.

    Exit codes: 0 written (or fresh with --check); 1 stale with --check; 2
    not inside the project.
    """
    if root is None:
        here = Path.cwd()
        found = next((p for p in (here, *here.parents) if is_project_root(p)), None)
        if found is None:
            raise InputError(
                f"{here}: not inside the syncscope project (no pyproject.toml naming"
                " syncscope here or above); run syncscope docs in the project, or give --root"
            )
        root = found
    docs = docgen.generate()
    if check:
        stale = docgen.stale(docs, root)
        precompiled = docgen.precompiled_stale(root)
        for rel in [*stale, *([precompiled] if precompiled else [])]:
            click.echo(f"stale: {rel}", err=True)
        sys.exit(EXIT_INVALID if stale or precompiled else 0)
    written = docgen.write(docs, root)
    precompiled = docgen.write_precompiled(root)
    for rel in [*written, *([precompiled] if precompiled else [])]:
        click.echo(f"wrote {rel}")
    if not written and not precompiled:
        click.echo("generated documents are up to date")


def is_project_root(root: Path) -> bool:
    """Whether ``root`` holds a ``pyproject.toml`` whose project is syncscope.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     is_project_root(Path(folder))
    False
    """
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    project = data.get("project")
    return isinstance(project, dict) and project.get("name") == "syncscope"
