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
    from syncscope.solver.explain.conflicts import Conflict

__all__ = ["command", "no_configuration", "starting_configuration"]


@click.command("init")
@set_option
@output_options("json", default="json", help="Output format: json, the one --config reads.")
@click.pass_context
@handle_errors
def command(ctx: click.Context, sets: tuple[str, ...], fmt: str) -> None:
    """Print a complete, valid configuration to start from: syncscope init > mine.json.

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
    click.echo(safejson.dumps(config, indent=2, ensure_ascii=False))
    verdict = syncscope.check(config, model=model).verdict.id
    click.echo(
        f"# a {verdict} starting configuration; check it with: syncscope check --config FILE",
        err=True,
    )
    sys.exit(EXIT_OK)


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
