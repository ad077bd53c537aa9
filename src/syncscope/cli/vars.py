"""``syncscope vars``: the model's variables, their values, labels, aliases and change weights."""

from __future__ import annotations

from typing import Any

import click

from syncscope.model import Model, Variable, format_value, resolve_variable

from .common import emit, handle_errors, model_from, output_options

__all__ = ["command", "describe_variable", "render_variable"]


@click.command("vars")
@click.argument("name", required=False, metavar="[VAR]")
@output_options("text", "json", "jsonl")
@click.pass_context
@handle_errors
def command(ctx: click.Context, name: str | None, fmt: str) -> None:
    """The variables of the model with their values, labels, aliases and change weights.

    VAR (any spelling of a variable's name) shows that one alone. --set and
    --config accept a value's id, its label or any alias, in any case.

    Exit codes: 0 answered; 2 an unknown variable (with a did-you-mean).
    """
    model = model_from(ctx)
    chosen = [resolve_variable(model, name)] if name is not None else list(model.variables)
    if fmt != "text":
        data = [describe_variable(var, model) for var in chosen]
        emit(data[0] if name is not None and fmt == "json" else data, fmt)
        return
    click.echo("\n\n".join(render_variable(var, model) for var in chosen))


def describe_variable(var: Variable, model: Model) -> dict[str, Any]:
    """A variable as JSON-ready data: name, label, description, weight, values and scope.

    ``scope`` (the variable's extent, where the model has one) is included
    only when the model's variables carry it.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> model = load_model()
    >>> data = describe_variable(model.variable("email_system"), model)
    >>> data["values"][0]["id"], "EXO" in data["values"][0]["aliases"]
    ('exchange-online', True)
    """
    data: dict[str, Any] = {
        "name": var.name,
        "label": var.label,
        "description": var.description,
        "change_weight": var.change_weight,
        "weight_reason": var.weight_reason,
        "values": [
            {"id": spec.id, "label": spec.label, "aliases": list(spec.aliases)}
            for spec in var.values
        ],
    }
    scope = getattr(var, "scope", None)
    if scope is not None:
        data["scope"] = scope if isinstance(scope, (str, int, float, bool)) else str(scope)
    return data


def render_variable(var: Variable, model: Model) -> str:
    """A variable for people: a heading line, its description, then one line per value.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> model = load_model()
    >>> render_variable(model.variable("mfa"), model).splitlines()[0].split(";")[0]
    'mfa — Multi-factor authentication (yes/no'

    """
    data = describe_variable(var, model)
    kind = "yes/no; " if var.is_bool else ""
    weight = f"{var.change_weight:g}"
    extra = f"; scope {data['scope']}" if "scope" in data else ""
    lines = [f"{var.name} — {var.label} ({kind}change weight {weight}{extra})"]
    lines.append(f"  {var.description}")
    width = max(len(format_value(spec.id)) for spec in var.values)
    for spec in var.values:
        shown = format_value(spec.id)
        also = [spec.label, *spec.aliases] if spec.label.lower() != shown else list(spec.aliases)
        lines.append(f"  {shown:<{width}}  {', '.join(also)}".rstrip())
    return "\n".join(lines)
