"""``syncscope check``."""

from __future__ import annotations

import click

from syncscope import check
from syncscope.model import Level

from .common import (
    config_options,
    fail_on_option,
    handle_errors,
    json_option,
    quiet_option,
    run_configs,
)
from .render import render_check

__all__ = ["command"]


@click.command("check")
@config_options
@json_option
@fail_on_option
@quiet_option
@click.pass_context
@handle_errors
def command(
    ctx: click.Context,
    sets: tuple[str, ...],
    config_file: str | None,
    as_json: bool,
    fail_on: Level,
    quiet: bool,
) -> None:
    """Check configurations: the verdict, every rule broken, and a fix.

    Settings come from --set VAR=VALUE (repeatable) and --config FILE|- (a
    JSON object, or an array of objects checked in order; --set applies on
    top of each). Variables left out are unknown: the verdict is then the
    best that some completion reaches.

    \b
    Exit codes:
      0  every configuration is valid (supported, limited or discouraged)
      1  some configuration is untested or unsupported
         (with --fail-on LEVEL: some configuration is at LEVEL or worse)
      2  bad input: unknown variable or value, malformed JSON, unreadable file

    -q prints nothing but errors: the exit code is the answer.
    """
    run_configs(
        ctx,
        sets,
        config_file,
        as_json,
        compute=lambda model, config: check(config, model=model),
        render=render_check,
        ok=lambda result: result.verdict < fail_on,
        quiet=quiet,
    )
