"""``syncscope check``."""

from __future__ import annotations

import sys

import click

from syncscope.api.check import check

from .common import (
    EXIT_INVALID,
    EXIT_OK,
    config_options,
    emit_json,
    handle_errors,
    json_option,
    model_from,
    read_configs,
)
from .render import render_check

__all__ = ["command"]


@click.command("check")
@config_options
@json_option
@click.pass_context
@handle_errors
def command(
    ctx: click.Context, sets: tuple[str, ...], config_file: str | None, as_json: bool
) -> None:
    """Check configurations: the verdict, every rule broken, and a fix.

    Settings come from --set VAR=VALUE (repeatable) and --config FILE|- (a
    JSON object, or an array of objects checked in order; --set applies on
    top of each). Variables left out are unknown: the verdict is then the
    best that some completion reaches.

    \b
    Exit codes:
      0  every configuration is valid (supported or discouraged)
      1  some configuration is untested or unsupported
      2  bad input: unknown variable or value, malformed JSON, unreadable file
    """
    model = model_from(ctx)
    configs, many = read_configs(model, sets, config_file)
    results = [check(c, model=model) for c in configs]
    if as_json:
        data = [r.to_dict() for r in results]
        emit_json(data if many else data[0])
    else:
        click.echo("\n\n".join(render_check(r) for r in results))
    sys.exit(EXIT_OK if all(r.valid for r in results) else EXIT_INVALID)
