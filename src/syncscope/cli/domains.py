"""``syncscope domains``: what each open setting can still take, and why the rest is gone."""

from __future__ import annotations

import sys

import click

from syncscope import Domains, domains
from syncscope.errors import NoSolution
from syncscope.model import Level, format_value

from .common import (
    EXIT_INVALID,
    EXIT_OK,
    emit_json,
    handle_errors,
    json_option,
    model_from,
    set_option,
    settings,
    terminal_width,
)
from .render import MARKS, verdict_mark

__all__ = ["command", "render_domains", "shorten"]

REASON_WIDTH = 110
"""Width of a removed value's line, its short reason cut to fit."""


@click.command("domains")
@set_option
@json_option
@click.pass_context
@handle_errors
def command(ctx: click.Context, sets: tuple[str, ...], as_json: bool) -> None:
    """Valid domains: for every setting not fixed, the values some valid configuration takes.

    Every value shown as allowed has a valid completion; every removed value
    has none, and names a minimal set of rules that rule it out.

    Exit codes: 0 answered; 1 the --set values admit no valid configuration
    (the conflict is shown); 2 bad input.
    """
    model = model_from(ctx)
    fixed = settings(ctx, model, sets)
    try:
        found = domains(fixed, model=model)
    except NoSolution as exc:
        if as_json:  # an answer (exit 1), in the shape the HTTP API shares: not an error object
            emit_json({**exc.to_dict(), "fixed": fixed})
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(EXIT_INVALID)
    if as_json:
        emit_json(found.to_dict())
    else:
        from .render import fit

        width = terminal_width()
        click.echo(fit(render_domains(found, width), width))
    sys.exit(EXIT_OK)


def shorten(text: str, width: int = REASON_WIDTH) -> str:
    """Cut ``text`` to ``width`` characters at a word boundary, marking the cut with "…".

    Examples
    --------
    >>> shorten("one two three", 9)
    'one two…'
    """
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def render_domains(found: Domains, width: int = REASON_WIDTH) -> str:
    """Each open variable with its allowed values, then each removed value with its rules,
    the reasons cut to ``width``."""
    lines = []
    if found.fixed:
        given = ", ".join(f"{k}={format_value(v)}" for k, v in found.fixed.items())
        lines.append(f"Fixed: {given}")
        lines.append("")
    width = max((len(name) for name in found.domains), default=0)
    for name, domain in found.domains.items():
        allowed = ", ".join(format_value(v) for v in domain.allowed)
        lines.append(f"{name:<{width}}  {allowed}")
        for removed in domain.removed:
            # The mark of the worst verdict the value leads to (the rules that remove it).
            level = max((r.level for r in removed.rules), default=Level.UNSUPPORTED)
            rest = f"{format_value(removed.value)}: {', '.join(r.id for r in removed.rules)}"
            size = len(f"  {MARKS[level]} {rest}")  # the colour codes take no column
            reason = " ".join(rule.message for rule in removed.rules)
            reason = shorten(reason, max(width - size - 3, 30))
            lines.append(f"  {verdict_mark(level)} {rest} — {reason}")
    return "\n".join(lines)
