"""``syncscope nearest``."""

from __future__ import annotations

import click

from syncscope.api.repair import nearest
from syncscope.solver.repair.nearest import Candidate, NearestResult
from syncscope.solver.results import Finding, format_number

from .common import config_options, handle_errors, json_option, run_configs
from .render import plural, render_changes, render_config, render_finding

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
    help="'uniform' (every change costs 1) or a TOML/JSON file of variable = weight "
    "overriding the rule set's change weights.",
)
@click.option(
    "--top",
    "top",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="The most candidates to show.",
)
@json_option
@click.pass_context
@handle_errors
def command(
    ctx: click.Context,
    sets: tuple[str, ...],
    config_file: str | None,
    keep: tuple[str, ...],
    weights: str | None,
    top: int,
    as_json: bool,
) -> None:
    """The cheapest changes that make a configuration valid, with every equal alternative.

    The cost of a candidate is the sum of the change weights of the settings it
    changes; variables left unset are filled for free. Candidates come
    supported first, then with fewer changes, then in value order.

    Exit codes: 0 a candidate exists; 1 the kept settings rule out every valid
    configuration ("cost": null, with the conflict); 2 bad input.
    """
    run_configs(
        ctx,
        sets,
        config_file,
        as_json,
        compute=lambda model, config: nearest(
            config, keep=keep, weights=weights, top=top, model=model
        ),
        render=render_nearest,
        ok=lambda result: result.reachable,
    )


def render_nearest(result: NearestResult) -> str:
    """A nearest result for people: the cost, then each distinct fix with a configuration.

    Candidates that make the same changes with the same verdict (completions
    that differ only in settings the input left open) are shown once, with
    how many more there are.
    """
    if result.cost is None:
        lines = ["✗ No valid configuration keeps the kept settings."]
        if result.conflict is not None:
            lines.append("  they clash: " + render_config(result.conflict.settings))
            lines.extend(
                "  " + render_finding(Finding(rule)).replace("\n", "\n  ")
                for rule in result.conflict.rules
            )
        return "\n".join(lines)
    groups = _grouped(result.candidates)
    count = plural(len(result.candidates), "candidate")
    if len(groups) != len(result.candidates):
        count += f" ({plural(len(groups), 'distinct fix', 'distinct fixes')})"
    more = ", and more exist (raise --top to see them)" if result.more else ""
    lines = [f"minimum cost {format_number(result.cost)}: {count}{more}"]
    for rank, group in enumerate(groups, 1):
        first = group[0]
        line = f"{rank}. [{first.verdict.id}] change {render_changes(first.changes)}"
        if len(group) > 1:
            others = plural(len(group) - 1, "more completion")
            line += f" (and {others} differing only in settings you left open)"
        lines.append(line)
        lines.append(("   e.g. " if len(group) > 1 else "   ") + render_config(first.configuration))
    return "\n".join(lines)


def _grouped(candidates: tuple[Candidate, ...]) -> list[list[Candidate]]:
    """Candidates with the same changes and verdict together, in order of first appearance."""
    groups: dict[tuple[object, ...], list[Candidate]] = {}
    for candidate in candidates:
        key = (candidate.verdict, candidate.changes)
        groups.setdefault(key, []).append(candidate)
    return list(groups.values())
