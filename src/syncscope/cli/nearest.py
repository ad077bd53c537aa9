"""``syncscope nearest``."""

from __future__ import annotations

import sys

import click

from syncscope.api.repair import nearest
from syncscope.model import format_value
from syncscope.solver.nearest import NearestResult
from syncscope.solver.results import Finding

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
from .render import render_changes, render_config, render_finding

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
    model = model_from(ctx)
    configs, many = read_configs(model, sets, config_file)
    results = [nearest(c, keep=keep, weights=weights, top=top, model=model) for c in configs]
    if as_json:
        data = [r.to_dict() for r in results]
        emit_json(data if many else data[0])
    else:
        click.echo("\n\n".join(render_nearest(r) for r in results))
    sys.exit(EXIT_OK if all(r.reachable for r in results) else EXIT_INVALID)


def render_nearest(result: NearestResult) -> str:
    """A nearest result for people: the cost, then each candidate's changes."""
    if result.cost is None:
        lines = ["✗ No valid configuration keeps the kept settings."]
        if result.conflict is not None:
            lines.append("  they clash: " + render_config(result.conflict.settings))
            lines.extend(
                "  " + render_finding(Finding(rule)).replace("\n", "\n  ")
                for rule in result.conflict.rules
            )
        return "\n".join(lines)
    count = len(result.candidates)
    more = ", and more exist (raise --top to see them)" if result.more else ""
    lines = [f"minimum cost {_number(result.cost)}: {count} candidate(s){more}"]
    for rank, candidate in enumerate(result.candidates, 1):
        lines.append(f"{rank}. [{candidate.verdict.id}] change {render_changes(candidate.changes)}")
        lines.append(
            "   " + ", ".join(f"{k}={format_value(v)}" for k, v in candidate.configuration.items())
        )
    return "\n".join(lines)


def _number(x: float) -> str:
    return str(int(x)) if x.is_integer() else f"{x:g}"
