"""``check``: the verdict of one configuration, full or partial, with the rules it breaks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from syncscope.model import Advice, Level, Model, Rule, Value

from ..diagram.indices import ValueIndex, VarIndex
from ..diagram.space import Space
from ..diagram.tables import RuleTable
from ..results import Change, Finding
from .conditions import Condition, conditions
from .counting import index as bitmap_index

__all__ = [
    "CheckResult",
    "Outcome",
    "check",
    "fitting_advice",
    "single_outcomes",
    "verdict",
]

_ROUTER = ("email-router", "email-router-deprecated", "email-router-online")
"""The Email Router advice, in the order of the cases it is worded for (seed.toml)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an unknown decides: with ``variable`` at ``value``, the best verdict is ``verdict``."""

    variable: str
    value: Value
    verdict: Level
    """Valid, and worse than the partial configuration's own verdict."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"variable", "value", "verdict"}``."""
        return {"variable": self.variable, "value": self.value, "verdict": self.verdict.id}


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict on one configuration.

    For a full configuration, ``findings`` lists every rule it breaks, warnings
    included, and the verdict is the worst level among them (``supported`` when
    there are none).

    For a partial configuration the missing variables are unknown. The verdict
    is the best level that some completion reaches, and ``findings`` explains
    it with two kinds of rules, in model order:

    - the rules that every completion breaks, whatever their level;
    - when none of those reaches the verdict ``v``, the rules of the causes
      (:func:`~syncscope.solver.explain.causes.causes`, the choice every query
      makes): per minimal set of settings that keeps every completion at ``v``
      or worse, a minimal set of rules of level ``v`` or worse that no
      completion can all respect. Dropping any one of them would let some
      completion do better.

    So the findings are never empty when the verdict is not ``supported``, and
    no completion respects every finding whose level is the verdict or worse.
    ``outcomes`` says what the unknowns decide among valid verdicts.
    """

    verdict: Level
    """The worst level broken; for a partial input, the best any completion reaches."""
    configuration: Mapping[str, Value]
    """The input, in canonical values and model order."""
    complete: bool
    """Whether every variable was given."""
    findings: tuple[Finding, ...]
    """Rules the configuration breaks; for a partial input, see the class notes."""
    required: Mapping[str, Value] = field(default_factory=lambda: MappingProxyType({}))
    """For a partial input: missing variables whose value every valid completion shares."""
    advice: tuple[Advice, ...] = ()
    """Advice the page gives for this verdict (e.g. the Email Router)."""
    fix: tuple[Change, ...] | None = None
    """For an invalid input: the changes of the nearest valid configuration."""
    outcomes: tuple[Outcome, ...] = ()
    """For a partial valid input: the open values that make the verdict worse, yet valid
    (e.g. "discouraged if appointments, contacts and tasks sync is on"), in model order:
    the conditions of one setting."""
    conditions: tuple[Condition, ...] = ()
    """For a partial valid input: every minimal condition of at most two open settings that
    makes the verdict worse, yet valid (:mod:`~syncscope.solver.queries.conditions`), e.g.
    "discouraged if appointments, contacts and tasks sync is on and Outlook syncs them too"."""

    @property
    def valid(self) -> bool:
        """Whether the verdict is supported or discouraged."""
        return self.verdict.valid

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data following the ``check`` contract."""
        out: dict[str, object] = {
            "verdict": self.verdict.id,
            "configuration": dict(self.configuration),
            "complete": self.complete,
            "findings": [f.to_dict() for f in self.findings],
            "required": dict(self.required),
            "advice": [
                {"id": a.id, "message": a.message, "sources": [s.to_dict() for s in a.sources]}
                for a in self.advice
            ],
        }
        if self.fix is not None:
            out["fix"] = [c.to_dict() for c in self.fix]
        if not self.complete:
            out["outcomes"] = [o.to_dict() for o in self.outcomes]
            out["conditions"] = [c.to_dict() for c in self.conditions]
        return out


def check(space: Space, config: Mapping[str, Value]) -> CheckResult:
    """Check a canonical configuration against the rules.

    A full configuration gets the worst level among the rules it breaks. A
    partial one gets the best verdict that some completion reaches, the rules
    that explain that verdict (see :class:`CheckResult`), and the values every
    valid completion shares (``required``).

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> result = check(compiled(), {"email_system": "gmail"})
    >>> result.verdict.id, result.required["incoming_protocol"]
    ('supported', 'pop3')

    No single rule rules out Gmail with server-to-server authentication, but
    no completion can respect both of these:

    >>> result = check(compiled(), {"email_system": "gmail", "authentication": "server-to-server"})
    >>> result.verdict.id, [f.rule.id for f in result.findings]
    ('unsupported', ['important.profile-type', 'facts.server-to-server-profile'])

    A partial configuration says what its unknowns decide:

    >>> result = check(compiled(), {"email_system": "exchange-online",
    ...                             "mixed_outlook_act_sync": True})
    >>> result.verdict.id, [(o.variable, o.value, o.verdict.id) for o in result.outcomes]
    ('supported', [('sync_appointments_contacts_tasks', True, 'discouraged')])

    Also when no one unknown decides alone:

    >>> result = check(compiled(), {"deployment": "online", "email_system": "exchange-online"})
    >>> result.outcomes, [dict(c.settings) for c in result.conditions]
    ((), [{'sync_appointments_contacts_tasks': True, 'mixed_outlook_act_sync': True}])
    """
    tables = space.tables
    fixed = tables.encode(config)
    complete = len(fixed) == len(tables.sizes)
    if complete:
        broken = tables.broken_rules([fixed[v] for v in range(len(tables.sizes))])
        verdict = max((t.level for t in broken), default=Level.SUPPORTED)
        required: dict[str, Value] = {}
    else:
        verdict = space.diagram.best(fixed)
        broken = _explain_partial(space, fixed, verdict)
        required = _required(space, fixed) if verdict.valid else {}
    decided = conditions(space, fixed, verdict) if not complete else ()
    configuration = tables.decode(fixed)
    advice = fitting_advice(space.model, configuration, verdict, [t.rule for t in broken])
    return CheckResult(
        verdict=verdict,
        configuration=MappingProxyType(configuration),
        complete=complete,
        findings=tuple(Finding(t.rule) for t in broken),
        required=MappingProxyType(required),
        advice=advice,
        outcomes=single_outcomes(decided),
        conditions=decided,
    )


def verdict(space: Space, fixed: Mapping[VarIndex, ValueIndex]) -> Level:
    """The verdict alone of an encoded configuration (variable index -> value index).

    The same as ``check(...).verdict``, without findings or advice: a full
    configuration follows its one path down the diagram to its verdict's
    terminal; a partial one gets the best verdict any completion reaches,
    from the counts.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> verdict(space, space.encode({"email_system": "gmail", "authentication": "oauth"})).id
    'unsupported'
    """
    diagram = space.diagram
    if len(fixed) == len(diagram.order):
        node = diagram.root
        children = diagram.children
        for var in diagram.order:
            node = children[node][fixed[var]]
        return _LEVELS[node]
    found = bitmap_index(space)
    counts = diagram.count(fixed) if found is None else found.packed(fixed)
    return next(_LEVELS[t] for t, n in enumerate(counts) if n)


_LEVELS = tuple(Level)
"""Terminal id -> its verdict."""


def fitting_advice(
    model: Model, configuration: Mapping[str, Value], verdict: Level, findings: list[Rule]
) -> tuple[Advice, ...]:
    """The advice of ``model`` for this verdict that fits the configuration.

    Advice is attached by its ``applies_to`` verdicts, with two refinements
    for the page's advice (other advice is attached by verdict alone):

    - the Email Router (``email-router*``) only when some finding comes from
      the page itself (a product fact about profiles or authentication is
      fixed in the profile, not by another product), worded for the
      deployment and version: online it stopped working on 12 April 2021;
      from 8.2 it is deprecated; else the plain advice, which says both;
    - ``fips-other-server`` only for an other POP3/SMTP server with FIPS on.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> model = load_model()
    >>> rule = model.rule("table.email-system")
    >>> [a.id for a in fitting_advice(model, {"deployment": "online"}, Level.UNSUPPORTED, [rule])]
    ['email-router-online']
    >>> facts = model.rule("facts.server-to-server-profile")
    >>> fitting_advice(model, {"deployment": "online"}, Level.UNSUPPORTED, [facts])
    ()
    """
    ids = {a.id for a in model.advice}
    router = [a for a in _ROUTER if a in ids]
    chosen = set()
    if len(router) == len(_ROUTER):
        from_page = any(r.source.document != "facts" for r in findings if not r.level.valid)
        if from_page:
            if configuration.get("deployment") == "online":
                chosen.add("email-router-online")
            elif configuration.get("version") == "8.2":
                chosen.add("email-router-deprecated")
            else:
                chosen.add("email-router")
        skip = set(router)
    else:
        skip = set()
    if "fips-other-server" in ids:
        skip.add("fips-other-server")
        if (
            configuration.get("email_system") == "other-pop3-smtp"
            and configuration.get("fips_mode") is True
        ):
            chosen.add("fips-other-server")
    return tuple(
        a for a in model.advice if verdict in a.applies_to and (a.id in chosen or a.id not in skip)
    )


def single_outcomes(found: tuple[Condition, ...]) -> tuple[Outcome, ...]:
    """The conditions of one setting, as outcomes.

    They are the open values whose best verdict is valid but worse than the fixed ones' own.

    Examples
    --------
    >>> [(o.variable, o.value, o.verdict.id) for o in single_outcomes((
    ...     Condition({"fips_mode": True}, Level.DISCOURAGED),
    ...     Condition({"mfa": True, "ports": "default"}, Level.DISCOURAGED)))]
    [('fips_mode', True, 'discouraged')]
    """
    return tuple(
        Outcome(*next(iter(c.settings.items())), c.verdict) for c in found if len(c.settings) == 1
    )


def _explain_partial(space: Space, fixed: Mapping[int, int], verdict: Level) -> list[RuleTable]:
    """The rules every completion breaks, plus a minimal conflict when they fall short."""
    tables = space.tables
    broken = [t for t in tables.rules if t.surely_broken(fixed, tables.sizes)]
    if verdict <= max((t.level for t in broken), default=Level.SUPPORTED):
        return broken
    # No completion avoids every rule of level >= verdict (else it would score better):
    # the causes name the rules that keep it there, by the one choice every query makes.
    from ..explain.causes import causes  # only here: a check that needs none starts faster

    index = {t.rule.id: t.index for t in tables.rules}
    chosen = {t.index for t in broken}
    chosen.update(index[r.id] for c in causes(space, fixed, verdict).conflicts for r in c.rules)
    return [tables.rules[i] for i in sorted(chosen)]


def _required(space: Space, fixed: Mapping[int, int]) -> dict[str, Value]:
    diagram = space.diagram
    valid = diagram.lane_mask(Level.valid_levels())
    out: dict[str, Value] = {}
    for var, sums in enumerate(diagram.value_counts(fixed)):
        if var in fixed:
            continue
        allowed = [i for i, packed in enumerate(sums) if packed & valid]
        if len(allowed) == 1:
            out[space.tables.names[var]] = space.tables.domains[var][allowed[0]]
    return out
