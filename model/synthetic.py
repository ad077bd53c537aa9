"""Random rule sets of any size, for tests against brute force and for scaling benchmarks."""

from __future__ import annotations

import hashlib
import random
from types import MappingProxyType

from .schema import Clause, Document, Level, Model, Rule, Source, Value, ValueSpec, Variable

__all__ = ["random_model"]

_LEVELS = (*(Level.UNSUPPORTED,) * 6, Level.UNTESTED, Level.DISCOURAGED, Level.DISCOURAGED)


def random_model(
    n_vars: int,
    *,
    seed: int = 0,
    domain: tuple[int, int] = (2, 4),
    n_rules: int | None = None,
    scope: tuple[int, int] = (1, 3),
    window: int = 4,
) -> Model:
    """Return a random, satisfiable model of ``n_vars`` variables.

    A hidden configuration is drawn first and no blocking rule may break it,
    so the model always has a valid configuration. Each rule reads a few
    variables that lie within ``window`` of each other in declared order, the
    way real settings cluster. The same arguments always give the same model.

    Parameters
    ----------
    n_vars : int
        Number of variables.
    seed : int
        Seed of the generator.
    domain : (int, int)
        Smallest and largest domain size.
    n_rules : int, optional
        Number of rules; ``n_vars`` by default.
    scope : (int, int)
        Smallest and largest number of variables a rule reads.
    window : int
        How far apart in declared order a rule's variables may lie.

    Examples
    --------
    >>> model = random_model(6, seed=1)
    >>> len(model.variables), model.size > 1
    (6, True)
    """
    return _generate(n_vars, seed, domain, n_rules or n_vars, scope, window)


def _generate(
    n_vars: int,
    seed: int,
    domain: tuple[int, int],
    n_rules: int,
    scope: tuple[int, int],
    window: int,
) -> Model:
    rng = random.Random(seed)
    variables = []
    for i in range(n_vars):
        size = rng.randint(*domain)
        values = tuple(ValueSpec(f"v{j}", f"Value {j}") for j in range(size))
        variables.append(
            Variable(f"x{i}", f"Setting {i}", "", values, False, float(rng.randint(1, 5)), "random")
        )
    hidden = {v.name: rng.choice(v.domain) for v in variables}
    rules = []
    quotes = []
    for k in range(n_rules):
        width = rng.randint(*scope)
        start = rng.randrange(n_vars)
        pool = list(range(max(0, start - window), min(n_vars, start + window + 1)))
        chosen = sorted(rng.sample(pool, min(width, len(pool))))
        quote = f"Synthetic statement {k}."
        quotes.append(quote)
        while True:
            rule = _random_rule(rng, k, [variables[i] for i in chosen], quote)
            if rule.level.valid or not rule.broken(hidden):
                break
        rules.append(rule)
    text = "\n".join(quotes)
    digest = hashlib.sha256(
        f"synthetic:{n_vars}:{seed}:{domain}:{n_rules}:{scope}:{window}".encode()
    )
    return Model(
        name=f"synthetic-{n_vars}-{seed}",
        title="Synthetic model",
        file="<synthetic>",
        digest=digest.hexdigest(),
        variables=tuple(variables),
        rules=tuple(rules),
        documents=MappingProxyType({"synthetic": Document("synthetic", "Synthetic", text)}),
    )


def _some(rng: random.Random, var: Variable) -> frozenset[Value]:
    k = rng.randint(1, max(1, len(var.values) - 1))
    return frozenset(rng.sample(list(var.domain), k))


def _random_rule(rng: random.Random, k: int, scope: list[Variable], quote: str) -> Rule:
    level = rng.choice(_LEVELS)
    source = Source("synthetic", "Synthetic", quote)
    head, body = (scope[:1], scope[1:]) if len(scope) > 1 and rng.random() < 0.6 else ([], scope)
    when: tuple[Clause, ...] = ()
    if head:
        when = (MappingProxyType({v.name: _some(rng, v) for v in head}),)
    kind = rng.choice(("require", "forbid", "allowed", "forbidden"))
    if kind in ("require", "forbid"):
        clause = MappingProxyType({v.name: _some(rng, v) for v in body})
        return Rule(f"r{k}", level, f"Synthetic rule {k}.", source, when, kind, clause=clause)
    names = tuple(v.name for v in body)
    combos: list[tuple[Value, ...]] = [()]
    for v in body:
        combos = [(*c, x) for c in combos for x in v.domain]
    picked = frozenset(rng.sample(combos, max(1, len(combos) // 2)))
    return Rule(
        f"r{k}", level, f"Synthetic rule {k}.", source, when, kind, scope=names, tuples=picked
    )
