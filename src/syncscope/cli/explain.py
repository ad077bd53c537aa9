"""``syncscope explain``."""

from __future__ import annotations

import textwrap

import click

from syncscope import Explanation, explain
from syncscope.model import Level

from .common import (
    config_options,
    fail_on_option,
    handle_errors,
    output_options,
    paint,
    run_configs,
    terminal_width,
)
from .render import MARKS, render_config

__all__ = ["command", "render_explanation"]


@click.command("explain")
@config_options
@output_options("text", "json")
@fail_on_option
@click.option(
    "--verbose",
    is_flag=True,
    help="Also say which other values would not help, and list every minimal diagnosis.",
)
@click.pass_context
@handle_errors
def command(
    ctx: click.Context,
    sets: tuple[str, ...],
    config_file: str | None,
    fmt: str,
    fail_on: Level,
    verbose: bool,
) -> None:
    """Why a configuration gets its verdict: each cause with its quote, then the fixes by cost.

    One paragraph per cause ("Because A and B, C is impossible"), the same
    causes check, domains and list name; then the distinct fixes ranked by
    cost as nearest --top ranks them, equally cheap ones included, each with
    its target values (the first five; a fix doing another's changes and more
    is left out).
    A discouraged configuration gets its recommendation and what would remove
    it; a partial one, what its unknowns decide. JSON also lists every minimal
    conflict (a smallest set of your settings no valid configuration contains)
    and every minimal diagnosis.

    Exit codes: 0 valid; 1 invalid (with --fail-on LEVEL: at LEVEL or worse);
    2 bad input.
    """
    run_configs(
        ctx,
        sets,
        config_file,
        fmt,
        compute=lambda model, config: explain(config, model=model, verbose=verbose),
        render=render_explanation,
        ok=lambda result: result.verdict < fail_on,
    )


def render_explanation(result: Explanation) -> str:
    """An explanation for people: the verdict, then the derivation, wrapped to the terminal.

    A paragraph of several lines (the fixes) keeps its lines.
    """
    mark = paint(f"{MARKS[result.verdict]} {result.verdict.id.upper()}", result.verdict.id)
    head = f"{mark}: {render_config(result.configuration)}"
    paragraphs = [
        p if "\n" in p else textwrap.fill(p, width=terminal_width(), break_on_hyphens=False)
        for p in result.text.split("\n\n")
    ]
    return "\n\n".join([head, *paragraphs])
