"""The strongest baselines we could write, each as fast as we could honestly make it.

- ``Cudd``: the seed's rules as one binary decision diagram in CUDD (``dd.cudd``),
  built from the hand-written constraints of ``bench/baseline.py`` (each rule's
  breaking tuples, each variable's values in as few bits as hold them). Count is
  ``count`` of the diagram restricted by ``let``; domains is one conjunction per
  open value of the restricted diagram; check is ``let`` of every bit.
- ``per_value_domains``: python-constraint2 asked one satisfiability question per
  open value (``getSolution``), skipping every value an earlier solution already
  showed possible.
- ``HammingScan``: every valid configuration enumerated once into a numpy array;
  a query sums one cost row per variable (the same change costs as syncscope's)
  over all of them and keeps the minimum.
- ``CpSat``: OR-Tools CP-SAT minimising the weighted number of changes, the rules
  as forbidden assignments, the model built once and copied per query.
- ``memo_batch``: python-constraint2 per row, memoised per distinct row.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import baseline
import numpy as np

__all__ = ["CpSat", "Cudd", "HammingScan", "memo_batch", "per_value_domains", "rules"]

Rule = tuple[tuple[str, ...], Callable[..., bool]]


class _Recorder:
    def __init__(self) -> None:
        self.rules: list[Rule] = []

    def addConstraint(self, fn: Callable[..., bool], names: Sequence[str]) -> None:  # noqa: N802
        self.rules.append((tuple(names), fn))


def rules() -> list[Rule]:
    """The hand-written constraints of ``bench/baseline.py``: (variables, predicate)."""
    recorder = _Recorder()
    baseline._add_rules(recorder)  # type: ignore[arg-type]
    return recorder.rules


def _tuples(names: tuple[str, ...]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = [()]
    for name in names:
        out = [(*t, v) for t in out for v in baseline.DOMAINS[name]]
    return out


class Cudd:
    """The seed as one CUDD diagram (see the module docstring)."""

    def __init__(self) -> None:
        from dd import cudd

        self.bdd = bdd = cudd.BDD()
        self.bits: dict[str, list[str]] = {}
        for name, values in baseline.DOMAINS.items():
            width = max(1, math.ceil(math.log2(len(values))))
            self.bits[name] = [f"{name}_{i}" for i in range(width)]
            bdd.declare(*self.bits[name])
        self.nbits = sum(len(b) for b in self.bits.values())
        self._codes = {
            name: {v: self._code(name, i) for i, v in enumerate(values)}
            for name, values in baseline.DOMAINS.items()
        }
        u = bdd.true
        for name, values in baseline.DOMAINS.items():  # codes beyond the domain are not values
            legal = bdd.false
            for v in values:
                legal |= bdd.cube(self._codes[name][v])
            u &= legal
        for names, fn in rules():
            broken = bdd.false
            for combo in _tuples(names):
                if not fn(*combo):
                    cube: dict[str, bool] = {}
                    for name, v in zip(names, combo, strict=True):
                        cube.update(self._codes[name][v])
                    broken |= bdd.cube(cube)
            u &= ~broken
        self.valid = u
        self._cubes = {
            name: {v: bdd.cube(code) for v, code in codes.items()}
            for name, codes in self._codes.items()
        }

    def _code(self, name: str, index: int) -> dict[str, bool]:
        return {bit: bool(index >> i & 1) for i, bit in enumerate(self.bits[name])}

    def _assign(self, fixed: Mapping[str, Any]) -> dict[str, bool]:
        out: dict[str, bool] = {}
        for name, value in fixed.items():
            out.update(self._codes[name][value])
        return out

    def count(self, fixed: Mapping[str, Any]) -> int:
        """How many valid configurations match ``fixed``."""
        assign = self._assign(fixed)
        return int(self.bdd.count(self.bdd.let(assign, self.valid), nvars=self.nbits - len(assign)))

    def domains(self, fixed: Mapping[str, Any]) -> dict[str, list[Any]]:
        """The values each open variable can still take."""
        bdd = self.bdd
        rest = bdd.let(self._assign(fixed), self.valid)
        false = bdd.false
        return {
            name: [v for v, cube in cubes.items() if rest & cube != false]
            for name, cubes in self._cubes.items()
            if name not in fixed
        }

    def check(self, config: Mapping[str, Any]) -> bool:
        """Whether a full configuration is valid."""
        return self.bdd.let(self._assign(config), self.valid) == self.bdd.true


def per_value_domains(fixed: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Valid domains from one python-constraint2 ``getSolution`` per value not yet seen."""
    seen: dict[str, set[Any]] = {name: set() for name in baseline.DOMAINS}
    first = baseline.build_problem(dict(fixed)).getSolution()
    if first is None:
        return {}
    for name, value in first.items():
        seen[name].add(value)
    for name, values in baseline.DOMAINS.items():
        if name in fixed:
            continue
        for value in values:
            if value in seen[name]:
                continue
            found = baseline.build_problem({**fixed, name: value}).getSolution()
            if found is not None:
                for other, v in found.items():
                    seen[other].add(v)
    return {
        name: [v for v in values if v in seen[name]]
        for name, values in baseline.DOMAINS.items()
        if name not in fixed
    }


Prices = Mapping[str, Mapping[Any, Mapping[Any, float]]]


class HammingScan:
    """Nearest by a numpy scan over every valid configuration, enumerated once."""

    def __init__(self, prices: Prices) -> None:
        self.names = list(baseline.DOMAINS)
        self.index = {n: {v: i for i, v in enumerate(baseline.DOMAINS[n])} for n in self.names}
        solutions = baseline.enumerate_valid()
        self.solutions = np.array(
            [[self.index[n][s[n]] for n in self.names] for s in solutions], dtype=np.int16
        )
        self.costs = [
            np.array([[prices[n][a][b] for b in baseline.DOMAINS[n]] for a in baseline.DOMAINS[n]])
            for n in self.names
        ]

    def nearest(self, config: Mapping[str, Any]) -> tuple[float, np.ndarray]:
        """The minimum cost and the indices of every valid configuration at it."""
        total = np.zeros(len(self.solutions))
        for j, n in enumerate(self.names):
            if n in config:
                total += self.costs[j][self.index[n][config[n]]][self.solutions[:, j]]
        best = total.min()
        return float(best), np.flatnonzero(total <= best + 1e-9)


class CpSat:
    """Nearest by CP-SAT: minimise the weighted changes, rules as forbidden tuples."""

    SCALE = 1000
    """Costs are scaled to whole numbers (CP-SAT's objective is integral)."""

    def __init__(self, prices: Prices) -> None:
        from ortools.sat.python import cp_model

        self.cp_model = cp_model
        self.prices = prices
        self.names = list(baseline.DOMAINS)
        self.index = {n: {v: i for i, v in enumerate(baseline.DOMAINS[n])} for n in self.names}
        base = cp_model.CpModel()
        self.vars = {n: base.NewIntVar(0, len(baseline.DOMAINS[n]) - 1, n) for n in self.names}
        for names, fn in rules():
            broken = [
                [self.index[n][v] for n, v in zip(names, combo, strict=True)]
                for combo in _tuples(names)
                if not fn(*combo)
            ]
            if broken:
                base.AddForbiddenAssignments([self.vars[n] for n in names], broken)
        self.base = base

    def nearest(self, config: Mapping[str, Any]) -> float:
        """The minimum weighted cost of a valid configuration."""
        cp_model = self.cp_model
        model = self.base.clone()
        terms = []
        for n, value in config.items():
            row = [round(self.prices[n][value][b] * self.SCALE) for b in baseline.DOMAINS[n]]
            cost = model.NewIntVar(0, max(row), f"cost_{n}")
            model.AddElement(model.GetIntVarFromProtoIndex(self.vars[n].Index()), row, cost)
            terms.append(cost)
        model.Minimize(sum(terms))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        status = solver.Solve(model)
        assert status == cp_model.OPTIMAL, status
        return solver.ObjectiveValue() / self.SCALE


def memo_batch(rows: Sequence[Mapping[str, Any]]) -> list[bool]:
    """Valid or not for each row: python-constraint2, once per distinct row."""
    memo: dict[tuple[Any, ...], bool] = {}
    out = []
    for row in rows:
        key = tuple(row.values())
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = baseline.build_problem(dict(row)).getSolution() is not None
        out.append(hit)
    return out
