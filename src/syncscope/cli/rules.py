"""``syncscope rules``."""

from __future__ import annotations

import click

from .common import emit_json, handle_errors, json_option, model_from

__all__ = ["command"]


@click.command("rules")
@json_option
@click.pass_context
@handle_errors
def command(ctx: click.Context, as_json: bool) -> None:
    """List the rules of the model with their levels, messages and sources."""
    model = model_from(ctx)
    if as_json:
        emit_json(
            [
                {
                    "id": r.id,
                    "level": r.level.id,
                    "message": r.message,
                    "variables": list(r.variables),
                    "source": r.source.to_dict(),
                }
                for r in model.rules
            ]
        )
        return
    for rule in model.rules:
        click.echo(f"{rule.id}  [{rule.level.id}]  {rule.message}")
        click.echo(f"    “{rule.source.quote}” — {rule.source.document}, {rule.source.section}")
