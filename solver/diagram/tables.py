"""Rules compiled to lookup tables over value indices, the form every solver reads."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from syncscope.model import Level, Model, Rule, Value

from .indices import ValueIndex, VarIndex

__all__ = ["RuleTable", "Tables", "build_tables"]


@dataclass(frozen=True, slots=True)
class RuleTable:
    """One rule as the set of scope tuples that break it."""

    index: int
    """Position of the rule in ``Model.rules``."""
    rule: Rule
    scope: tuple[VarIndex, ...]
    """Variable indices the rule reads, ascending."""
    broken: frozenset[tuple[ValueIndex, ...]]
    """Value-index tuples over ``scope`` that break the rule."""
    level: Level
    """The verdict of a configuration that breaks the rule."""

    def breaks(self, assignment: Sequence[ValueIndex]) -> bool:
        """Whether a full assignment (value index per variable) breaks the rule."""
        return tuple(assignment[v] for v in self.scope) in self.broken

    def surely_broken(self, partial: Mapping[VarIndex, ValueIndex], sizes: Sequence[int]) -> bool:
        """Whether every completion of ``partial`` breaks the rule."""
        choices = [(partial[v],) if v in partial else range(sizes[v]) for v in self.scope]
        return all(t in self.broken for t in itertools.product(*choices))

    def maybe_broken(self, partial: Mapping[VarIndex, ValueIndex], sizes: Sequence[int]) -> bool:
        """Whether some completion of ``partial`` breaks the rule."""
        choices = [(partial[v],) if v in partial else range(sizes[v]) for v in self.scope]
        return any(t in self.broken for t in itertools.product(*choices))


@dataclass(frozen=True, slots=True)
class Tables:
    """A model with every value and rule turned into indices."""

    model: Model
    names: tuple[str, ...]
    domains: tuple[tuple[Value, ...], ...]
    sizes: tuple[int, ...]
    rules: tuple[RuleTable, ...]
    index_of: Mapping[str, VarIndex]
    """Variable name -> index."""
    value_index: tuple[Mapping[Value, ValueIndex], ...]
    """Per variable: canonical value -> index."""

    def encode(self, config: Mapping[str, Value]) -> dict[VarIndex, ValueIndex]:
        """Turn a canonical configuration into ``{variable index: value index}``."""
        return {self.index_of[n]: self.value_index[self.index_of[n]][v] for n, v in config.items()}

    def decode(
        self, assignment: Mapping[VarIndex, ValueIndex] | Sequence[ValueIndex]
    ) -> dict[str, Value]:
        """Turn indices back into a canonical configuration, in model order."""
        items: Iterable[tuple[VarIndex, ValueIndex]] = (
            sorted(assignment.items()) if isinstance(assignment, Mapping) else enumerate(assignment)
        )
        return {self.names[v]: self.domains[v][i] for v, i in items}

    def broken_rules(self, assignment: Sequence[ValueIndex]) -> list[RuleTable]:
        """Every rule a full assignment breaks, in model order."""
        return [t for t in self.rules if t.breaks(assignment)]

    def verdict(self, assignment: Sequence[ValueIndex]) -> Level:
        """The verdict of a full assignment: the worst verdict of the rules it breaks."""
        return max((t.level for t in self.rules if t.breaks(assignment)), default=Level.SUPPORTED)


def build_tables(model: Model) -> Tables:
    """Compile every rule of ``model`` to a table of breaking tuples.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> tables = build_tables(load_model())
    >>> tables.sizes[:2]  # deployment, version
    (2, 3)
    """
    names = model.names
    index_of = {n: i for i, n in enumerate(names)}
    domains = tuple(v.domain for v in model.variables)
    sizes = tuple(len(d) for d in domains)
    value_index = tuple({value: i for i, value in enumerate(d)} for d in domains)
    out = []
    for k, rule in enumerate(model.rules):
        scope = tuple(sorted(index_of[n] for n in rule.variables))
        broken = set()
        for combo in itertools.product(*(range(sizes[v]) for v in scope)):
            config = {names[v]: domains[v][i] for v, i in zip(scope, combo, strict=True)}
            if rule.broken(config):
                broken.add(combo)
        out.append(RuleTable(k, rule, scope, frozenset(broken), rule.level))
    return Tables(model, names, domains, sizes, tuple(out), index_of, value_index)
