"""``syncscope vars``: the model's variables, their values, labels, aliases, scope and costs."""

from __future__ import annotations

import csv
import io
from typing import Any

import click

from syncscope import ChangeCosts, change_costs, describe_variable
from syncscope.model import Variable, format_value, resolve_variable

from .common import emit, handle_errors, model_from, output_options, terminal_width

__all__ = ["command", "render_variable"]


@click.command("vars")
@click.argument("name", required=False, metavar="[VAR]")
@output_options("text", "json", "jsonl", "csv", "markdown")
@click.pass_context
@handle_errors
def command(ctx: click.Context, name: str | None, fmt: str) -> None:
    """The variables of the model with their values, labels, aliases, scope and change costs.

    VAR (any spelling of a variable's name) shows that one alone. --set and
    --config accept a value's id, its label or any alias, in any case. The
    costs are those nearest and plan sum (docs/repair.md): the cost of any
    change, the changes that cost something else, and the advice a fix to a
    policy carries. --format csv gives one row per value.

    Exit codes: 0 answered; 2 an unknown variable (with a did-you-mean).
    """
    model = model_from(ctx)
    chosen = [resolve_variable(model, name)] if name is not None else list(model.variables)
    costs = {c.variable: c for c in change_costs(model)}
    data = [_describe(var, costs[var.name]) for var in chosen]
    if fmt in ("json", "jsonl"):
        emit(data[0] if name is not None and fmt == "json" else data, fmt)
    elif fmt == "csv":
        click.echo(render_csv(data), nl=False)
    elif fmt == "markdown":
        click.echo(render_markdown(data))
    else:
        width = terminal_width()
        click.echo("\n\n".join(render_variable(var, costs[var.name], width) for var in chosen))


def _describe(var: Variable, costs: ChangeCosts) -> dict[str, Any]:
    # The API's description, plus ``weight_reason`` (``cost_reason``) kept for older scripts.
    return {**describe_variable(var, costs), "weight_reason": costs.reason}


def _wrapped(text: str, lead: str, hang: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(
        text, width, initial_indent=lead, subsequent_indent=hang, break_on_hyphens=False
    ) or [lead.rstrip()]


def render_variable(var: Variable, costs: ChangeCosts, width: int = 80) -> str:
    """A variable for people: a heading line, its description, its costs, one line per value.

    Examples
    --------
    >>> from syncscope import change_costs
    >>> from syncscope.model import load_model
    >>> model = load_model()
    >>> costs = {c.variable: c for c in change_costs(model)}
    >>> print(render_variable(model.variable("mfa"), costs["mfa"]).splitlines()[0])
    mfa — Multi-factor authentication (yes/no; organisation scope; change cost 150)
    """
    data = describe_variable(var, costs)
    kind = "yes/no; " if var.is_bool else ""
    head = f"{var.name} — {var.label} ({kind}{data['scope']} scope; change cost {data['cost']:g})"
    lines = _wrapped(head, "", "    ", width)
    lines += _wrapped(var.description, "  ", "  ", width)
    if data["cost_reason"]:
        lines += _wrapped(f"cost {data['cost']:g}: {data['cost_reason']}", "  ", "    ", width)
    for change in data["changes"]:
        text = f"cost {change['cost']:g}: {change['changes']} ({change['reason']})"
        lines += _wrapped(text, "  ", "    ", width)
    for value, advice in data["advice"].items():
        lines += _wrapped(f"advice when a fix sets {value}: {advice}", "  ", "    ", width)
    column = max(len(format_value(spec.id)) for spec in var.values)
    if column + 4 > width // 2:
        column = 0
    for spec in var.values:
        shown = format_value(spec.id)
        also = [spec.label, *spec.aliases] if spec.label.lower() != shown else list(spec.aliases)
        if not also:
            lines.append(f"  {shown}")
            continue
        if column == 0:
            lines.append(f"  {shown}")
            lines += _wrapped(", ".join(also), "      ", "      ", width)
        else:
            lead = f"  {shown:<{column}}  "
            lines += _wrapped(", ".join(also), lead, " " * len(lead), width)
    return "\n".join(lines)


_CSV_COLUMNS = (
    "variable",
    "label",
    "scope",
    "cost",
    "value",
    "value_label",
    "aliases",
    "advice",
)


def render_csv(data: list[dict[str, Any]]) -> str:
    """One row per value: its variable, scope and default change cost, label, aliases
    (separated by ``|``) and the advice a fix reaching it carries.

    The pair costs are in ``--format json`` (a table cell holds one number).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    for var in data:
        for value in var["values"]:
            shown = format_value(value["id"])
            writer.writerow(
                [
                    var["name"],
                    var["label"],
                    var["scope"],
                    var["cost"],
                    shown,
                    value["label"],
                    "|".join(value["aliases"]),
                    var["advice"].get(shown, ""),
                ]
            )
    return out.getvalue()


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(data: list[dict[str, Any]]) -> str:
    """A table of the variables (scope, change cost, the changes priced otherwise, values)."""
    lines = [
        "| variable | label | scope | cost | other costs | values |",
        "|---|---|---|---:|---|---|",
    ]
    for var in data:
        other = "; ".join(f"{c['changes']}: {c['cost']:g}" for c in var["changes"])
        values = ", ".join(f"`{format_value(v['id'])}`" for v in var["values"])
        lines.append(
            f"| `{var['name']}` | {_cell(var['label'])} | {var['scope']} | {var['cost']:g}"
            f" | {_cell(other)} | {values} |"
        )
    return "\n".join(lines)
