"""``syncscope init``: a complete, valid starting configuration to edit and check."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

import click

import syncscope
from syncscope.model import Model, Value, safejson

from .common import (
    EXIT_INVALID,
    EXIT_OK,
    error_data,
    handle_errors,
    machine_format,
    model_from,
    output_options,
    set_option,
    settings,
)

if TYPE_CHECKING:
    from syncscope import Conflict

__all__ = ["command", "no_configuration", "starting_configuration"]


@click.command("init")
@set_option
@output_options(
    "json",
    "toml",
    default="json",
    help="Output format: json (default) or toml, with every setting's label, scope and allowed"
    " values as comments; --config reads both.",
)
@click.pass_context
@handle_errors
def command(ctx: click.Context, sets: tuple[str, ...], fmt: str) -> None:
    """Print a complete, valid configuration to start from: syncscope init > mine.json.

    syncscope init --format toml > mine.toml writes the same configuration as
    commented TOML: above each setting, its label, who owns it (organisation,
    profile or mailbox) and the values it accepts.

    Every variable of the model is set, in model order, so the file lists
    every setting there is to edit. --set VAR=VALUE fixes what you already
    know; the rest is the first supported completion in enumeration order
    (the first valid one when none is supported). The result checks valid:
    syncscope check --config mine.json. What each setting means and accepts:
    syncscope vars.

    Exit codes: 0 printed; 1 the --set values admit no valid configuration
    (the conflict is printed); 2 bad input.
    """
    model = model_from(ctx)
    fixed = settings(ctx, model, sets)
    config = starting_configuration(model, fixed)
    if config is None:
        no_configuration(model, fixed)
    verdict = syncscope.check(config, model=model).verdict.id
    if fmt == "toml":
        click.echo(commented_toml(model, config, verdict), nl=False)
        sys.exit(EXIT_OK)
    click.echo(safejson.dumps(config, indent=2, ensure_ascii=False))
    click.echo(
        f"# a {verdict} starting configuration; check it with: syncscope check --config FILE\n"
        "# with each setting's label, scope and values as comments:"
        " syncscope init --format toml",
        err=True,
    )
    sys.exit(EXIT_OK)


def _toml_value(value: Value) -> str:
    """A value as TOML writes it: ``true``/``false``, a number, or a basic string.

    Examples
    --------
    >>> print(_toml_value(True), _toml_value(8), _toml_value('say "hi"'))
    true 8 "say \\"hi\\""
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return safejson.dumps(str(value), ensure_ascii=False)  # JSON's escapes are TOML's


def commented_toml(model: Model, config: dict[str, Value], verdict: str) -> str:
    """``config`` as TOML, each setting under comments: its label, scope and allowed values.

    Examples
    --------
    >>> import tomllib
    >>> from syncscope.model import load_model
    >>> model = load_model()
    >>> config = starting_configuration(model, {"email_system": "gmail"})
    >>> text = commented_toml(model, config, "supported")
    >>> tomllib.loads(text) == config
    True
    >>> print(text.split(chr(10) * 2)[1])
    # Dynamics 365 deployment (organisation scope)
    # one of: online, on-premises
    deployment = "online"
    """
    import textwrap

    from syncscope.model import format_value

    scopes = {c.variable: c.scope for c in syncscope.change_costs(model)}
    lines = [
        f"# A {verdict} starting configuration: every setting of the model, in its order.",
        "# Check it with: syncscope check --config FILE",
        "# What a setting means, its aliases and costs: syncscope vars NAME",
    ]
    for var in model.variables:
        lines.append("")
        lines.append(f"# {var.label} ({scopes.get(var.name, 'mailbox')} scope)")
        allowed = ", ".join(format_value(v) for v in var.domain)
        lines += textwrap.wrap(
            f"one of: {allowed}",
            79,
            initial_indent="# ",
            subsequent_indent="#   ",
            break_on_hyphens=False,
        )
        lines.append(f"{var.name} = {_toml_value(config[var.name])}")
    return "\n".join(lines) + "\n"


def no_configuration(model: Model, fixed: dict[str, Value]) -> NoReturn:
    """Say that nothing valid completes ``fixed``, naming every cause, as domains does.

    The causes are the one choice every command makes
    (:func:`syncscope.solver.explain.causes.causes`, reached through
    ``syncscope.domains``); JSON gives them as data beside the error.
    """
    message = "the --set values admit no valid configuration"
    causes: tuple[Conflict, ...] = ()
    try:
        syncscope.domains(fixed, model=model)
    except syncscope.NoSolution as exc:
        causes = exc.causes
        message += "; " + "; ".join(str(c) for c in causes)
    if machine_format():
        data = error_data(message, "no-solution")
        data["conflict"] = causes[0].to_dict() if causes else None
        data["causes"] = [c.to_dict() for c in causes]
        click.echo(safejson.dumps(data, sort_keys=True, ensure_ascii=False))
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_INVALID)


def starting_configuration(model: Model, fixed: dict[str, Value]) -> dict[str, Value] | None:
    """The first supported completion of ``fixed``, else the first valid one, else None.

    Examples
    --------
    >>> import syncscope
    >>> from syncscope.model import load_model
    >>> model = load_model()
    >>> config = starting_configuration(model, {"email_system": "gmail"})
    >>> config["email_system"], len(config) == len(model.variables)
    ('gmail', True)
    >>> syncscope.check(config, model=model).valid
    True
    """
    first = next(syncscope.configurations(fixed, verdicts="supported", model=model), None)
    if first is None:
        first = next(syncscope.configurations(fixed, model=model), None)
    return first
