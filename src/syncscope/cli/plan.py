"""``syncscope plan``."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import click

from syncscope.model import (
    ConfigurationError,
    Model,
    Value,
    normalize_config,
)

from .common import (
    EXIT_BAD_INPUT,
    EXIT_INVALID,
    EXIT_OK,
    InputError,
    emit_json,
    fail,
    handle_errors,
    model_from,
    output_options,
    quiet_option,
    read_config_file,
    set_option,
    settings,
    silenced,
    terminal_width,
)
from .inventory import delimiter_option, require_complete_option
from .render import fit

__all__ = ["command"]


@click.command("plan")
@click.option(
    "--from",
    "start_file",
    metavar="FILE|-",
    default=None,
    help="Today's full configuration: a JSON object of variable: value ('-' reads stdin).",
)
@click.option(
    "--to",
    "target_file",
    metavar="FILE|-",
    default=None,
    help="The target: a full configuration, or only the settings the end must have.",
)
@click.option(
    "--batch",
    "batch_file",
    metavar="INVENTORY",
    default=None,
    help="Plan every mailbox of an inventory (CSV, JSON Lines, Dataverse) instead of --from.",
)
@click.option(
    "--per-group",
    "per_group",
    is_flag=True,
    help="With --batch: a separate plan per group of mailboxes that share a configuration,"
    " instead of one plan for the organisation.",
)
@click.option(
    "--input-format",
    type=click.Choice(("csv", "jsonl", "dataverse")),
    default=None,
    help="With --batch: the inventory's format (default: from the extension or content).",
)
@delimiter_option
@require_complete_option(
    "it is planned with the values every valid completion of it has, listed, when those"
    " cover the unknown settings; else it is an error row naming them"
)
@set_option
@click.option(
    "--keep",
    "keep",
    multiple=True,
    metavar="VAR",
    help="Hold a variable at its start value throughout (repeatable).",
)
@click.option(
    "--avoid",
    "avoid",
    multiple=True,
    metavar="VAR=VALUE",
    help="No configuration along the way may have this value (repeatable).",
)
@click.option(
    "--weights",
    "weights",
    default=None,
    metavar="uniform|FILE",
    help="'uniform' or a TOML/JSON file of variable = cost, or of variable ="
    ' {"FROM -> TO" = cost, default = cost} (docs/repair.md).',
)
@click.option(
    "--to-edition",
    "to_edition",
    default=None,
    metavar="ID",
    help="Plan across editions: --from is under --edition, --to under this edition, through"
    " one upgrade step (docs/planning.md, Across editions).",
)
@click.option(
    "--max-step",
    "max_step",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="The most settings one step may change.",
)
@output_options(
    "text",
    "json",
    "markdown",
    "mermaid",
    help="text, json, markdown (a checklist) or mermaid (a flowchart of the plan and the"
    " alternatives at each step; with --from only). Default: text.",
)
@quiet_option
@click.pass_context
@handle_errors
def command(ctx: click.Context, /, quiet: bool, **options: Any) -> None:
    """Safe, ordered migration steps from today's configuration to a target.

    Every configuration along the way is valid (supported or discouraged), and
    each step changes only settings that must change together, with the rules
    that tie them. The plan is monotone first (each setting changes at most
    once, straight to its end value; a step that must borrow another value
    says why), then has the fewest steps, then the lowest change cost. An
    invalid start is repaired first (the cheapest repair, as nearest finds
    it). A partial --to means any valid configuration with those settings.
    --batch gives one plan for the whole organisation: organisation-wide
    settings change once, at one step, for every mailbox (--per-group: a plan
    per group of mailboxes instead). --set gives organisation-wide values to
    the inventory rows of --batch (a row's own value wins) or is applied on
    top of --from. --to-edition plans across editions: every step before the
    upgrade step is valid under --edition, it and every later step under
    --to-edition (with --batch, the upgrade is one organisation step for
    everyone). --batch reads the inventory as batch does (a CSV's delimiter
    sniffed, or --delimiter); a row that leaves settings unknown is planned
    with the values every valid completion of it has, and listed, when those
    cover every unknown setting; else (and always with --require-complete) it
    is an error row naming them.

    Exit codes: 0 a plan (for --batch: for every mailbox); 1 no plan, an
    invalid target (with the nearest valid ones), or an inventory row that
    can't be read; 2 bad input. -q prints nothing but errors: the exit code
    says whether there is a plan.
    """
    with silenced(quiet):
        _plan(ctx, **options)


def _plan(
    ctx: click.Context,
    *,
    start_file: str | None,
    target_file: str | None,
    batch_file: str | None,
    per_group: bool,
    input_format: str | None,
    delimiter: str | None,
    require_complete: bool,
    sets: tuple[str, ...],
    keep: tuple[str, ...],
    avoid: tuple[str, ...],
    weights: str | None,
    to_edition: str | None,
    max_step: int | None,
    fmt: str,
) -> None:
    as_json, as_markdown, as_mermaid = (fmt == name for name in ("json", "markdown", "mermaid"))
    if target_file is None:
        fail("missing --to FILE: the target configuration (or the settings it must have)")
    if (start_file is None) == (batch_file is None):
        fail("give either --from FILE (one configuration) or --batch INVENTORY (many)")
    if [start_file, target_file, batch_file].count("-") > 1:
        fail("only one of --from, --to and --batch can read stdin ('-')")
    if batch_file is not None and as_mermaid:
        fail("--mermaid draws one plan: use it with --from, not --batch")
    if per_group and batch_file is None:
        fail("--per-group goes with --batch INVENTORY")
    reading = {"delimiter": delimiter, "require_complete": require_complete}
    if batch_file is None and (delimiter is not None or require_complete):
        used = "--delimiter" if delimiter is not None else "--require-complete"
        fail(f"{used} goes with --batch INVENTORY")
    model = model_from(ctx)
    if to_edition is not None:
        if per_group:
            fail(
                "--per-group does not go with --to-edition: across editions --batch gives one"
                " plan for the organisation, with the upgrade once for everyone"
            )
        _across(
            ctx,
            model,
            start_file,
            batch_file,
            input_format,
            target_file,
            to_edition,
            sets,
            fmt,
            {"keep": keep, "avoid": avoid, "weights": weights, "max_step": max_step},
            reading,
        )
        return
    target = _config(model, target_file, "--to")
    options: dict[str, Any] = {
        "keep": keep,
        "avoid": avoid,
        "weights": weights,
        "max_step": max_step,
        "model": model,
    }
    if batch_file is not None:
        org_values = settings(ctx, model, sets)
        _batch(
            model,
            batch_file,
            input_format,
            org_values,
            target,
            {**options, **reading},
            as_json,
            as_markdown,
            per_group,
        )
        return
    assert start_file is not None
    start = settings(ctx, model, sets, _config(model, start_file, "--from"))
    import syncscope

    from . import planfmt

    if as_mermaid:
        graph = syncscope.plan_graph(start, target, **options)
        result = graph.graph["plan"]
        click.echo(planfmt.mermaid(graph, model))
    else:
        result = syncscope.plan(start, target, **options)
        if as_json:
            emit_json(result.to_dict())
        elif as_markdown:
            click.echo(planfmt.markdown(result, model))
        else:
            click.echo(fit(planfmt.text(result, model), terminal_width()))
    sys.exit(EXIT_OK if result.feasible else EXIT_INVALID)


def _across(
    ctx: click.Context,
    model: Model,
    start_file: str | None,
    batch_file: str | None,
    input_format: str | None,
    target_file: str,
    to_edition: str,
    sets: tuple[str, ...],
    fmt: str,
    options: dict[str, Any],
    reading: dict[str, Any],
) -> None:
    """``plan --to-edition``: the target is read under the target edition (with --rules)."""
    import syncscope

    from . import planfmt

    obj = ctx.find_root().obj or {}
    later = syncscope.load_model(edition=to_edition, rules=obj.get("rules") or ())
    target = _config(later, target_file, "--to")
    if batch_file is not None:
        org_values = settings(ctx, model, sets)
        try:
            org = syncscope.plan_organisation_inventory(
                batch_file,
                target,
                input_format=input_format,
                defaults=org_values,
                model=model,
                to_edition=later,
                **reading,
                **options,
            )
        except syncscope.UnreadableInput as exc:
            fail(str(exc), EXIT_BAD_INPUT)
        if fmt == "json":
            emit_json(org.to_dict())
        elif fmt == "markdown":
            click.echo(planfmt.cross_org_markdown(org, model, later))
        else:
            click.echo(fit(planfmt.cross_org_text(org, model, later), terminal_width()))
        sys.exit(EXIT_OK if org.complete else EXIT_INVALID)
    assert start_file is not None
    start = settings(ctx, model, sets, _config(model, start_file, "--from"))
    result = syncscope.plan(start, target, model=model, to_edition=later, **options)
    if fmt == "json":
        emit_json(result.to_dict())
    elif fmt == "markdown":
        click.echo(planfmt.cross_markdown(result, model, later))
    elif fmt == "mermaid":
        click.echo(planfmt.cross_mermaid(result, model, later))
    else:
        click.echo(fit(planfmt.cross_text(result, model, later), terminal_width()))
    sys.exit(EXIT_OK if result.feasible else EXIT_INVALID)


def _batch(
    model: Model,
    source: str,
    input_format: str | None,
    sets: Mapping[str, Value],
    target: Mapping[str, object],
    options: dict[str, Any],
    as_json: bool,
    as_markdown: bool,
    per_group: bool,
) -> None:
    import syncscope

    from . import planfmt

    try:
        if per_group:
            batch = syncscope.plan_inventory(
                source, target, input_format=input_format, defaults=sets, **options
            )
        else:
            org = syncscope.plan_organisation_inventory(
                source, target, input_format=input_format, defaults=sets, **options
            )
    except syncscope.UnreadableInput as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    if not per_group:
        if as_json:
            emit_json(org.to_dict())
        elif as_markdown:
            click.echo(planfmt.org_markdown(org, model))
        else:
            click.echo(fit(planfmt.org_text(org, model), terminal_width()))
        sys.exit(EXIT_OK if org.complete else EXIT_INVALID)
    if as_json:
        emit_json(batch.to_dict())
    elif as_markdown:
        click.echo(planfmt.batch_markdown(batch, model))
    else:
        click.echo(fit(planfmt.batch_text(batch, model), terminal_width()))
    sys.exit(EXIT_OK if batch.complete else EXIT_INVALID)


def _config(model: Model, name: str, option: str) -> dict[str, Value]:
    """Read a JSON object (or TOML table) of variable: value; errors name the option and
    the file."""
    data = read_config_file(name, option, "`plan --batch` (or `syncscope batch`)")
    if not isinstance(data, Mapping):
        raise InputError(
            f"{option} {name}: expected a JSON object of variable: value, got {type(data).__name__}"
        )
    try:
        return normalize_config(model, data)
    except ConfigurationError as exc:
        raise ConfigurationError(
            f"{option} {name}: {exc.message}",
            variable=exc.variable,
            value=exc.value,
            suggestions=exc.suggestions,
        ) from None
