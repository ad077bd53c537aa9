"""``syncscope.diff`` and ``syncscope.check_against``: two editions side by side."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from syncscope.model import (
    ConfigurationError,
    InputError,
    Model,
    Value,
    load_model,
    normalize_config,
)
from syncscope.solver.compare.against import Against, check_against_spaces
from syncscope.solver.compare.diff import Diff, RuleChange, diff_spaces, shared_values
from syncscope.solver.diagram.space import compiled

__all__ = ["Against", "Diff", "RuleChange", "check_against", "diff"]

Side = str | Model
"""An edition id, or a rule set from :func:`syncscope.load_model`."""


def _model(side: Side, rules: Iterable[str | Path]) -> Model:
    """The rule set of ``side``; overlays go on an edition id (a Model is taken as it is)."""
    if isinstance(side, Model):
        return side
    if not isinstance(side, str):
        raise ConfigurationError(f"an edition id or a Model, got {side!r}", value=side)
    return load_model(edition=side, rules=rules)


def _split(
    a: Model, b: Model, fixed: Mapping[str, object]
) -> tuple[dict[str, Value], dict[str, Value]]:
    """Pin each setting on the sides that can express it; a compared variable on both."""
    compared = {name for name, _ in shared_values(a, b)}
    fixed_a: dict[str, Value] = {}
    fixed_b: dict[str, Value] = {}
    for name, raw in fixed.items():
        found: list[tuple[dict[str, Value], dict[str, Value]]] = []
        errors: list[InputError] = []
        for model, into in ((a, fixed_a), (b, fixed_b)):
            try:
                found.append((into, normalize_config(model, {name: raw})))
            except ConfigurationError as exc:
                errors.append(exc.prefixed(f"{model.edition or model.name}: "))
        names = {n for _, one in found for n in one}
        if errors and (not found or names & compared):
            raise errors[0]
        for into, one in found:
            for n, v in one.items():
                if n in into and into[n] != v:
                    raise ConfigurationError(f"{n} is given twice", variable=n)
                into[n] = v
    return fixed_a, fixed_b


def diff(
    a: Side,
    b: Side,
    fixed: Mapping[str, object] | None = None,
    *,
    rules: Iterable[str | Path] = (),
) -> Diff:
    """How support changed from edition ``a`` to edition ``b``, from their diagrams.

    Parameters
    ----------
    a, b : str or Model
        Edition ids (``syncscope editions``) or loaded rule sets.
    fixed : mapping, optional
        Settings that narrow the question, in any accepted spelling. A variable
        both editions compare is pinned on both; one only a side has (or whose
        values the two never share, like ``version``) is pinned on that side.
    rules : iterable of path
        Policy overlays applied on both sides (on those given as edition ids).

    Returns
    -------
    Diff
        Over the configurations both can express (docs/diff.md): counts by
        (verdict in a, verdict in b), compact tables of what became unsupported
        and what became supported, and the rules added, removed or changed.

    Raises
    ------
    ConfigurationError
        For an unknown edition, variable or value, or a compared setting one
        side cannot express (e.g. ``deployment=on-premises`` against an online edition).

    Examples
    --------
    >>> import syncscope
    >>> found = syncscope.diff("pre-9.0", "online-2022-01", {"email_system": "gmail"})
    >>> found.shared[:3], found.projected["b"]
    (('deployment', 'email_system', 'incoming_protocol'), ('version', 'packet_inspection', \
'traffic_interception', 'app_for_outlook'))
    >>> {(x.id, y.id): n for (x, y), n in found.transitions.items() if x != y}
    {('unsupported', 'supported'): 64}
    >>> found.became_supported.rows[0].cells["incoming_protocol"]  # IMAP came with 9.x
    ('imap',)
    """
    ma, mb = _model(a, rules), _model(b, rules)
    fixed_a, fixed_b = _split(ma, mb, fixed or {})
    return diff_spaces(compiled(ma), compiled(mb), fixed_a, fixed_b)


def check_against(
    config: Mapping[str, object],
    a: Side,
    b: Side,
    *,
    rules: Iterable[str | Path] = (),
) -> Against:
    """What happens to a setup on upgrade: its check under ``a``, then under ``b``.

    Settings ``b`` cannot express (a variable its page never has, a version
    outside its cover) are left open there and listed in ``dropped``.

    Returns
    -------
    Against
        Both verdicts, the findings that appear and disappear, and the nearest
        configuration valid under ``b``.

    Examples
    --------
    >>> import syncscope
    >>> mine = {"deployment": "online", "version": "8.2", "email_system": "exchange-online",
    ...         "authentication": "server-to-server", "ports": "default"}
    >>> found = syncscope.check_against(mine, "pre-9.0", "online-2022-01")
    >>> found.before.verdict.id, found.after.verdict.id, dict(found.dropped)
    ('supported', 'supported', {'version': '8.2', 'ports': 'default'})
    """
    ma, mb = _model(a, rules), _model(b, rules)
    space_a = compiled(ma)
    return check_against_spaces(space_a, compiled(mb), normalize_config(ma, config))
