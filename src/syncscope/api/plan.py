"""``syncscope.plan`` and ``syncscope.plan_graph``: safe, ordered migration steps."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from os import PathLike
from typing import TYPE_CHECKING, Any, BinaryIO, overload

from syncscope.model import (
    ConfigurationError,
    Model,
    Value,
    merge_assignments,
    normalize_config,
    parse_assignment,
    parse_value,
    resolve_variable,
)
from syncscope.solver.diagram.space import Space, compiled
from syncscope.solver.plan.batch import BatchPlan, plan_batch
from syncscope.solver.plan.cross import (
    CrossOrgPlan,
    CrossPlan,
    Upgrade,
    plan_across,
    plan_organisation_across,
)
from syncscope.solver.plan.org import OrgPlan, plan_organisation
from syncscope.solver.plan.planner import Plan, Solution, Step, solve
from syncscope.solver.repair.weights import resolve_weights

from ._completion import Completions
from ._inputs import resolve_model

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "BatchPlan",
    "CrossOrgPlan",
    "CrossPlan",
    "OrgPlan",
    "Plan",
    "Step",
    "Upgrade",
    "parse_avoid",
    "plan",
    "plan_graph",
    "plan_inventory",
    "plan_organisation_inventory",
]

Avoid = str | Iterable[str | tuple[str, object]]
"""``"VAR=VALUE"`` texts or ``(variable, value)`` pairs, in any accepted spelling (one text
alone is one item)."""


@overload
def plan(
    start: Mapping[str, object],
    target: Mapping[str, object],
    *,
    keep: str | Iterable[str] = (),
    avoid: Avoid = (),
    weights: str | Mapping[str, object] | None = None,
    max_step: int | None = None,
    model: Model | None = None,
    edition: str | None = None,
    to_edition: None = None,
) -> Plan: ...


@overload
def plan(
    start: Mapping[str, object],
    target: Mapping[str, object],
    *,
    keep: str | Iterable[str] = (),
    avoid: Avoid = (),
    weights: str | Mapping[str, object] | None = None,
    max_step: int | None = None,
    model: Model | None = None,
    edition: str | None = None,
    to_edition: str | Model,
) -> CrossPlan: ...


def plan(
    start: Mapping[str, object],
    target: Mapping[str, object],
    *,
    keep: str | Iterable[str] = (),
    avoid: Avoid = (),
    weights: str | Mapping[str, object] | None = None,
    max_step: int | None = None,
    model: Model | None = None,
    edition: str | None = None,
    to_edition: str | Model | None = None,
) -> Plan | CrossPlan:
    """The migration plan from ``start`` to ``target``: valid at every step, fewest steps first.

    Parameters
    ----------
    start : mapping
        Today's full configuration, in any accepted spelling. When it is
        invalid, the first step is its cheapest repair (``"repair": true``).
    target : mapping
        A full configuration, or only some settings: then the plan ends at the
        best valid configuration that has them.
    keep : str or iterable of str
        Variables held at their start values all the way (one name alone is one variable).
    avoid : str or iterable
        ``"VAR=VALUE"`` texts or ``(variable, value)`` pairs that no
        configuration along the way, nor the end, may have (one text alone is one item).
    weights : str, mapping or None
        ``None`` for the rule set's change costs, ``"uniform"``, a
        ``.toml``/``.json`` file, or a mapping overriding them (a number per
        variable, or ``{"FROM -> TO": number, "default": number}``).
    max_step : int, optional
        The most settings one step may change.
    model : Model, optional
        A rule set from :func:`syncscope.load_model`; the built-in seed by default.
    edition : str, optional
        An edition id (:mod:`syncscope.model.editions`); not together with ``model``.
    to_edition : str or Model, optional
        Plan across editions: ``start`` is under ``edition`` (or ``model``), ``target``
        under ``to_edition`` (an edition id, or a rule set such as
        ``load_model(edition=..., rules=[...])`` with policy overlays), and the plan goes
        through one upgrade step (docs/planning.md, "Across editions"). Returns a
        :class:`CrossPlan`; the start must be valid.

    Returns
    -------
    Plan or CrossPlan
        Monotone first (every setting changes at most once, straight to its end
        value; ``monotone`` says whether that was possible, and a step that
        borrows a value says why in ``detour``), then the fewest steps, then the
        lowest cost. Frozen; ``to_dict()`` gives the JSON contract. Without a plan,
        ``feasible`` is false and ``reason`` (and for an invalid target,
        ``suggestions``) say why.

    Raises
    ------
    ConfigurationError
        For an unknown variable or value, a partial start, a bad weight, or a
        step cap below 1.

    Examples
    --------
    >>> import syncscope
    >>> today = {"deployment": "online", "version": "8.2", "email_system": "Gmail",
    ...     "incoming_protocol": "POP3", "outgoing_protocol": "SMTP",
    ...     "sync_appointments_contacts_tasks": "no", "authentication": "user or queue",
    ...     "autodiscover": "yes", "profile_type": "POP3/SMTP", "ports": "default",
    ...     "same_tenant": "yes", "fips_mode": "no", "mfa": "no", "customer_key": "no",
    ...     "outlook_on_the_web": "no", "outlook_manual_tracking": "no",
    ...     "mass_email_campaigns": "no", "custom_email_provider": "no",
    ...     "mixed_outlook_act_sync": "no"}
    >>> result = syncscope.plan(today, {"email_system": "Exchange Online"})
    >>> result.feasible, len(result.steps), result.cost, result.monotone
    (True, 1, 76.0, True)
    >>> exo = dict(today, email_system="exchange-online", incoming_protocol="ews",
    ...     outgoing_protocol="ews", authentication="S2S", profile_type="Exchange Online")
    >>> across = syncscope.plan(exo, {"version": "9.2"}, to_edition="online-2022-01")
    >>> across.upgrade_step, across.to_dict()["steps"][0]["upgrade"]["from_edition"]
    (0, 'pre-9.0')
    """
    chosen = resolve_model(model, edition)
    if to_edition is not None:
        return _across(start, target, keep, avoid, weights, max_step, chosen, to_edition)
    return _solve(start, target, keep, avoid, weights, max_step, chosen)[1].plan


def plan_graph(
    start: Mapping[str, object],
    target: Mapping[str, object],
    *,
    keep: str | Iterable[str] = (),
    avoid: Avoid = (),
    weights: str | Mapping[str, object] | None = None,
    max_step: int | None = None,
    model: Model | None = None,
    edition: str | None = None,
) -> nx.DiGraph:
    """The networkx graph of every shortest migration plan, for your own analyses.

    Same parameters as :func:`plan`. The nodes are the valid configurations
    on some plan with the fewest steps (keys: tuples of canonical values in
    model order, with ``configuration``, ``verdict``, ``step`` and ``on_plan``
    attributes); the edges are the minimal moves between them, layer to
    layer (``changes``, ``variables``, ``cost``, ``tied_by``, ``repair``,
    ``on_plan``). ``graph.graph`` holds ``start``, ``end``, ``ends``,
    ``steps``, ``cost``, ``variables`` and the ``plan`` itself.

    Examples
    --------
    >>> import networkx as nx
    >>> import syncscope
    >>> today = {"deployment": "on-premises", "version": "8.2", "email_system": "gmail",
    ...     "incoming_protocol": "pop3", "outgoing_protocol": "smtp",
    ...     "sync_appointments_contacts_tasks": False, "authentication": "profile-credentials",
    ...     "autodiscover": False, "profile_type": "pop3-smtp", "ports": "default",
    ...     "same_tenant": True, "fips_mode": False, "mfa": False, "customer_key": False,
    ...     "outlook_on_the_web": False, "outlook_manual_tracking": False,
    ...     "mass_email_campaigns": False, "custom_email_provider": False,
    ...     "mixed_outlook_act_sync": False}
    >>> graph = syncscope.plan_graph(today, dict(today, autodiscover=True, fips_mode=True))
    >>> paths = list(nx.all_shortest_paths(graph, graph.graph["start"], graph.graph["end"]))
    >>> len(paths), graph.graph["steps"]
    (2, 2)
    """
    from syncscope.solver.plan.graph import build_graph

    chosen = resolve_model(model, edition)
    space, solution = _solve(start, target, keep, avoid, weights, max_step, chosen)
    return build_graph(space, solution)


def plan_inventory(
    source: str | PathLike[str] | BinaryIO,
    target: Mapping[str, object],
    *,
    input_format: str | None = None,
    defaults: Mapping[str, object] | Iterable[str] | None = None,
    keep: str | Iterable[str] = (),
    avoid: Avoid = (),
    weights: str | Mapping[str, object] | None = None,
    max_step: int | None = None,
    model: Model | None = None,
    edition: str | None = None,
    delimiter: str | None = None,
    require_complete: bool = False,
) -> BatchPlan:
    """Plans for every mailbox of an inventory, each distinct configuration planned once.

    Parameters
    ----------
    source : str, path-like or binary stream
        A CSV, JSON Lines or Dataverse inventory (``-`` reads stdin), read with
        :func:`syncscope.batch.readers.read_records`.
    target : mapping
        The target, full or partial, as for :func:`plan`.
    input_format : {"csv", "jsonl", "dataverse"}, optional
        Detected from the extension or content when None.
    defaults : mapping or iterable of str, optional
        Organisation-wide values (a mapping, or ``"VAR=VALUE"`` texts); a row's own value wins.
    keep, avoid, weights, max_step, model
        As for :func:`plan`.
    delimiter : str, optional
        The CSV delimiter (``,``, ``;`` or a tab); sniffed from the header when None.
    require_complete : bool
        Make a CSV or JSON Lines row that leaves a variable unknown a skipped
        ``error`` row. By default such a row is judged as :func:`syncscope.check` judges a
        partial configuration: when every valid completion shares the values of
        its unknown variables, it is planned with them and listed in
        ``completed``; otherwise it is a skipped ``error`` row naming them.

    Returns
    -------
    BatchPlan
        Mailboxes grouped by plan, largest group first; rows that can't be
        read (or are outside server-side sync) in ``skipped``, never dropped.

    Raises
    ------
    UnreadableInput
        When the inventory can't be read at all.
    ConfigurationError
        For a bad target, kept or avoided setting, weight or default.

    Examples
    --------
    >>> import io
    >>> inventory = io.BytesIO(
    ...     b"mailbox,deployment,version,email_system,incoming_protocol,outgoing_protocol,"
    ...     b"sync_appointments_contacts_tasks,authentication,autodiscover,profile_type,ports,"
    ...     b"same_tenant,fips_mode,mfa,customer_key,outlook_on_the_web,outlook_manual_tracking,"
    ...     b"mass_email_campaigns,custom_email_provider,mixed_outlook_act_sync\\n"
    ...     b"ann,online,8.2,gmail,pop3,smtp,no,user-or-queue-credentials,yes,pop3-smtp,default,"
    ...     b"yes,no,no,no,no,no,no,no,no\\n")
    >>> batch = plan_inventory(inventory, {"email_system": "exchange-online"}, input_format="csv")
    >>> batch.planned, [g.extras[0]["mailbox"] for g in batch.groups]
    (1, ['ann'])
    """
    space, org, settings, canonical = _inventory_settings(
        target, defaults, keep, avoid, weights, max_step, resolve_model(model, edition)
    )
    with _rows(source, space, input_format, org, delimiter, require_complete) as rows:
        batch = plan_batch(space, rows, canonical, **settings)
    return replace(batch, completed=tuple(rows.completed))


@overload
def plan_organisation_inventory(
    source: str | PathLike[str] | BinaryIO,
    target: Mapping[str, object],
    *,
    input_format: str | None = None,
    defaults: Mapping[str, object] | Iterable[str] | None = None,
    keep: str | Iterable[str] = (),
    avoid: Avoid = (),
    weights: str | Mapping[str, object] | None = None,
    max_step: int | None = None,
    model: Model | None = None,
    edition: str | None = None,
    delimiter: str | None = None,
    require_complete: bool = False,
    to_edition: None = None,
) -> OrgPlan: ...


@overload
def plan_organisation_inventory(
    source: str | PathLike[str] | BinaryIO,
    target: Mapping[str, object],
    *,
    input_format: str | None = None,
    defaults: Mapping[str, object] | Iterable[str] | None = None,
    keep: str | Iterable[str] = (),
    avoid: Avoid = (),
    weights: str | Mapping[str, object] | None = None,
    max_step: int | None = None,
    model: Model | None = None,
    edition: str | None = None,
    delimiter: str | None = None,
    require_complete: bool = False,
    to_edition: str | Model,
) -> CrossOrgPlan: ...


def plan_organisation_inventory(
    source: str | PathLike[str] | BinaryIO,
    target: Mapping[str, object],
    *,
    input_format: str | None = None,
    defaults: Mapping[str, object] | Iterable[str] | None = None,
    keep: str | Iterable[str] = (),
    avoid: Avoid = (),
    weights: str | Mapping[str, object] | None = None,
    max_step: int | None = None,
    model: Model | None = None,
    edition: str | None = None,
    delimiter: str | None = None,
    require_complete: bool = False,
    to_edition: str | Model | None = None,
) -> OrgPlan | CrossOrgPlan:
    """One plan for a whole organisation: organisation-wide changes once, for everyone at once.

    Parameters are those of :func:`plan_inventory`. Organisation-scope settings
    (deployment, version, tenant, the FIPS, Customer Key and MFA postures, …, as
    ``model/data/costs.toml`` declares) change at one step for every mailbox;
    profile and mailbox changes come before (repairs) and after it, merged step
    by step. After every step each mailbox is valid; mailboxes for which that is
    impossible are in ``unplannable`` with the reason.

    Examples
    --------
    >>> import io
    >>> header = (b"mailbox,deployment,version,email_system,incoming_protocol,outgoing_protocol,"
    ...     b"sync_appointments_contacts_tasks,authentication,autodiscover,profile_type,ports,"
    ...     b"same_tenant,fips_mode,mfa,customer_key,outlook_on_the_web,outlook_manual_tracking,"
    ...     b"mass_email_campaigns,custom_email_provider,mixed_outlook_act_sync\\n")
    >>> row = b",online,8.0,gmail,pop3,smtp,no,user-or-queue-credentials,yes,pop3-smtp,default,"
    >>> inventory = io.BytesIO(header + b"ann" + row + b"yes,no,no,no,no,no,no,no,no\\n"
    ...                        + b"bo" + row + b"yes,no,no,no,no,no,no,no,no\\n")
    >>> org = plan_organisation_inventory(inventory, {"version": "8.2"}, input_format="csv")
    >>> [(s.kind, s.mailboxes, s.actions[0].ids) for s in org.steps]
    [('organisation', 2, ('ann', 'bo'))]

    With ``to_edition`` (as for :func:`plan`), the inventory is read under ``edition`` and
    the organisation's upgrade, with every organisation-scope change, is one step
    (``kind`` ``upgrade``) for everyone; the answer is a :class:`CrossOrgPlan`.

    >>> _ = inventory.seek(0)
    >>> across = plan_organisation_inventory(inventory, {"version": "9.2"}, input_format="csv",
    ...                                      to_edition="online-2022-01")
    >>> [(s.kind, s.mailboxes) for s in across.plan.steps], across.upgrade_step
    ([('upgrade', 2)], 0)
    """
    if to_edition is not None:
        return _organisation_across(
            source,
            target,
            input_format,
            defaults,
            keep,
            avoid,
            weights,
            max_step,
            resolve_model(model, edition),
            to_edition,
            delimiter,
            require_complete,
        )

    space, org, settings, canonical = _inventory_settings(
        target, defaults, keep, avoid, weights, max_step, resolve_model(model, edition)
    )
    with _rows(source, space, input_format, org, delimiter, require_complete) as rows:
        planned = plan_organisation(space, rows, canonical, **settings)
    return replace(planned, completed=tuple(rows.completed))


def _inventory_settings(
    target: Mapping[str, object],
    defaults: Mapping[str, object] | Iterable[str] | None,
    keep: str | Iterable[str],
    avoid: Avoid,
    weights: str | Mapping[str, object] | None,
    max_step: int | None,
    model: Model | None,
) -> tuple[Space, dict[str, Value], dict[str, Any], dict[str, Value]]:
    space = compiled(model)
    m = space.model
    if defaults is None:
        org: dict[str, Value] = {}
    elif isinstance(defaults, Mapping):
        org = _config(m, defaults, "defaults")
    else:
        org = merge_assignments(m, [defaults] if isinstance(defaults, str) else defaults)
    settings = _settings(space, keep, avoid, weights, max_step)
    return space, org, settings, _config(m, target, "target")


def parse_avoid(model: Model, avoid: Avoid) -> list[tuple[str, Value]]:
    """Canonical ``(variable, value)`` pairs from ``"VAR=VALUE"`` texts or pairs.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> parse_avoid(load_model(), ["Email System=Exchange 2013", ("mfa", "yes")])
    [('email_system', 'exchange-2013'), ('mfa', True)]
    >>> parse_avoid(load_model(), "deployment=online")
    [('deployment', 'online')]
    """
    out: list[tuple[str, Value]] = []
    for item in [avoid] if isinstance(avoid, str) else avoid:
        if isinstance(item, str):
            out.append(parse_assignment(model, item))
        elif isinstance(item, tuple) and len(item) == 2:
            var = resolve_variable(model, item[0])
            out.append((var.name, parse_value(var, item[1])))
        else:
            raise ConfigurationError(
                f"avoid: expected 'VAR=VALUE' or a (variable, value) pair, got {item!r}",
                value=item,
            )
    return out


def _settings(
    space: Space,
    keep: str | Iterable[str],
    avoid: Avoid,
    weights: str | Mapping[str, object] | None,
    max_step: int | None,
) -> dict[str, Any]:
    m = space.model
    if isinstance(keep, str):
        keep = [keep]
    if max_step is not None and (not isinstance(max_step, int) or isinstance(max_step, bool)):
        raise ConfigurationError(f"the step cap must be a whole number, got {max_step!r}")
    return {
        "keep": [resolve_variable(m, name).name for name in keep],
        "avoid": parse_avoid(m, avoid),
        "weights": resolve_weights(m, weights) if weights is not None else None,
        "max_step": max_step,
    }


def _solve(
    start: Mapping[str, object],
    target: Mapping[str, object],
    keep: str | Iterable[str],
    avoid: Avoid,
    weights: str | Mapping[str, object] | None,
    max_step: int | None,
    model: Model | None,
) -> tuple[Space, Solution]:
    space = compiled(model)
    m = space.model
    settings = _settings(space, keep, avoid, weights, max_step)
    solution = solve(space, _config(m, start, "start"), _config(m, target, "target"), **settings)
    return space, solution


def _across(
    start: Mapping[str, object],
    target: Mapping[str, object],
    keep: str | Iterable[str],
    avoid: Avoid,
    weights: str | Mapping[str, object] | None,
    max_step: int | None,
    model: Model | None,
    to_edition: str | Model,
) -> CrossPlan:
    """A plan across editions: names resolved in whichever edition has them."""
    a = compiled(model)
    b = compiled(to_edition if isinstance(to_edition, Model) else resolve_model(None, to_edition))
    if isinstance(keep, str):
        keep = [keep]
    if max_step is not None and (not isinstance(max_step, int) or isinstance(max_step, bool)):
        raise ConfigurationError(f"the step cap must be a whole number, got {max_step!r}")
    kept = [resolve_variable(a.model, name).name for name in keep]
    avoided: list[tuple[str, Value]] = []
    for item in [avoid] if isinstance(avoid, str) else avoid:
        try:
            avoided.extend(parse_avoid(a.model, [item]))
        except ConfigurationError:
            avoided.extend(parse_avoid(b.model, [item]))
    return plan_across(
        a,
        b,
        _config(a.model, start, "start"),
        _config(b.model, target, "target"),
        keep=kept,
        avoid=avoided,
        weights=weights,
        max_step=max_step,
    )


def _organisation_across(
    source: str | PathLike[str] | BinaryIO,
    target: Mapping[str, object],
    input_format: str | None,
    defaults: Mapping[str, object] | Iterable[str] | None,
    keep: str | Iterable[str],
    avoid: Avoid,
    weights: str | Mapping[str, object] | None,
    max_step: int | None,
    model: Model | None,
    to_edition: str | Model,
    delimiter: str | None,
    require_complete: bool,
) -> CrossOrgPlan:
    a = compiled(model)
    if defaults is None:
        org: dict[str, Value] = {}
    elif isinstance(defaults, Mapping):
        org = _config(a.model, defaults, "defaults")
    else:
        org = merge_assignments(a.model, [defaults] if isinstance(defaults, str) else defaults)
    if max_step is not None and (not isinstance(max_step, int) or isinstance(max_step, bool)):
        raise ConfigurationError(f"the step cap must be a whole number, got {max_step!r}")
    b = compiled(to_edition if isinstance(to_edition, Model) else resolve_model(None, to_edition))
    if isinstance(keep, str):
        keep = [keep]
    kept = [resolve_variable(a.model, name).name for name in keep]
    avoided: list[tuple[str, Value]] = []
    for item in [avoid] if isinstance(avoid, str) else avoid:
        try:
            avoided.extend(parse_avoid(a.model, [item]))
        except ConfigurationError:
            avoided.extend(parse_avoid(b.model, [item]))
    wanted = _config(b.model, target, "target")
    with _rows(source, a, input_format, org, delimiter, require_complete) as rows:
        across = plan_organisation_across(
            a, b, rows, wanted, keep=kept, avoid=avoided, weights=weights, max_step=max_step
        )
    return replace(across, plan=replace(across.plan, completed=tuple(rows.completed)))


@contextmanager
def _rows(
    source: str | PathLike[str] | BinaryIO,
    space: Space,
    input_format: str | None,
    defaults: Mapping[str, Value],
    delimiter: str | None,
    require_complete: bool,
) -> Iterator[Completions]:
    """The inventory's rows as ``batch`` reads them, partial ones completed for planning."""
    from syncscope.batch.readers import read_records

    with read_records(
        source,
        space.model,
        input_format=input_format,
        defaults=defaults,
        delimiter=delimiter,
        require_complete=require_complete,
    ) as records:
        yield Completions(space, records)


def _config(model: Model, config: Mapping[str, object], which: str) -> dict[str, Value]:
    try:
        return normalize_config(model, config)
    except ConfigurationError as exc:
        raise ConfigurationError(
            f"{which}: {exc.message}",
            variable=exc.variable,
            value=exc.value,
            suggestions=exc.suggestions,
        ) from None
