"""``syncscope diff A B``: how support changed between two editions of the page."""

from __future__ import annotations

import sys
import textwrap

import click

import syncscope
from syncscope.model import Model, load_model

from .common import EXIT_OK, emit_json, handle_errors, json_option, terminal_width
from .render import fit, plural

__all__ = ["command", "render_against", "render_diff"]


@click.command("diff")
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="VAR=VALUE",
    help="Narrow the question (repeatable); a setting only one edition has pins that side.",
)
@json_option
@click.pass_context
@handle_errors
def command(ctx: click.Context, a: str, b: str, sets: tuple[str, ...], as_json: bool) -> None:
    """How support changed from edition A to edition B (ids from syncscope editions).

    Over the configurations both editions can express (docs/diff.md): counts
    by (verdict in A, verdict in B), compact tables of what became unsupported
    and what became supported, and the rules added, removed or changed, each
    with its quote. --rules policy overlays apply on both sides.

    \b
    Exit codes:
      0  answered (whatever changed)
      2  bad input: unknown edition, variable or value
    """
    rules = (ctx.find_root().obj or {}).get("rules") or ()
    fixed: dict[str, object] = {}
    for text in sets:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected VAR=VALUE, got {text!r}", param_hint="--set")
        fixed[name.strip()] = value.strip()
    found = syncscope.diff(a, b, fixed, rules=rules)
    if as_json:
        emit_json(found.to_dict())
    else:
        click.echo(fit(render_diff(found, b), terminal_width()))
    sys.exit(EXIT_OK)


def _transition_table(found: syncscope.Diff) -> list[str]:
    before = sorted({x for x, _ in found.transitions})
    after = sorted({y for _, y in found.transitions})
    head = [f"{found.a} \\ {found.b}", *(y.id for y in after)]
    rows = [[x.id, *(f"{found.count(x, y):,}" for y in after)] for x in before]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        parts = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  " + "  ".join(parts)

    return [line(head), "  " + "  ".join("─" * w for w in widths), *(line(r) for r in rows)]


def render_diff(found: syncscope.Diff, edition_b: str | Model) -> str:
    """The diff as text: transitions, the two compact tables, and the rule changes."""
    from .listing import render_matrix

    model_b = load_model(edition=edition_b) if isinstance(edition_b, str) else edition_b
    out = [
        f"{found.a} → {found.b}: {found.changed:,} of {found.total:,} shared configurations"
        f" change verdict ({plural(len(found.shared), 'variable')} compared).",
    ]
    for side, edition in (("a", found.a), ("b", found.b)):
        if found.projected[side]:
            out.append(
                f"  only in {edition} (its best value taken): {', '.join(found.projected[side])}"
            )
    out += [
        "",
        "Verdicts (rows: " + found.a + ", columns: " + found.b + "):",
        *_transition_table(found),
    ]
    for title, matrix in (
        ("No longer valid", found.became_unsupported),
        ("Newly valid", found.became_supported),
    ):
        out += ["", f"{title} under {found.b}: {plural(matrix.count, 'configuration')}."]
        if matrix.rows:
            out.append(render_matrix(matrix, model_b, found.total))
    marks = {"added": "+", "removed": "-", "changed": "~"}
    counts = {k: sum(1 for r in found.rules if r.change == k) for k in marks}
    out += ["", "Rules: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + "."]
    for change in found.rules:
        rule = change.after or change.before
        assert rule is not None
        what = f" ({', '.join(change.fields)})" if change.fields else ""
        out.append(f"  {marks[change.change]} {change.id} [{rule.level.id}]{what}: {rule.message}")
        if change.before is not None and change.change == "changed" and "quote" in change.fields:
            out += [f"      was “{q}”" for q in change.before.source.quotes]
        out += [f"      “{q}”" for q in rule.source.quotes[:-1]]
        out.append(
            f"      “{rule.source.quotes[-1]}” — {rule.source.document}, {rule.source.section}"
        )
    return "\n".join(out)


def render_against(found: syncscope.Against) -> str:
    """``check --against``: the check under each edition, what moved, and the nearest fix."""
    from .render import render_changes, render_check, render_config, render_finding

    out = [f"Under {found.a}:", textwrap.indent(render_check(found.before), "  ")]
    out += ["", f"Under {found.b}:", textwrap.indent(render_check(found.after), "  ")]
    if found.dropped:
        out.append(f"  left open ({found.b} cannot express them): {render_config(found.dropped)}")
    for title, findings in (("appear", found.appeared), ("disappear", found.disappeared)):
        if findings:
            out += ["", f"Findings that {title}:"]
            config = found.after.configuration
            out += [textwrap.indent(render_finding(f, config), "  ") for f in findings]
    best = found.nearest.candidates[0] if found.nearest.candidates else None
    if best is None:
        out += ["", f"Nothing is valid under {found.b} with these settings."]
    elif best.changes:
        out += ["", f"Nearest valid under {found.b}: {render_changes(best.changes)}"]
    else:
        out += ["", f"Valid under {found.b} as it is (open settings filled at no cost)."]
    return "\n".join(out)
