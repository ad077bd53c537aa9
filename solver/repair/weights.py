"""Change costs: what changing each setting from one value to another costs, as one value object.

The defaults come from the rule set's cost table (:mod:`syncscope.model.costs`, where a
variable's cost may depend on the pair of values), falling back to each variable's
``change_weight``. ``--weights`` overrides them with ``uniform``, a file or a mapping.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Protocol

from syncscope.model import (
    ConfigurationError,
    InputError,
    Model,
    Value,
    format_value,
    parse_value,
    resolve_variable,
    safejson,
)
from syncscope.model.costs import DEFAULT_KEY, PAIR_ARROW, costs_for
from syncscope.model.encodings import decode_text
from syncscope.model.loader import MAX_WEIGHT

__all__ = [
    "MAX_DECIMALS",
    "MAX_WEIGHT",
    "UNIFORM",
    "Weights",
    "default_weights",
    "exact_weight",
    "load_weights_file",
    "resolve_weights",
]


class _HasModel(Protocol):
    @property
    def model(self) -> Model: ...


UNIFORM = "uniform"
"""The spelling that sets every change to cost 1."""

MAX_DECIMALS = 6
"""Decimal places a weight may have, so that every cost sum is exact and bounded."""

Matrix = tuple[tuple[Fraction, ...], ...]
"""Per variable: ``matrix[before][after]``, the cost of one change (0 on the diagonal)."""


@dataclass(frozen=True, slots=True)
class Weights:
    """What each change costs, exactly and as whole numbers over one common denominator.

    Build one with :meth:`of` (the rule set's defaults, optionally overridden).
    Every solver that sums costs uses :attr:`units`, so equally cheap answers
    tie exactly whatever decimals the weights have (0.1 + 0.2 ties with 0.3).

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> model = load_model()
    >>> w = Weights.of(model, {"ports": 0.1})
    >>> p = model.names.index("ports")
    >>> w.exact[p][0][1], w.units[p][0][1], w.scale
    (Fraction(1, 10), 1, 10)
    >>> e = model.names.index("email_system")
    >>> d = model.variable("email_system").domain
    >>> sp1 = w.exact[e][d.index("exchange-2013")][d.index("exchange-2013-sp1")]
    >>> exo = w.exact[e][d.index("exchange-2013")][d.index("exchange-online")]
    >>> sp1 < exo
    True
    """

    names: tuple[str, ...]
    """The variables, in model order."""
    exact: tuple[Matrix, ...]
    """Per variable, ``exact[v][before][after]``: the cost of that change as a fraction."""
    units: tuple[tuple[tuple[int, ...], ...], ...]
    """The same costs as whole numbers: ``exact * scale``."""
    scale: int
    """The common denominator of every cost (the least common multiple)."""
    least: tuple[tuple[tuple[int, ...], ...], ...]
    """Per variable, the cheapest chain of changes from one value to another, in units:
    a lower bound on what reaching ``after`` from ``before`` costs, in one step or many."""

    @classmethod
    def of(
        cls,
        space_or_model: Model | _HasModel,
        overrides: Weights | str | Mapping[str, object] | None = None,
    ) -> Weights:
        """The rule set's change costs, with ``overrides`` applied.

        Parameters
        ----------
        space_or_model : Model or Space
            The rule set (or a compiled space of it).
        overrides : Weights, str, mapping or None
            ``None`` for the defaults; ``"uniform"`` for 1 per change; a path to a
            ``.toml``/``.json`` file, or a mapping, of ``variable: number`` (every
            change of the variable) or ``variable: {"A -> B": number, "default":
            number}`` (one change, or every change not named); a :class:`Weights`
            is returned as it is.

        Raises
        ------
        ConfigurationError
            For an unknown variable or value (with did-you-mean), a variable given
            twice, or a weight that is not a bounded, non-negative number.
        """
        if isinstance(overrides, Weights):
            return overrides
        model = space_or_model if isinstance(space_or_model, Model) else space_or_model.model
        if isinstance(overrides, str):
            if overrides.strip().casefold() == UNIFORM:
                return cls.uniform(model)
            return cls._build(model, load_weights_file(overrides), overrides)
        if overrides is None:
            return _kept(model, "default", lambda: cls._build(model, None, "weights"))
        return cls._build(model, overrides, "weights")

    @classmethod
    def _build(cls, model: Model, overrides: object, where: str) -> Weights:
        matrices = [list(map(list, m)) for m in _defaults(model)]
        if overrides is not None:
            if not isinstance(overrides, Mapping):
                raise ConfigurationError(
                    "weights: expected 'uniform', a file name or a mapping,"
                    f" got {type(overrides).__name__}"
                )
            index = {name: i for i, name in enumerate(model.names)}
            for given, name in _resolved_names(model, overrides, where):
                _override(model, matrices[index[name]], name, overrides[given], where)
        return cls.from_matrices(model.names, [tuple(map(tuple, m)) for m in matrices])

    @classmethod
    def uniform(cls, model: Model) -> Weights:
        """Every change costs 1: the cost of a plan or fix is its number of changes."""
        one = Fraction(1)
        return _kept(
            model,
            UNIFORM,
            lambda: cls.from_matrices(
                model.names, [_flat(len(v.values), one) for v in model.variables]
            ),
        )

    @classmethod
    def from_matrices(cls, names: Sequence[str], exact: Sequence[Matrix]) -> Weights:
        """Weights from exact per-pair costs; scales them and works out the cheapest chains."""
        dens = [c.denominator for m in exact for row in m for c in row]
        scale = math.lcm(*dens) if dens else 1
        units = tuple(
            tuple(tuple(c.numerator * (scale // c.denominator) for c in row) for row in m)
            for m in exact
        )
        return cls(tuple(names), tuple(exact), units, scale, tuple(map(_closure, units)))

    def real(self, units: int) -> float:
        """A whole-number cost back in the weights' own units, correctly rounded."""
        return units / self.scale

    def cost(self, before: Sequence[int], after: Sequence[int]) -> int:
        """The cost, in units, of changing configuration ``before`` into ``after`` in one go."""
        units = self.units
        return sum(units[v][a][b] for v, (a, b) in enumerate(zip(before, after, strict=True)))

    def default(self, name: str) -> float:
        """The most common cost of changing ``name`` (its cost outside the listed pairs)."""
        matrix = self.exact[self.names.index(name)]
        off = [c for i, row in enumerate(matrix) for j, c in enumerate(row) if i != j]
        if not off:
            return 0.0
        return float(max(set(off), key=lambda c: (off.count(c), -c)))


def _flat(size: int, weight: Fraction) -> Matrix:
    zero = Fraction(0)
    return tuple(tuple(zero if i == j else weight for j in range(size)) for i in range(size))


def _closure(matrix: tuple[tuple[int, ...], ...]) -> tuple[tuple[int, ...], ...]:
    """Cheapest chains between every two values (Floyd-Warshall; domains are small)."""
    d = [list(row) for row in matrix]
    n = len(d)
    for k in range(n):
        dk = d[k]
        for i in range(n):
            dik = d[i][k]
            di = d[i]
            for j in range(n):
                if dik + dk[j] < di[j]:
                    di[j] = dik + dk[j]
    return tuple(map(tuple, d))


_cache: dict[str, tuple[Matrix, ...]] = {}
_built: dict[tuple[str, str], Weights] = {}
_KEPT = 8
"""How many built weights are kept, oldest out first (two kinds per rule set)."""
_lock = threading.Lock()


def _kept(model: Model, kind: str, build: Callable[[], Weights]) -> Weights:
    """The weights of one kind (defaults, uniform) for a rule set, built once per rule set."""
    key = (model.digest, kind)
    hit = _built.get(key)
    if hit is None:
        made = build()
        with _lock:
            hit = _built.setdefault(key, made)
            while len(_built) > _KEPT:
                _built.pop(next(iter(_built)))
    return hit


def _defaults(model: Model) -> tuple[Matrix, ...]:
    """The default cost matrices of a rule set: its cost table, else each ``change_weight``."""
    hit = _cache.get(model.digest)
    if hit is not None:
        return hit
    table = costs_for(model)
    out = []
    for var in model.variables:
        base = exact_weight(var.change_weight, var.name, "change_weight")
        entry = table.get(var.name)
        if entry is None:
            out.append(_flat(len(var.values), base))
            continue
        domain = var.domain
        fallback = base if entry.cost is None else entry.cost
        out.append(
            tuple(
                tuple(
                    Fraction(0) if a == b else entry.pair_cost(domain[a], domain[b], fallback)
                    for b in range(len(domain))
                )
                for a in range(len(domain))
            )
        )
    found = tuple(out)
    _cache[model.digest] = found
    return found


def default_weights(model: Model) -> dict[str, float]:
    """The most common cost of changing each variable under the defaults, in model order.

    A variable whose cost depends on the values (see :mod:`syncscope.model.costs`)
    shows its cost outside the listed pairs.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> weights = default_weights(load_model())
    >>> weights["fips_mode"] > weights["email_system"] > weights["ports"]
    True
    """
    w = Weights.of(model)
    return {name: w.default(name) for name in model.names}


def resolve_weights(
    model: Model, spec: Weights | str | Mapping[str, object] | None = None
) -> Weights:
    """Turn a weights specification into :class:`Weights` (see :meth:`Weights.of`).

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> model = load_model()
    >>> resolve_weights(model, "uniform").default("deployment")
    1.0
    >>> resolve_weights(model, {"Deployment": 7}).default("deployment")
    7.0
    >>> try:
    ...     resolve_weights(model, {"deploymnet": 7})
    ... except ConfigurationError as exc:
    ...     print(exc)
    weights: unknown variable 'deploymnet'; did you mean 'deployment'?
    """
    return Weights.of(model, spec)


def exact_weight(raw: object, variable: str, where: str = "weights") -> Fraction:
    """One weight as an exact fraction, as the user wrote it (``0.1`` is exactly 1/10).

    Raises
    ------
    ConfigurationError
        For anything but a finite, non-negative number of at most ``MAX_WEIGHT`` with at
        most ``MAX_DECIMALS`` decimal places; the message names the variable.

    Examples
    --------
    >>> exact_weight(0.1, "ports") + exact_weight(0.2, "ports") == exact_weight(0.3, "ports")
    True
    >>> try:
    ...     exact_weight(-1, "ports")
    ... except ConfigurationError as exc:
    ...     print(exc)
    weights: the weight of ports must be a non-negative number, got -1
    """
    if isinstance(raw, bool) or not isinstance(raw, (int, float, Fraction)):
        raise ConfigurationError(
            f"{where}: the weight of {variable} must be a number, got {safejson.shown(raw)}",
            variable=variable,
            value=raw,
        )
    if (isinstance(raw, float) and not math.isfinite(raw)) or raw < 0:
        raise ConfigurationError(
            f"{where}: the weight of {variable} must be a non-negative number,"
            f" got {safejson.shown(raw)}",
            variable=variable,
            value=raw,
        )
    if raw > MAX_WEIGHT:
        big = f"{raw:.3g}" if isinstance(raw, float) else safejson.shown(raw)
        raise ConfigurationError(
            f"{where}: the weight of {variable} must be at most {MAX_WEIGHT:,}, got {big}",
            variable=variable,
        )
    # str() of a float is its shortest round-tripping decimal: what the user typed.
    exact = Fraction(str(raw)) if isinstance(raw, float) else Fraction(raw)
    if (10**MAX_DECIMALS) % exact.denominator:
        raise ConfigurationError(
            f"{where}: the weight of {variable} may have at most {MAX_DECIMALS} decimal places,"
            f" got {safejson.shown(raw)}",
            variable=variable,
            value=raw,
        )
    return exact


def _override(
    model: Model, matrix: list[list[Fraction]], name: str, raw: object, where: str
) -> None:
    """Apply one variable's override: a number for every change, or a table of pairs."""
    n = len(matrix)
    if not isinstance(raw, Mapping):
        weight = exact_weight(raw, name, where)
        for a in range(n):
            for b in range(n):
                if a != b:
                    matrix[a][b] = weight
        return
    var = model.variable(name)
    domain = var.domain
    pairs: dict[tuple[int, int], Fraction] = {}
    for key, value in raw.items():
        if key == DEFAULT_KEY:
            weight = exact_weight(value, name, where)
            for a in range(n):
                for b in range(n):
                    if a != b:
                        matrix[a][b] = weight
            continue
        if not isinstance(key, str) or PAIR_ARROW not in key:
            raise ConfigurationError(
                f"{where}: {name}: expected '{DEFAULT_KEY}' or 'FROM {PAIR_ARROW} TO', got {key!r}",
                variable=name,
                value=key,
            )
        left, right = (part.strip() for part in key.split(PAIR_ARROW, 1))
        try:
            a, b = domain.index(parse_value(var, left)), domain.index(parse_value(var, right))
        except ConfigurationError as exc:
            raise ConfigurationError(
                f"{where}: {name} {key!r}: {exc.message}",
                variable=name,
                value=exc.value,
                suggestions=exc.suggestions,
            ) from None
        if a == b:
            raise ConfigurationError(
                f"{where}: {name} {key!r}: a change needs two different values", variable=name
            )
        pairs[(a, b)] = exact_weight(value, f"{name} {key}", where)
    for (a, b), weight in pairs.items():  # pairs win over the variable's default
        matrix[a][b] = weight


def _resolved_names(model: Model, given: Mapping[str, object], where: str) -> list[tuple[str, str]]:
    """``(given name, canonical variable)`` pairs; errors for unknown or repeated variables."""
    seen: dict[str, str] = {}
    out = []
    for name in given:
        if not isinstance(name, str):
            raise ConfigurationError(f"{where}: expected a variable name, got {name!r}")
        try:
            var = resolve_variable(model, name)
        except ConfigurationError as exc:
            raise ConfigurationError(
                f"{where}: {exc.message}", variable=exc.variable, suggestions=exc.suggestions
            ) from None
        if var.name in seen:
            raise ConfigurationError(
                f"{where}: {var.name} is given twice, as {seen[var.name]!r} and {name!r}",
                variable=var.name,
            )
        seen[var.name] = name
        out.append((name, var.name))
    return out


_WORKBOOK_ADVICE = "weights are a TOML or JSON table of variable = cost (docs/repair.md)"


def load_weights_file(path: str) -> Mapping[str, object]:
    """Read a TOML or JSON weights file: ``{variable: number or pairs}``, maybe under ``weights``.

    Raises
    ------
    ConfigurationError
        When the file can't be read or parsed, or isn't a table of weights.
    """
    file = Path(path)
    suffix = file.suffix.casefold()
    if file.exists() and not file.is_file():
        raise ConfigurationError(f"{path}: not a regular file", value=path, file=path)
    if suffix not in (".toml", ".json"):
        raise ConfigurationError(
            f"weights: expected 'uniform' or a .toml or .json file, got {path!r}", value=path
        )
    try:
        # UTF-8, or UTF-16/32 with or without a byte-order mark; a workbook named as such
        text = decode_text(file.read_bytes(), path, _WORKBOOK_ADVICE)
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: no such weights file", value=path) from None
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read: {exc.strerror}", value=path) from None
    except InputError as exc:
        raise ConfigurationError(exc.message, value=path, file=path) from None
    data: object
    try:
        data = safejson.toml_loads(text, path) if suffix == ".toml" else safejson.loads(text, path)
    except InputError as exc:
        raise ConfigurationError(exc.message, value=path, file=path) from None
    if not isinstance(data, dict):
        raise ConfigurationError(
            f"{path}: expected a table of variable = weight, got {type(data).__name__}",
            value=path,
        )
    if "weights" in data:
        inner = data["weights"]
        extra = sorted(k for k in data if k != "weights")
        if not isinstance(inner, dict):
            raise ConfigurationError(
                f"{path}: 'weights' must be a table of variable = weight", value=path
            )
        if extra:
            raise ConfigurationError(
                f"{path}: unexpected top-level key {extra[0]!r} next to 'weights'", value=path
            )
        data = inner
    return data


def pair_text(before: Value, after: Value) -> str:
    """A change as ``--weights`` spells it: ``"exchange-2013 -> exchange-2013-sp1"``.

    Examples
    --------
    >>> pair_text("exchange-2013", "exchange-2013-sp1")
    'exchange-2013 -> exchange-2013-sp1'
    >>> pair_text(True, False)
    'true -> false'
    """
    return f"{format_value(before)} {PAIR_ARROW} {format_value(after)}"
