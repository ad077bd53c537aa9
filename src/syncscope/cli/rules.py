"""``syncscope rules``: the rules of the model, all of them or a chosen few."""

from __future__ import annotations

import difflib

import click

from syncscope import parse_verdicts
from syncscope.docgen import describe_condition
from syncscope.model import Model, Rule, resolve_variable

from .common import (
    EXIT_INVALID,
    InputError,
    emit,
    fail,
    handle_errors,
    model_from,
    output_options,
    paint,
    terminal_width,
)

__all__ = ["command", "select_rules"]


@click.command("rules")
@click.argument("rule_ids", nargs=-1, metavar="[ID]...")
@click.option(
    "--level",
    "levels",
    multiple=True,
    metavar="LEVEL",
    help="Only rules of this level: limited, discouraged, untested or unsupported (repeatable).",
)
@click.option(
    "--variable",
    "variables",
    multiple=True,
    metavar="VAR",
    help="Only rules that read this variable (repeatable: any of them).",
)
@output_options("text", "json", "jsonl")
@click.pass_context
@handle_errors
def command(
    ctx: click.Context,
    rule_ids: tuple[str, ...],
    levels: tuple[str, ...],
    variables: tuple[str, ...],
    fmt: str,
) -> None:
    """List the rules of the model with their levels, conditions, messages and sources.

    Give rule IDs to show only those; --level and --variable narrow the list
    further (each repeatable; a rule must pass every kind of filter given).

    Exit codes: 0 some rule is shown; 1 no rule matches the filters; 2 bad
    input (an unknown rule id, level or variable).
    """
    model = model_from(ctx)
    rules = select_rules(model, rule_ids, levels, variables)
    if not rules:
        fail("no rule matches the filters", EXIT_INVALID)
    if fmt != "text":
        emit(
            [
                {
                    "id": r.id,
                    "level": r.level.id,
                    "message": r.message,
                    "variables": list(r.variables),
                    "condition": describe_condition(r, model).replace("`", ""),
                    "source": r.source.to_dict(),
                }
                for r in rules
            ],
            fmt,
        )
        return
    from .render import fit

    lines = []
    for rule in rules:
        lines.append(paint(f"{rule.id}  [{rule.level.id}]", rule.level.id) + f"  {rule.message}")
        condition = describe_condition(rule, model).replace("`", "")
        lines.append("    " + condition.replace("\n", "\n    "))
        src = rule.source
        lines += [f"    “{q}”" for q in src.quotes[:-1]]
        lines.append(f"    “{src.quotes[-1]}” — {src.document}, {src.section}")
    click.echo(fit("\n".join(lines), terminal_width()))


def select_rules(
    model: Model,
    rule_ids: tuple[str, ...] = (),
    levels: tuple[str, ...] = (),
    variables: tuple[str, ...] = (),
) -> list[Rule]:
    """The rules of ``model`` that pass the id, level and variable filters, in model order.

    An empty filter keeps every rule. An unknown id, level or variable is an
    :class:`InputError` with a did-you-mean.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> model = load_model()
    >>> rules = select_rules(model, levels=("untested",), variables=("email_system",))
    >>> {rule.level.id for rule in rules}
    {'untested'}
    """
    known = [rule.id for rule in model.rules]
    for rule_id in rule_ids:
        if rule_id not in known:
            close = difflib.get_close_matches(rule_id, known, n=3, cutoff=0.6)
            raise InputError(f"unknown rule {rule_id!r}", value=rule_id, suggestions=close)
    chosen_levels = set(parse_verdicts(levels)) if levels else None
    names = {resolve_variable(model, name).name for name in variables}
    return [
        rule
        for rule in model.rules
        if (not rule_ids or rule.id in rule_ids)
        and (chosen_levels is None or rule.level in chosen_levels)
        and (not names or names & set(rule.variables))
    ]
