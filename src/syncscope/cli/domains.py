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


def shorten(text: str, width: int) -> str:
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


def render_domains(found: Domains, width: int = 80) -> str:
    """Each open variable with its allowed values, then each removed value with its rules
    and their reasons, all wrapped to ``width`` columns (nothing is cut).

    The names take a column of their own (as wide as the longest name); the
    allowed values wrap under their column, a removed value's reason under
    its text.

    Examples
    --------
    >>> from syncscope import domains
    >>> text = render_domains(domains({"email_system": "gmail"}), 60)
    >>> for line in text.splitlines()[4:9]:
    ...     print(line)
    incoming_protocol                 pop3
      ✗ ews: table.pop3-smtp — The table's POP3/SMTP rows use
        POP3 for incoming and SMTP for outgoing email.
      ✗ imap: table.pop3-smtp — The table's POP3/SMTP rows use
        POP3 for incoming and SMTP for outgoing email.
    >>> max(len(line) for line in text.splitlines()) <= 60
    True
    """
    import textwrap

    def wrap(text: str, lead: str, hang: str) -> list[str]:
        return textwrap.wrap(
            text,
            width,
            initial_indent=lead,
            subsequent_indent=hang,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [lead.rstrip()]

    lines = []
    if found.fixed:
        given = ", ".join(f"{k}={format_value(v)}" for k, v in found.fixed.items())
        lines.extend(wrap(f"Fixed: {given}", "", "    "))
        lines.append("")
    names = max((len(name) for name in found.domains), default=0)
    # The allowed values hang under their column unless the names leave them too little room.
    column = " " * (names + 2 if width - names - 2 >= 24 else 4)
    for name, domain in found.domains.items():
        allowed = ", ".join(format_value(v) for v in domain.allowed)
        lines.extend(wrap(allowed, f"{name:<{names}}  ", column))
        for removed in domain.removed:
            # The mark of the worst verdict the value leads to (the rules that remove it).
            level = max((r.level for r in removed.rules), default=Level.UNSUPPORTED)
            rules = ", ".join(r.id for r in removed.rules)
            reason = " ".join(rule.message for rule in removed.rules)
            text = f"{format_value(removed.value)}: {rules} — {reason}"
            mark = f"  {MARKS[level]} "  # wrapped plain: the colour codes take no column
            first, *rest = wrap(text, mark, " " * len(mark))
            lines.append(f"  {verdict_mark(level)} {first[len(mark) :]}")
            lines.extend(rest)
    return "\n".join(lines)
