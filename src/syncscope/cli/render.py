"""Plain-text rendering of results for people; JSON goes through ``to_dict`` instead."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from textwrap import indent

from syncscope import Change, CheckResult, Finding
from syncscope.model import Level, Value, format_value

__all__ = ["plural", "render_changes", "render_check", "render_config", "render_finding"]

_MARK = {
    Level.SUPPORTED: "✓",
    Level.LIMITED: "~",
    Level.DISCOURAGED: "!",
    Level.UNTESTED: "?",
    Level.UNSUPPORTED: "✗",
}


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


def render_finding(finding: Finding) -> str:
    """A finding with its quote and source."""
    rule = finding.rule
    src = rule.source
    return (
        f"{_MARK[rule.level]} {rule.id} [{rule.level.id}]: {rule.message}\n"
        f"    “{src.quote}”\n    — {src.document}, {src.section}"
    )


def render_changes(changes: Iterable[Change]) -> str:
    """Changes as ``var: a -> b`` joined by semicolons."""
    return "; ".join(str(c) for c in changes) or "(none)"


def render_check(result: CheckResult) -> str:
    """A short verdict with each finding's quote, required values, advice and fix."""
    head = f"{_MARK[result.verdict]} {result.verdict.id.upper()}"
    lines = [f"{head}: {render_config(result.configuration)}"]
    if not result.complete:
        note = "the verdict is the best any completion reaches"
        if result.findings:
            note += "; the rules below keep every completion from a better one"
        lines.append(f"  (partial: {note})")
    for finding in result.findings:
        lines.append(indent(render_finding(finding), "  "))
    if result.required:
        lines.append("  every valid completion has: " + render_config(result.required))
    if result.fix:
        lines.append("  fix: " + render_changes(result.fix))
    for advice in result.advice:
        lines.append(f"  note: {advice.message}")
    return "\n".join(lines)
