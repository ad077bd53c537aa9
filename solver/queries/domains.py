"""Valid domains: what each open variable can still take, and why the other values are gone.

The diagram gives the allowed values exactly: a value is allowed when some
valid completion of the fixed values passes through it, so the domains are
complete and backtrack-free. Each removed value is explained by a minimal set
of blocking rules: looked up among the single rules and pairs of rules that
rule it out (:mod:`syncscope.solver.explain.blame`), and only for the rare value that
needs three rules or more, searched for with arc consistency and QuickXplain
(:mod:`syncscope.solver.explain.propagate`). The explanations are memoised on the space,
since the same question tends to come back while someone configures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from syncscope.model import Level, Rule, Value, format_value

from ..diagram.space import Space, per_space
from ..explain.blame import fixed_row, pair_rules, single_rules
from ..explain.causes import causes
from ..explain.conflicts import Conflict, NoSolution
from ..explain.propagate import Narrowed
from ..explain.quickxplain import Explainer, explain_removal, narrowed, settled, tabled_reasons

__all__ = [
    "Conflict",
    "Domain",
    "Domains",
    "Removal",
    "bare_domains",
    "conflict",
    "explain_removal",
    "no_solution",
    "valid_domains",
]

_MEMO_LIMIT = 1 << 14
"""Explanations kept per space before the memo starts over."""


@dataclass(frozen=True, slots=True)
class Removal:
    """A value no valid completion can take, with the rules that rule it out."""

    value: Value
    rules: tuple[Rule, ...]
    """A minimal set of blocking rules that, with the fixed values, exclude ``value``."""


@dataclass(frozen=True, slots=True)
class Domain:
    """One open variable's valid domain."""

    variable: str
    allowed: tuple[Value, ...]
    """Values with at least one valid completion, in declared order."""
    removed: tuple[Removal, ...]
    """Values with none, in declared order."""

    def to_dict(self) -> dict[str, object]:
        """``{"allowed": [values], "removed": {"value": [rule ids]}}``."""
        return {
            "allowed": list(self.allowed),
            "removed": {format_value(r.value): [rule.id for rule in r.rules] for r in self.removed},
        }


@dataclass(frozen=True, slots=True)
class Domains:
    """The valid domain of every variable the fixed values leave open."""

    fixed: Mapping[str, Value]
    """The fixed values, canonical, in model order."""
    domains: Mapping[str, Domain]
    """Open variable -> its domain, in model order."""

    def to_dict(self) -> dict[str, object]:
        """``{"fixed": {...}, "domains": {VAR: {"allowed": [...], "removed": {...}}}}``."""
        return {
            "fixed": dict(self.fixed),
            "domains": {name: d.to_dict() for name, d in self.domains.items()},
        }


def conflict(space: Space, fixed: Mapping[str, Value]) -> Conflict:
    """The first cause of canonical ``fixed`` values having no valid completion.

    The causes are those every query names
    (:func:`~syncscope.solver.explain.causes.causes`); see :func:`no_solution`
    for all of them.

    Raises
    ------
    ValueError
        If ``fixed`` does have a valid completion.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> found = conflict(compiled(), {"deployment": "online", "email_system": "msn"})
    >>> [r.id for r in found.rules], dict(found.settings)
    (['unsupported.fips'], {'deployment': 'online', 'email_system': 'msn'})
    """
    return no_solution(space, fixed).causes[0]


def no_solution(space: Space, fixed: Mapping[str, Value]) -> NoSolution:
    """The :class:`NoSolution` for canonical ``fixed`` values with no valid completion.

    It carries every cause (``causes``), the first as ``conflict``; its
    message names them all.

    Raises
    ------
    ValueError
        If ``fixed`` does have a valid completion.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> error = no_solution(compiled(), {"deployment": "online", "email_system": "msn"})
    >>> [[r.id for r in c.rules] for c in error.causes]
    [['unsupported.fips'], ['table.email-system']]
    """
    found = causes(space, space.encode(fixed))
    if found.verdict.valid:
        raise ValueError("the fixed values have a valid completion: there is nothing to explain")
    reasons = "; ".join(str(c) for c in found.conflicts)
    more = " (and more)" if found.more else ""
    message = f"no valid configuration matches the fixed values; {reasons}{more}"
    return NoSolution(message, found.conflicts[0], found.conflicts)


class _Blame:
    """Explanations of removed values under one set of fixed values.

    Each removed value is looked up among the single rules, then the pairs of
    rules, that rule it out (:mod:`syncscope.solver.explain.blame`); only a value that
    needs three rules or more costs arc consistency, and a search when that
    is not enough. Every index is consulted only once some value needs it.
    """

    def __init__(self, space: Space, fixed: Mapping[int, int]) -> None:
        self.space = space
        self.fixed = fixed
        self.row = fixed_row(space, fixed)
        self.singles: dict[tuple[int, int], int] | None = None
        self.pairs: dict[tuple[int, int], tuple[int, int]] | None = None
        self.narrowed: Narrowed | None = None
        self.explainer: Explainer | None = None

    def rules(self, var: int, value: int) -> tuple[int, ...]:
        """A minimal set of blocking rules that, with the fixed values, rule out ``var=value``."""
        space = self.space
        if self.singles is None:
            self.singles = single_rules(space, self.row)
        single = self.singles.get((var, value))
        if single is not None:
            return (single,)
        if self.pairs is None:
            self.pairs = pair_rules(space, self.row)
        pair = self.pairs.get((var, value))
        if pair is not None:
            return pair
        blamed = self.reasons(var, value)
        if blamed is not None:
            return tabled_reasons(space, blamed, self.fixed, var, value)
        if self.explainer is None:
            self.explainer = Explainer(space, self.fixed)
        return self.explainer.removal(var, value)

    def reasons(self, var: int, value: int) -> frozenset[int] | None:
        """Rules that arc consistency blamed for removing the value, if it did.

        Reasons found with one of the fixed values alone (worked out once per
        space) hold for all of them, so arc consistency under every fixed value
        runs only when none of those removed it.
        """
        states = settled(self.space)
        for pair in self.fixed.items():
            state = states[pair]
            found = None if state is None else state.reasons.get((var, value))
            if found is not None:
                return found
        if self.narrowed is None:
            self.narrowed = narrowed(self.space, self.fixed)
        return self.narrowed.reasons.get((var, value))


_Answers = dict[tuple[int, int], tuple[int, ...]]


def _answers(space: Space, fixed: Mapping[int, int], memo: bool) -> _Answers:
    """The explanations kept for these fixed values: (variable, value) -> rule indices.

    A fresh, unshared dict when ``memo`` is false.
    """
    if not memo:
        return {}
    key = ("removed", frozenset(fixed.items()))
    hit = space.memo.get(key)
    if isinstance(hit, dict):
        return hit
    if len(space.memo) >= _MEMO_LIMIT:
        for stale in [k for k in space.memo if isinstance(k, tuple) and k[:1] == ("removed",)]:
            del space.memo[stale]
    answers: _Answers = {}
    space.memo[key] = answers
    return answers


@per_space
def _open_domains(space: Space) -> tuple[Domain, ...]:
    """Per variable, its domain with nothing removed (shared by every query; frozen)."""
    tables = space.tables
    return tuple(Domain(name, tables.domains[v], ()) for v, name in enumerate(tables.names))


def valid_domains(
    space: Space, fixed: Mapping[str, Value], *, explain: bool = True, memo: bool = True
) -> Domains:
    """The valid domain of every open variable under canonical ``fixed`` values.

    Parameters
    ----------
    space : Space
        The compiled model.
    fixed : mapping
        Canonical variable -> value.
    explain : bool
        Whether to name the rules behind each removed value (mostly table
        look-ups, a small search for the rare value that needs three rules or
        more; the allowed values never need one).
    memo : bool
        Whether explanations may be reused from earlier calls on this space.

    Raises
    ------
    NoSolution
        If ``fixed`` has no valid completion; its ``conflict`` says why.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> found = valid_domains(compiled(), {"email_system": "gmail"})
    >>> found.domains["incoming_protocol"].allowed
    ('pop3',)
    >>> [r.id for r in found.domains["incoming_protocol"].removed[0].rules]
    ['table.pop3-smtp']
    """
    tables = space.tables
    encoded = space.encode(fixed)
    if not explain:
        return bare_domains(space, encoded)
    live = space.diagram.live_masks(encoded, _VALID)
    if not live[0]:
        raise no_solution(space, fixed)
    unchanged = _open_domains(space)
    out: dict[str, Domain] = {}
    answers: _Answers | None = None
    blame: _Blame | None = None  # built on the first removed value that needs it
    for var, name in enumerate(tables.names):
        if var in encoded:
            continue
        values = tables.domains[var]
        taken = live[var]
        if taken == (1 << len(values)) - 1:
            out[name] = unchanged[var]
            continue
        allowed = []
        removed = []
        for index, value in enumerate(values):
            if taken >> index & 1:
                allowed.append(value)
            else:
                if answers is None:
                    answers = _answers(space, encoded, memo)
                rule_ids = answers.get((var, index))
                if rule_ids is None:
                    blame = blame or _Blame(space, encoded)
                    rule_ids = answers[var, index] = blame.rules(var, index)
                removed.append(_removal(space, var, index, rule_ids))
        out[name] = Domain(name, tuple(allowed), tuple(removed))
    return Domains(MappingProxyType(tables.decode(encoded)), MappingProxyType(out))


def bare_domains(space: Space, encoded: Mapping[int, int]) -> Domains:
    """:func:`valid_domains` with ``explain=False``, for encoded fixed values.

    Raises
    ------
    NoSolution
        If the fixed values have no valid completion; its ``conflict`` says why.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> found = bare_domains(space, space.encode({"email_system": "gmail"}))
    >>> found.domains["incoming_protocol"].allowed, found.domains["incoming_protocol"].removed[0]
    (('pop3',), Removal(value='ews', rules=()))
    """
    live = space.diagram.live_masks(encoded, _VALID)
    fixed = space.tables.decode(encoded)
    if not live[0]:
        raise no_solution(space, fixed)
    out = {
        name: every[live[var]] if pieces is None else _bare(open_domain, live[var], pieces)
        for var, name, every, pieces, open_domain in _bare_rows(space)
        if var not in encoded
    }
    return Domains(MappingProxyType(fixed), MappingProxyType(out))


_Pieces = tuple[tuple[tuple[tuple[Value, ...], tuple[Removal, ...]], ...], ...]
"""Per chunk of :data:`_BARE_VALUES` values: per pattern of its bits, (allowed, removed)."""


def _bare(open_domain: Domain, taken: int, pieces: _Pieces) -> Domain:
    """The bare domain of a variable with many values, joined from its chunks' pieces."""
    if taken == (1 << len(open_domain.allowed)) - 1:
        return open_domain
    allowed: tuple[Value, ...] = ()
    removed: tuple[Removal, ...] = ()
    for table in pieces:
        more, less = table[taken & _BARE_MASK]
        allowed += more
        removed += less
        taken >>= _BARE_VALUES
    return Domain(open_domain.variable, allowed, removed)


@per_space
def _bare_rows(
    space: Space,
) -> tuple[tuple[int, str, tuple[Domain, ...], _Pieces | None, Domain], ...]:
    """Per variable: (index, name, its bare domains by mask, or else the pieces to join them
    from, its open domain); the variables with few values have every domain made up front."""
    every = _bare_domains(space)
    unchanged = _open_domains(space)
    rows: list[tuple[int, str, tuple[Domain, ...], _Pieces | None, Domain]] = []
    for var, name in enumerate(space.tables.names):
        found = every[var]
        if found is not None:
            rows.append((var, name, found, None, unchanged[var]))
            continue
        values = space.tables.domains[var]
        pieces = []
        for start in range(0, len(values), _BARE_VALUES):
            part = values[start : start + _BARE_VALUES]
            removals = [Removal(v, ()) for v in part]
            pieces.append(
                tuple(
                    (
                        tuple(v for i, v in enumerate(part) if mask >> i & 1),
                        tuple(r for i, r in enumerate(removals) if not mask >> i & 1),
                    )
                    for mask in range(1 << len(part))
                )
            )
        rows.append((var, name, (), tuple(pieces), unchanged[var]))
    return tuple(rows)


_BARE_VALUES = 6
"""Variables with at most this many values get every one of their bare domains made up front;
the others get them joined from pieces of this many values."""
_BARE_MASK = (1 << _BARE_VALUES) - 1


@per_space
def _bare_domains(space: Space) -> tuple[tuple[Domain, ...] | None, ...]:
    """Per variable with few values: its bare :class:`Domain` for every mask of allowed values.

    The whole table, made from the model alone (frozen; shared); None for a
    variable with more values, whose domains are made as they are asked for.
    """
    out: list[tuple[Domain, ...] | None] = []
    for var, name in enumerate(space.tables.names):
        values = space.tables.domains[var]
        if len(values) > _BARE_VALUES:
            out.append(None)
            continue
        removals = [Removal(v, ()) for v in values]
        out.append(
            tuple(
                Domain(
                    name,
                    tuple(v for i, v in enumerate(values) if mask >> i & 1),
                    tuple(r for i, r in enumerate(removals) if not mask >> i & 1),
                )
                for mask in range(1 << len(values))
            )
        )
    return tuple(out)


def _removal(space: Space, var: int, index: int, rule_ids: tuple[int, ...]) -> Removal:
    """The :class:`Removal` of one value for these rules (frozen, so shared between answers)."""
    made = _removals(space)
    key = (var, index, rule_ids)
    found = made.get(key)
    if found is None:
        rules = space.tables.rules
        found = made[key] = Removal(
            space.tables.domains[var][index], tuple(rules[i].rule for i in rule_ids)
        )
    return found


@per_space
def _removals(space: Space) -> dict[tuple[int, int, tuple[int, ...]], Removal]:
    """Every :class:`Removal` made so far, by (variable, value, rule indices)."""
    return {}


_VALID = Level.valid_levels()
