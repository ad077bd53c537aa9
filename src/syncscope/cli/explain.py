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
from .render import render_config

__all__ = ["command", "render_explanation"]

_MARK = {True: "✓", False: "✗"}


@click.command("explain")
@config_options
@output_options("text", "json")
@fail_on_option
@click.pass_context
@handle_errors
def command(
    ctx: click.Context,
    sets: tuple[str, ...],
    config_file: str | None,
    fmt: str,
    fail_on: Level,
) -> None:
    """Why a configuration fails: every minimal conflict, with its rules, and every minimal fix.

    A conflict is a smallest set of your settings that no valid configuration
    contains; a diagnosis is a smallest set of settings whose change restores
    validity.

    Exit codes: 0 valid; 1 invalid (with --fail-on LEVEL: at LEVEL or worse);
    2 bad input.
    """
    run_configs(
        ctx,
        sets,
        config_file,
        fmt,
        compute=lambda model, config: explain(config, model=model),
        render=render_explanation,
        ok=lambda result: result.verdict < fail_on,
    )


def render_explanation(result: Explanation) -> str:
    """An explanation for people: the verdict, then the derivation, wrapped to the terminal."""
    mark = paint(f"{_MARK[result.valid]} {result.verdict.id.upper()}", result.verdict.id)
    head = f"{mark}: {render_config(result.configuration)}"
    paragraphs = [
        textwrap.fill(p, width=terminal_width(), break_on_hyphens=False)
        for p in result.text.split("\n\n")
    ]
    return "\n\n".join([head, *paragraphs])
