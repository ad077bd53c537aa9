"""Typed, frozen records for a loaded rule set: variables, rules, sources."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "Advice",
    "Clause",
    "Document",
    "Level",
    "Model",
    "Rule",
    "Source",
    "Value",
    "ValueSpec",
    "Variable",
]

Value = str | bool
"""A canonical value: a string id, or a bool for yes/no variables."""


class Level(enum.IntEnum):
    """Verdict levels, ordered so that a larger level is a worse verdict.

    Examples
    --------
    >>> Level.UNSUPPORTED > Level.UNTESTED > Level.DISCOURAGED > Level.LIMITED > Level.SUPPORTED
    True
    >>> Level.parse("untested").valid
    False
    >>> [level.id for level in Level.valid_levels()]
    ['supported', 'limited', 'discouraged']
    """

    SUPPORTED = 0
    LIMITED = 1
    """Supported with limitations the page lists (e.g. Exchange Online in another tenant)."""
    DISCOURAGED = 2
    UNTESTED = 3
    UNSUPPORTED = 4

    @property
    def id(self) -> str:
        """The level's name as it appears in JSON."""
        return self.name.lower()

    @property
    def valid(self) -> bool:
        """Whether a configuration at this level is valid (supported, limited or discouraged)."""
        return self <= Level.DISCOURAGED

    @classmethod
    def valid_levels(cls) -> tuple[Level, ...]:
        """The valid levels, best first."""
        return tuple(level for level in cls if level.valid)

    @classmethod
    def parse(cls, text: str) -> Level:
        """Return the level named ``text`` (case-insensitive)."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown level {text!r}") from None


@dataclass(frozen=True, slots=True)
class ValueSpec:
    """One value of a variable's domain."""

    id: Value
    """The canonical value."""
    label: str
    """The seed's human label."""
    aliases: tuple[str, ...] = ()
    """Other spellings accepted on input, compared case-insensitively."""


@dataclass(frozen=True, slots=True)
class Variable:
    """A finite-domain setting."""

    name: str
    """The variable's id, e.g. ``email_system``."""
    label: str
    """A human label."""
    description: str
    """One sentence on what the setting means."""
    values: tuple[ValueSpec, ...]
    """The domain, in declared order."""
    is_bool: bool
    """Whether the domain is ``(True, False)``."""
    change_weight: float
    """The default cost of changing this setting (used by ``nearest`` and ``plan``)."""
    weight_reason: str
    """Why the change weight is what it is."""
    beyond: tuple[ValueSpec, ...] = ()
    """Values of the shared vocabulary outside this rule set's cover (not in ``values``)."""

    @property
    def domain(self) -> tuple[Value, ...]:
        """The canonical values, in declared order."""
        return tuple(v.id for v in self.values)

    def label_of(self, value: Value) -> str:
        """Return the human label of ``value``."""
        for spec in self.values:
            if spec.id == value:
                return spec.label
        raise KeyError(value)


@dataclass(frozen=True, slots=True)
class Document:
    """A source document that rules quote."""

    id: str
    title: str
    text: str


Clause = Mapping[str, frozenset[Value]]
"""A conjunction: each variable takes one of the listed values."""

_ALWAYS: Clause = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Source:
    """Where a rule comes from: a document, a section and one or more verbatim quotes.

    A rule that encodes several rows of a table quotes each row (``quotes``, in
    order); ``quote`` is the first. Each quote may carry the settings its row is
    about (``quote_when``, an empty clause for none), so a finding can show the
    row of the configuration at hand.

    Examples
    --------
    >>> one = Source("seed", "Important", "A sentence.")
    >>> one.quotes, one.to_dict()["quotes"]
    (('A sentence.',), ['A sentence.'])
    >>> rows = Source("seed", "Table", "Row A", ("Row A", "Row B"),
    ...               ({"deployment": frozenset({"online"})}, {}))
    >>> rows.quotes_for({"deployment": "online"}), rows.quotes_for({})
    (('Row A', 'Row B'), ('Row A', 'Row B'))
    >>> rows.quotes_for({"deployment": "on-premises"})
    ('Row B',)
    """

    document: str
    section: str
    quote: str
    """The first quote (the only one for most rules)."""
    quotes: tuple[str, ...] = ()
    """Every quote, in order, each verbatim; ``(quote,)`` when not given."""
    quote_when: tuple[Clause, ...] = field(default=(), hash=False)
    """For each quote, the settings it is about; empty clauses when not given (not hashed)."""

    def __post_init__(self) -> None:
        quotes = self.quotes or (self.quote,)
        if quotes[0] != self.quote:
            raise ValueError(f"the first of quotes {quotes!r} is not quote {self.quote!r}")
        when = self.quote_when or tuple(_ALWAYS for _ in quotes)
        if len(when) != len(quotes):
            raise ValueError(f"{len(when)} quote conditions for {len(quotes)} quotes")
        object.__setattr__(self, "quotes", tuple(quotes))
        object.__setattr__(self, "quote_when", tuple(MappingProxyType(dict(c)) for c in when))

    def quotes_for(self, config: Mapping[str, Value]) -> tuple[str, ...]:
        """The quotes about ``config``: those no setting of it contradicts, else all.

        A quote's condition is contradicted when ``config`` sets one of its
        variables to a value it does not list; unset variables contradict nothing.
        """
        fits = tuple(
            quote
            for quote, when in zip(self.quotes, self.quote_when, strict=True)
            if all(name not in config or config[name] in allowed for name, allowed in when.items())
        )
        return fits or self.quotes

    def to_dict(self) -> dict[str, object]:
        """Return the source as JSON-ready data: ``quote`` is the first of ``quotes``."""
        return {
            "document": self.document,
            "section": self.section,
            "quote": self.quote,
            "quotes": list(self.quotes),
        }


def _clause_holds(clause: Clause, config: Mapping[str, Value]) -> bool:
    return all(config[var] in allowed for var, allowed in clause.items())


@dataclass(frozen=True, slots=True)
class Rule:
    """A statement of the page as a constraint.

    A rule is broken when its ``when`` guard holds and its body does not.
    The body is one of four forms:

    - ``require``: every listed variable takes one of its listed values;
    - ``forbid``: not every listed variable takes one of its listed values;
    - ``allowed``: the tuple over ``scope`` is one of ``tuples``;
    - ``forbidden``: the tuple over ``scope`` is none of ``tuples``.
    """

    id: str
    level: Level
    message: str
    source: Source
    when: tuple[Clause, ...]
    """Alternatives (any may hold); empty means the rule always applies."""
    kind: str
    """``require``, ``forbid``, ``allowed`` or ``forbidden``."""
    clause: Clause = field(default_factory=lambda: MappingProxyType({}))
    scope: tuple[str, ...] = ()
    tuples: frozenset[tuple[Value, ...]] = frozenset()

    @property
    def variables(self) -> tuple[str, ...]:
        """Every variable the rule reads, without repeats, in first-mention order."""
        seen: dict[str, None] = {}
        for alt in self.when:
            seen.update(dict.fromkeys(alt))
        seen.update(dict.fromkeys(self.clause))
        seen.update(dict.fromkeys(self.scope))
        return tuple(seen)

    def applies(self, config: Mapping[str, Value]) -> bool:
        """Whether the guard holds for a full configuration."""
        return not self.when or any(_clause_holds(alt, config) for alt in self.when)

    def broken(self, config: Mapping[str, Value]) -> bool:
        """Whether a full configuration breaks the rule.

        This is the reference semantics; solvers compile it to tables.
        """
        if not self.applies(config):
            return False
        if self.kind == "require":
            return not _clause_holds(self.clause, config)
        if self.kind == "forbid":
            return _clause_holds(self.clause, config)
        key = tuple(config[v] for v in self.scope)
        if self.kind == "allowed":
            return key not in self.tuples
        return key in self.tuples


@dataclass(frozen=True, slots=True)
class Advice:
    """Advice the page gives for setups it rules out (e.g. the Email Router)."""

    id: str
    applies_to: frozenset[Level]
    message: str
    sources: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class Model:
    """A validated rule set."""

    name: str
    title: str
    file: str
    """Where the rule set was read from."""
    digest: str
    """A hash of the rule set and its documents; keys caches."""
    variables: tuple[Variable, ...]
    rules: tuple[Rule, ...]
    documents: Mapping[str, Document]
    advice: tuple[Advice, ...] = ()
    edition: str = ""
    """The edition id the rule set models (``[model] edition``); empty for other rule sets."""
    absent: tuple[str, ...] = ()
    """Shared-vocabulary variables this rule set leaves out (its page never has them)."""

    @property
    def names(self) -> tuple[str, ...]:
        """Variable names, in declared order."""
        return tuple(v.name for v in self.variables)

    def variable(self, name: str) -> Variable:
        """Return the variable called ``name``."""
        for var in self.variables:
            if var.name == name:
                return var
        raise KeyError(name)

    def rule(self, rule_id: str) -> Rule:
        """Return the rule with id ``rule_id``."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    @property
    def levels(self) -> tuple[Level, ...]:
        """The verdicts this rule set can give: supported, and the level of each rule.

        Examples
        --------
        >>> from syncscope.model import load_model
        >>> [level.id for level in load_model().levels]
        ['supported', 'discouraged', 'untested', 'unsupported']
        """
        return tuple(sorted({Level.SUPPORTED, *(rule.level for rule in self.rules)}))

    @property
    def size(self) -> int:
        """The number of combinations of all values (the Cartesian product)."""
        total = 1
        for var in self.variables:
            total *= len(var.values)
        return total
