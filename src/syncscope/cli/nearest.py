"""``syncscope nearest``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

import syncscope
from syncscope.model import Level

from .common import config_options, gate_options, handle_errors, output_options, run_configs
from .render import (
    plural,
    render_changes,
    render_config,
    render_finding,
    verdict_mark,
    verdict_tag,
)

if TYPE_CHECKING:
    from syncscope import NearestResult

__all__ = ["command", "render_nearest"]


@click.command("nearest")
@config_options
@click.option(
    "--keep",
    "keep",
    multiple=True,
    metavar="VAR",
    help="Hold a variable at its given value (repeatable).",
)
@click.option(
    "--weights",
    "weights",
    default=None,
    metavar="uniform|FILE",
    help="'uniform' (every change costs 1) or a TOML/JSON file of variable = cost, or of "
    'variable = {"FROM -> TO" = cost, default = cost}, overriding the rule set\'s change '
    "costs (docs/repair.md).",
)
@click.option(
    "--top",
    "top",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="The most distinct fixes to show (completions of unset settings are one fix).",
)
@output_options("text", "json")
@gate_options
@click.pass_context
@handle_errors
def command(
    ctx: click.Context,
    sets: tuple[str, ...],
    config_file: str | None,
    keep: tuple[str, ...],
    weights: str | None,
    top: int,
    fmt: str,
    fail_on: Level,
    quiet: bool,
) -> None:
    """The cheapest distinct fixes that make a configuration valid, cheapest first.

    The cost of a fix is the sum of the costs of its changes, each of which may
    depend on both values (a service pack is cheap, a move to Exchange Online
    is not); variables left unset are filled for free. Each fix is a distinct
    set of changes to the settings given; --top N lists the N cheapest, past
    the minimum cost when fewer fixes reach it. At equal cost, fixes come
    supported first, then with fewer organisation-wide changes, then fewer
    profile changes, then fewer changes; a fix to a policy reads as advice.

    \b
    Exit codes:
      0  a candidate exists
      1  the kept settings rule out every valid configuration ("cost": null,
         with the conflict); with --fail-on LEVEL: no cheapest fix is better
         than LEVEL (--fail-on discouraged: no supported fix)
      2  bad input

    -q prints nothing but errors: the exit code is the answer.
    """
    run_configs(
        ctx,
        sets,
        config_file,
        fmt,
        compute=lambda model, config: syncscope.nearest(
            config, keep=keep, weights=weights, top=top, model=model
        ),
        render=render_nearest,
        ok=lambda result: any(c.verdict < fail_on for c in result.cheapest),
        quiet=quiet,
    )


def render_nearest(result: NearestResult) -> str:
    """A nearest result for people: the cost, then each distinct fix, its advice and an example.

    Examples
    --------
    >>> import syncscope
    >>> result = syncscope.nearest({"deployment": "online", "email_system": "exchange-2016",
    ...                             "mfa": True, "authentication": "impersonation"},
    ...                            keep=["email_system", "deployment"])
    >>> line = render_nearest(result).splitlines()[1]
    >>> for part in line.split(" — "):
    ...     print(part)
    1. ✓ [supported] change mfa: true -> false (cost 150)
    connect with a service account that has no multi-factor authentication
    """
    if result.cost is None:
        lines = [verdict_mark(Level.UNSUPPORTED, "No valid configuration keeps the kept settings.")]
        if result.conflict is not None:
            lines.append("  they clash: " + render_config(result.conflict.settings))
            lines.extend(
                "  " + render_finding(syncscope.Finding(rule)).replace("\n", "\n  ")
                for rule in result.conflict.rules
            )
        return "\n".join(lines)
    lines = [_header(result)]
    for rank, candidate in enumerate(result.candidates, 1):
        changes = render_changes(candidate.changes) if candidate.changes else "nothing"
        verdict = verdict_tag(candidate.verdict)
        cost = syncscope.format_number(candidate.cost)
        line = f"{rank}. {verdict} change {changes} (cost {cost})"
        if candidate.advice:
            line += " — " + "; ".join(candidate.advice)
        lines.append(line)
        lines.append("   e.g. " + render_config(candidate.configuration))
    return "\n".join(lines)


def _header(result: NearestResult) -> str:
    """How many fixes, and their costs: e.g. "5 fixes, cheapest first (cost 20–60)".

    Examples
    --------
    >>> import syncscope
    >>> _header(syncscope.nearest({"deployment": "on-premises", "email_system": "msn",
    ...                            "fips_mode": True}))
    '5 fixes, cheapest first (cost 20–60)'
    """
    number = syncscope.format_number
    count = plural(len(result.candidates), "fix", "fixes")
    low, high = result.candidates[0].cost, result.candidates[-1].cost
    if len(result.candidates) == 1:
        text = f"{count}, cost {number(low)}"
    elif low == high:
        text = f"{count}, each at cost {number(low)}"
    else:
        text = f"{count}, cheapest first (cost {number(low)}–{number(high)})"
    if result.more:
        text += f", and more at cost {number(low)} (raise --top to see them)"
    return text
