"""``syncscope check``."""

from __future__ import annotations

import click

from syncscope import check
from syncscope.model import Level

from .common import (
    config_options,
    gate_options,
    handle_errors,
    output_options,
    run_configs,
)
from .render import render_check

__all__ = ["command"]


@click.command("check")
@config_options
@click.option(
    "--against",
    "against",
    default=None,
    metavar="EDITION",
    help="Also check under this edition: both verdicts, the findings that move, the nearest fix.",
)
@output_options("text", "json", "jsonl")
@gate_options
@click.pass_context
@handle_errors
def command(
    ctx: click.Context,
    sets: tuple[str, ...],
    config_file: str | None,
    fmt: str,
    fail_on: Level,
    quiet: bool,
    against: str | None,
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

    With --against EDITION (say --edition pre-9.0 --against online-2022-01) the
    exit code follows the verdict under EDITION: what happens on upgrade.
    """
    if against is not None:
        _against(ctx, sets, config_file, fmt, fail_on, quiet, against)
    run_configs(
        ctx,
        sets,
        config_file,
        fmt,
        compute=lambda model, config: check(config, model=model),
        render=render_check,
        ok=lambda result: result.verdict < fail_on,
        quiet=quiet,
    )


def _against(
    ctx: click.Context,
    sets: tuple[str, ...],
    config_file: str | None,
    fmt: str,
    fail_on: Level,
    quiet: bool,
    edition: str,
) -> None:
    from syncscope import check_against, load_model

    from .diff import render_against

    rules = (ctx.find_root().obj or {}).get("rules") or ()
    target = load_model(edition=edition, rules=rules)
    run_configs(
        ctx,
        sets,
        config_file,
        fmt,
        compute=lambda model, config: check_against(config, model, target),
        render=render_against,
        ok=lambda result: result.after.verdict < fail_on,
        quiet=quiet,
    )
