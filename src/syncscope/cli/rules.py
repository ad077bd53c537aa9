"""``syncscope rules``: the rules of the model, all of them or a chosen few."""

from __future__ import annotations

import difflib
import sys

import click

from syncscope import parse_verdicts
from syncscope.docgen import describe_condition
from syncscope.model import Model, Rule, resolve_variable

from .common import EXIT_INVALID, InputError, emit_json, handle_errors, json_option, model_from

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
@json_option
@click.pass_context
@handle_errors
def command(
    ctx: click.Context,
    rule_ids: tuple[str, ...],
    levels: tuple[str, ...],
    variables: tuple[str, ...],
    as_json: bool,
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
        click.echo("error: no rule matches the filters", err=True)
        sys.exit(EXIT_INVALID)
    if as_json:
        emit_json(
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
            ]
        )
        return
    for rule in rules:
        click.echo(f"{rule.id}  [{rule.level.id}]  {rule.message}")
        condition = describe_condition(rule, model).replace("`", "")
        click.echo("    " + condition.replace("\n", "\n    "))
        click.echo(f"    “{rule.source.quote}” — {rule.source.document}, {rule.source.section}")


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
