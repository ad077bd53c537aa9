"""Counts, valid domains and every configuration: questions about the whole solution space."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from syncscope.model import ConfigurationError, Level, Model, Value
from syncscope.solver.queries.counting import Counts, count_encoded
from syncscope.solver.queries.domains import (
    Conflict,
    Domain,
    Domains,
    Removal,
    bare_domains,
    valid_domains,
)

from ._inputs import prepare, prepare_encoded

if TYPE_CHECKING:
    from syncscope.solver.queries.matrix import Matrix

# enumeration and matrix are imported where they are used: a domains or count
# command starts without them.

__all__ = [
    "VALID",
    "Conflict",
    "Counts",
    "Domain",
    "Domains",
    "Removal",
    "configurations",
    "count",
    "domains",
    "export_lines",
    "parse_verdicts",
    "table",
]

VALID: tuple[Level, ...] = Level.valid_levels()
"""The verdicts of valid configurations."""


def parse_verdicts(verdicts: Level | str | Iterable[Level | str]) -> tuple[Level, ...]:
    """Turn levels or their names into sorted, distinct levels; a single one stands alone.

    Raises
    ------
    ConfigurationError
        For an unknown name, with did-you-mean suggestions; or for no level at all.

    Examples
    --------
    >>> parse_verdicts(["Discouraged", "supported"])
    (<Level.SUPPORTED: 0>, <Level.DISCOURAGED: 2>)
    >>> parse_verdicts("untested")
    (<Level.UNTESTED: 3>,)
    """
    items = [verdicts] if isinstance(verdicts, (str, Level)) else verdicts
    out = set()
    for item in items:
        if isinstance(item, Level):
            out.add(item)
            continue
        try:
            out.add(Level.parse(str(item)))
        except ValueError:
            import difflib

            names = [level.id for level in Level]
            close = difflib.get_close_matches(str(item).strip().lower(), names, n=2)
            raise ConfigurationError(
                f"unknown verdict {item!r} (one of {', '.join(names)})",
                value=item,
                suggestions=close,
            ) from None
    if not out:
        raise ConfigurationError("no verdict chosen (one of supported, discouraged, ...)")
    return tuple(sorted(out))


def count(
    fixed: Mapping[str, object] | None = None,
    *,
    model: Model | None = None,
    edition: str | None = None,
) -> Counts:
    """Count the configurations matching ``fixed``, per verdict.

    Parameters
    ----------
    fixed : mapping, optional
        Variable -> value in any accepted spelling; nothing fixed by default.
    model : Model, optional
        A rule set from :func:`syncscope.load_model`; the built-in seed by default.
    edition : str, optional
        An edition id (:mod:`syncscope.model.editions`); not together with ``model``.

    Returns
    -------
    Counts
        Frozen; ``to_dict()`` gives ``{"supported", "discouraged", "untested",
        "unsupported", "valid", "total"}``, where ``total`` is every combination
        matching ``fixed``.

    Raises
    ------
    ConfigurationError
        For an unknown variable or value.

    Examples
    --------
    >>> count().to_dict()["valid"]
    24512
    >>> count({"Deployment": "online", "email system": "Gmail"}).valid
    768
    """
    space, encoded = prepare_encoded(fixed or {}, model, edition)
    return count_encoded(space, encoded)


def domains(
    fixed: Mapping[str, object] | None = None,
    *,
    explain: bool = True,
    model: Model | None = None,
    edition: str | None = None,
) -> Domains:
    """The valid domain of every variable ``fixed`` leaves open.

    Each allowed value has at least one valid completion; each removed value
    has none and names a minimal set of rules that, with the fixed values,
    rule it out.

    Parameters
    ----------
    fixed : mapping, optional
        Variable -> value in any accepted spelling; nothing fixed by default.
    explain : bool
        Whether to name the rules behind each removed value. With ``False``
        the removed values come with no rules (``removed[i].rules == ()``):
        the allowed values alone, for a form that only greys out choices.
    model : Model, optional
        A rule set from :func:`syncscope.load_model`; the built-in seed by default.
    edition : str, optional
        An edition id (:mod:`syncscope.model.editions`); not together with ``model``.

    Returns
    -------
    Domains
        Frozen; ``to_dict()`` gives ``{"fixed": {...}, "domains": {VAR:
        {"allowed": [...], "removed": {"value": [rule ids]}}}}``.

    Raises
    ------
    NoSolution
        If no valid configuration matches ``fixed``; its ``conflict`` is the
        :class:`Conflict` (minimal rules and the fixed values they clash with).
    ConfigurationError
        For an unknown variable or value.

    Examples
    --------
    >>> found = domains({"email_system": "Gmail"})
    >>> found.domains["incoming_protocol"].allowed
    ('pop3',)
    >>> found.to_dict()["domains"]["sync_appointments_contacts_tasks"]
    {'allowed': [False], 'removed': {'true': ['table.act-sync']}}
    >>> domains({"email_system": "Gmail"}, explain=False).to_dict()["domains"]["customer_key"]
    {'allowed': [False], 'removed': {'true': []}}
    """
    if not explain:
        space, encoded = prepare_encoded(fixed or {}, model, edition)
        return bare_domains(space, encoded)
    space, canonical = prepare(fixed or {}, model, edition)
    return valid_domains(space, canonical)


def configurations(
    fixed: Mapping[str, object] | None = None,
    *,
    verdicts: Level | str | Iterable[Level | str] = VALID,
    model: Model | None = None,
    edition: str | None = None,
) -> Iterator[dict[str, Value]]:
    """Stream every configuration of ``verdicts`` that matches ``fixed``.

    Configurations are canonical dicts in model order, and come in
    lexicographic order of the model's variables and their declared values.
    Input errors are raised at once, before the first configuration.

    Examples
    --------
    >>> found = configurations({"deployment": "online", "email_system": "Exchange Online",
    ...                         "customer_key": "yes"})
    >>> first = next(found)
    >>> first["version"], first["authentication"]
    ('8.1', 'server-to-server')
    >>> sum(1 for _ in configurations(verdicts="untested"))
    768
    """
    from syncscope.solver.queries import enumeration

    chosen = parse_verdicts(verdicts)
    space, canonical = prepare(fixed or {}, model, edition)
    return enumeration.configurations(space, space.encode(canonical), chosen)


def table(
    fixed: Mapping[str, object] | None = None,
    *,
    verdicts: Level | str | Iterable[Level | str] = VALID,
    model: Model | None = None,
    edition: str | None = None,
) -> Matrix:
    """The compact table of the configurations of ``verdicts`` matching ``fixed``.

    Rows are disjoint value sets per variable ("any" where every value is
    possible); together they hold exactly the chosen configurations.

    Examples
    --------
    >>> matrix = table()
    >>> matrix.count, len(matrix.rows)
    (24512, 7)
    """
    from syncscope.solver.queries.matrix import cube_cover

    chosen = parse_verdicts(verdicts)
    space, canonical = prepare(fixed or {}, model, edition)
    return cube_cover(space, space.encode(canonical), chosen)


def export_lines(
    fixed: Mapping[str, object] | None = None,
    *,
    verdicts: Level | str | Iterable[Level | str] = VALID,
    format: str = "jsonl",
    model: Model | None = None,
    edition: str | None = None,
) -> Iterator[str]:
    """Stream every configuration of ``verdicts`` matching ``fixed`` as text.

    ``format`` is ``"jsonl"`` (one JSON object a line) or ``"csv"`` (a header
    line first). The text comes in chunks of whole lines, each ending with a
    newline, in the order of :func:`configurations`, produced lazily: a
    listing of millions of configurations takes no memory. Input errors are
    raised at once.

    Examples
    --------
    >>> lines = export_lines({"deployment": "online", "email_system": "Gmail"}, format="csv")
    >>> next(lines).split(",")[:3]
    ['deployment', 'version', 'email_system']
    >>> sum(chunk.count("\\n") for chunk in export_lines(verdicts="untested"))
    768
    """
    from syncscope.solver.queries import enumeration

    if format not in ("jsonl", "csv"):
        import difflib

        raise ConfigurationError(
            f"unknown export format {format!r} (one of jsonl, csv)",
            value=format,
            suggestions=difflib.get_close_matches(format, ["jsonl", "csv"], n=1),
        )
    chosen = parse_verdicts(verdicts)
    space, canonical = prepare(fixed or {}, model, edition)
    encoded = space.encode(canonical)
    if format == "jsonl":
        return enumeration.jsonl_lines(space, encoded, chosen)
    lines = enumeration.csv_lines(space, encoded, chosen)
    return itertools.chain([enumeration.csv_header(space)], lines)
