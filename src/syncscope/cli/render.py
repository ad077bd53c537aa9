"""Plain-text rendering of results for people; JSON goes through ``to_dict`` instead."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from textwrap import indent

from syncscope import Change, CheckResult, Finding
from syncscope.model import Level, Source, Value, format_value

from .common import paint

__all__ = [
    "MARKS",
    "fit",
    "plural",
    "render_changes",
    "render_check",
    "render_config",
    "render_finding",
    "render_outcomes",
    "render_quotes",
    "verdict_mark",
    "verdict_tag",
]

MARKS = {
    Level.SUPPORTED: "✓",
    Level.LIMITED: "~",
    Level.DISCOURAGED: "!",
    Level.UNTESTED: "?",
    Level.UNSUPPORTED: "✗",
}
"""The verdict symbols, one table for every command (check, explain, batch, plan...)."""


def verdict_tag(level: Level, suffix: str = "") -> str:
    """A verdict as commands tag a line with it: its symbol and id in brackets, in its colour.

    Examples
    --------
    >>> verdict_tag(Level.DISCOURAGED), verdict_tag(Level.UNSUPPORTED, " under pre-9.0")
    ('! [discouraged]', '✗ [unsupported under pre-9.0]')
    """
    return paint(f"{MARKS[level]} [{level.id}{suffix}]", level.id)


def verdict_mark(level: Level, text: str = "") -> str:
    """A verdict's symbol (and ``text`` after it), in its colour.

    Examples
    --------
    >>> verdict_mark(Level.SUPPORTED, "Plan: 1 step")
    '✓ Plan: 1 step'
    """
    return paint(f"{MARKS[level]} {text}".rstrip(), level.id)


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and ``word``, in the plural unless ``count`` is one.

    Examples
    --------
    >>> plural(1, "row"), plural(7, "row"), plural(2, "entry", "entries")
    ('1 row', '7 rows', '2 entries')
    """
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def render_config(config: Mapping[str, Value]) -> str:
    """``var=value`` pairs on one line."""
    return ", ".join(f"{k}={format_value(v)}" for k, v in config.items()) or "(nothing set)"


def render_quotes(source: Source, config: Mapping[str, Value] | None = None) -> str:
    """A source's quotes about ``config`` (all without one), one per line, then where from.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> source = load_model().rule("table.pop3-smtp").source
    >>> print(render_quotes(source, {"deployment": "online"}))
    “Microsoft Dynamics 365 (online) • Gmail • Yahoo! Mail Yes No POP3/SMTP”
    — seed, Supported configurations (table)
    """
    quotes = source.quotes_for(config or {})
    return "\n".join([*(f"“{q}”" for q in quotes), f"— {source.document}, {source.section}"])


def render_finding(finding: Finding, config: Mapping[str, Value] | None = None) -> str:
    """A finding with its quotes (those about ``config``) and source."""
    rule = finding.rule
    mark = paint(f"{MARKS[rule.level]} {rule.id} [{rule.level.id}]", rule.level.id)
    return f"{mark}: {rule.message}\n" + indent(render_quotes(rule.source, config), "    ")


def render_changes(changes: Iterable[Change]) -> str:
    """Changes as ``var: a -> b`` joined by semicolons."""
    return "; ".join(str(c) for c in changes) or "(none)"


def render_check(result: CheckResult) -> str:
    """A short verdict with each finding's quote, required values, advice and fix."""
    head = paint(f"{MARKS[result.verdict]} {result.verdict.id.upper()}", result.verdict.id)
    lines = [f"{head}: {render_config(result.configuration)}"]
    if not result.complete:
        note = "the verdict is the best any completion reaches"
        if result.findings:
            note += "; the rules below keep every completion from a better one"
        lines.append(f"  (partial: {note})")
    for finding in result.findings:
        lines.append(indent(render_finding(finding, result.configuration), "  "))
    if result.required:
        lines.append("  every valid completion has: " + render_config(result.required))
    if result.conditions:
        lines.append("  " + render_outcomes(result))
    if result.fix:
        lines.append("  fix: " + render_changes(result.fix))
    for advice in result.advice:
        lines.append(f"  note: {advice.message}")
    return "\n".join(lines)


SHOWN_CONDITIONS = 4
"""The most conditions the text names per verdict; JSON lists them all."""


def render_outcomes(result: CheckResult) -> str:
    """What a partial configuration's unknowns decide: ``supported; discouraged if a=1 or b=2``.

    A condition of several settings reads ``a=1 and b=2``; once there is one,
    the conditions are told apart by ``, or if``.

    Examples
    --------
    >>> import syncscope
    >>> print(render_outcomes(syncscope.check({"deployment": "online",
    ...                                        "email_system": "exchange-online"})))
    supported; discouraged if sync_appointments_contacts_tasks=true and \
mixed_outlook_act_sync=true
    """
    by_level: dict[Level, list[list[str]]] = {}
    for condition in result.conditions:
        by_level.setdefault(condition.verdict, []).append(
            [f"{k}={format_value(v)}" for k, v in condition.settings.items()]
        )
    tails = []
    for level, found in by_level.items():
        shown = found[:SHOWN_CONDITIONS]
        glue = " or " if all(len(c) == 1 for c in shown) else ", or if "
        tail = f"{level.id} if " + glue.join(" and ".join(c) for c in shown)
        if len(found) > len(shown):
            tail += f" (and {len(found) - len(shown)} more: --json lists them)"
        tails.append(tail)
    return "; ".join([result.verdict.id, *tails])


_SETTINGS = re.compile(
    r"^(?P<head>.*?)(?P<list>[a-z][a-z0-9_]*=[^,;\s]+(?:, [a-z][a-z0-9_]*=[^,;\s]+)+)"
    r"(?P<tail>[.:]?(?: (?:\x1b\[[0-9;]*m)*(?:[✓✗~!?] )?\[[a-z-]+\](?:\x1b\[[0-9;]*m)*)?)$"
)
"""A line that ends in a configuration (``a=1, b=2``), with what comes before and after it."""
_HANG = re.compile(r"^(?:\d+\.\s|[-*]\s|[✓✗~!?]\s|e\.g\.\s|fix:\s|note:\s|rows:\s)")
"""The start of a line whose wrapped lines hang under its text."""


def _visible(line: str) -> int:
    return len(_ANSI.sub("", line))


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def fit(text: str, width: int) -> str:
    """``text`` wrapped to ``width`` columns, long configurations one setting per line.

    A line that fits is kept. A line too long that ends in settings
    (``a=1, b=2, ...``) keeps its start on a line of its own and lists one
    setting per line under it; any other is wrapped at spaces, its further
    lines indented under its text.

    Examples
    --------
    >>> print(fit("✗ UNSUPPORTED: deployment=online, email_system=msn, mfa=false", 40))
    ✗ UNSUPPORTED:
        deployment=online
        email_system=msn
        mfa=false
    >>> print(fit("  note: " + "word " * 12, 30))
      note: word word word word
            word word word word
            word word word word
    """
    out: list[str] = []
    for line in text.split("\n"):
        if _visible(line) <= width:
            out.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip(" "))]
        match = _SETTINGS.match(line)
        if match is not None:
            head = match["head"].rstrip()
            tag = match["tail"].strip(" .:")  # a verdict in brackets stays with the head
            if tag:  # "from: a=1, b=2 [supported]" -> "from [supported]:"
                colon = ":" if head.endswith(":") else ""
                head = f"{head.removesuffix(':')} {tag}{colon}"
            if head.strip():
                out.extend(_wrap(head.strip(), lead, width))
            for item in match["list"].split(", "):
                out.extend(_wrap(item, lead + "    ", width))
            continue
        out.extend(_wrap(line.strip(), lead, width))
    return "\n".join(out)


def _wrap(body: str, lead: str, width: int) -> list[str]:
    """``body`` at indentation ``lead``, wrapped at spaces to ``width`` visible columns
    (colour codes take none), later lines hanging under its text."""
    plain = _ANSI.sub("", body)
    hang = _HANG.match(plain)
    rest = lead + " " * (len(hang.group()) if hang else 4 if len(lead) < width // 2 else 0)
    lines: list[str] = []
    line, used, gap = lead, len(lead), ""
    for token in re.split(r"( +)", body.strip(" ")):
        if not token:
            continue
        if token.startswith(" "):
            gap = token
            continue
        size = _visible(token)
        if used > len(rest if lines else lead) and used + len(gap) + size > width:
            lines.append(line)
            line, used, gap = rest, len(rest), ""
        while used + len(gap) + size > width and size == len(token) and width - used > 10:
            cut = width - used - len(gap)  # a word longer than a line: cut it
            lines.append(line + gap + token[:cut])
            token, size = token[cut:], size - cut
            line, used, gap = rest, len(rest), ""
        line, used, gap = line + gap + token, used + len(gap) + size, ""
    lines.append(line)
    return lines
