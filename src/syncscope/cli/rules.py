"""``syncscope rules``."""

from __future__ import annotations

import click

from syncscope.docgen import describe_condition

from .common import emit_json, handle_errors, json_option, model_from

__all__ = ["command"]


@click.command("rules")
@json_option
@click.pass_context
@handle_errors
def command(ctx: click.Context, as_json: bool) -> None:
    """List the rules of the model with their levels, conditions, messages and sources."""
    model = model_from(ctx)
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
                for r in model.rules
            ]
        )
        return
    for rule in model.rules:
        click.echo(f"{rule.id}  [{rule.level.id}]  {rule.message}")
        condition = describe_condition(rule, model).replace("`", "")
        click.echo("    " + condition.replace("\n", "\n    "))
        click.echo(f"    “{rule.source.quote}” — {rule.source.document}, {rule.source.section}")
