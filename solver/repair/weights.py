"""Change weights: what it costs to change each setting, from the rule set, a file or a mapping."""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Protocol

from syncscope.model import ConfigurationError, InputError, Model, resolve_variable, safejson

__all__ = [
    "UNIFORM",
    "default_weights",
    "exact_weight",
    "load_weights_file",
    "resolve_weights",
    "weight_vector",
    "weights_table",
]


class _HasModel(Protocol):
    @property
    def model(self) -> Model: ...


UNIFORM = "uniform"
"""The spelling that sets every weight to 1."""


MAX_WEIGHT = 10**9
"""The largest change weight: far above any real cost, small enough to add exactly."""
MAX_DECIMALS = 6
"""Decimal places a weight may have, so that every cost sum is exact and bounded."""


def default_weights(model: Model) -> dict[str, float]:
    """The per-variable change weights the rule set declares, in model order.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> weights = default_weights(load_model())
    >>> weights["deployment"], weights["ports"]
    (100.0, 1.0)
    """
    return {v.name: float(v.change_weight) for v in model.variables}


def weights_table(model: Model) -> str:
    """The declared change weights and their reasons as a Markdown table, heaviest first.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> print(weights_table(load_model()).splitlines()[2])
    | `deployment` | 100 | Moving between online and on-premises is a migration project. |
    """
    lines = ["| variable | weight | why |", "|---|---:|---|"]
    ranked = sorted(enumerate(model.variables), key=lambda iv: (-iv[1].change_weight, iv[0]))
    for _, var in ranked:
        weight = var.change_weight
        shown = f"{int(weight)}" if float(weight).is_integer() else f"{weight:g}"
        reason = var.weight_reason.replace("|", "\\|")
        lines.append(f"| `{var.name}` | {shown} | {reason} |")
    return "\n".join(lines)


def resolve_weights(
    model: Model, spec: str | Mapping[str, object] | None = None
) -> dict[str, float]:
    """Turn a weights specification into one weight per variable, in model order.

    Parameters
    ----------
    model : Model
        The rule set whose variables are weighted.
    spec : str, mapping or None
        ``None`` for the rule set's declared weights; ``"uniform"`` for 1 each;
        a path to a ``.toml`` or ``.json`` file of ``{variable: number}``
        (at the top level or under a ``weights`` key), or a mapping of the same,
        overriding the declared weights for the variables it names.

    Returns
    -------
    dict
        Variable name -> non-negative weight, for every variable.

    Raises
    ------
    ConfigurationError
        For an unreadable or malformed file, an unknown variable (with
        did-you-mean), or a weight that is not a non-negative number; the
        message names the variable and the file.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> model = load_model()
    >>> resolve_weights(model, "uniform")["deployment"]
    1.0
    >>> resolve_weights(model, {"Deployment": 7})["deployment"]
    7.0
    >>> try:
    ...     resolve_weights(model, {"deploymnet": 7})
    ... except ConfigurationError as exc:
    ...     print(exc)
    weights: unknown variable 'deploymnet'; did you mean 'deployment'?
    """
    weights = default_weights(model)
    if spec is None:
        return weights
    if isinstance(spec, str):
        if spec.strip().casefold() == UNIFORM:
            return dict.fromkeys(weights, 1.0)
        return _override(model, weights, load_weights_file(spec), spec)
    if isinstance(spec, Mapping):
        return _override(model, weights, spec, "weights")
    raise ConfigurationError(
        f"weights: expected 'uniform', a file name or a mapping, got {type(spec).__name__}"
    )


def exact_weight(raw: object, variable: str, where: str = "weights") -> Fraction:
    """One weight as an exact fraction, as the user wrote it (``0.1`` is exactly 1/10).

    Raises
    ------
    ConfigurationError
        For anything but a finite, non-negative number; the message names the variable.

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
            f"{where}: the weight of {variable} must be a number, got {raw!r}",
            variable=variable,
            value=raw,
        )
    if (isinstance(raw, float) and not math.isfinite(raw)) or raw < 0:
        raise ConfigurationError(
            f"{where}: the weight of {variable} must be a non-negative number, got {raw!r}",
            variable=variable,
            value=raw,
        )
    if raw > MAX_WEIGHT:
        shown = f"{raw:.3g}" if isinstance(raw, float) else f"a {len(str(raw)):,}-digit number"
        raise ConfigurationError(
            f"{where}: the weight of {variable} must be at most {MAX_WEIGHT:,}, got {shown}",
            variable=variable,
        )
    # str() of a float is its shortest round-tripping decimal: what the user typed.
    exact = Fraction(str(raw)) if isinstance(raw, float) else Fraction(raw)
    if (10**MAX_DECIMALS) % exact.denominator:
        raise ConfigurationError(
            f"{where}: the weight of {variable} may have at most {MAX_DECIMALS} decimal places,"
            f" got {raw!r}",
            variable=variable,
            value=raw,
        )
    return exact


def weight_vector(
    space_or_model: Model | _HasModel, weights: Mapping[str, object] | None = None
) -> tuple[Fraction, ...]:
    """One exact change weight per variable, in model order.

    Parameters
    ----------
    space_or_model : Model or Space
        The rule set (or a compiled space of it) whose variables are weighted.
    weights : mapping, optional
        Variable (any accepted spelling) -> non-negative number, overriding the
        declared weights of the variables it names.

    Returns
    -------
    tuple of Fraction
        Exact weights, so that sums of decimal weights compare exactly
        (``0.1 + 0.2 == 0.3``).

    Raises
    ------
    ConfigurationError
        For an unknown variable (with did-you-mean), a variable given twice, or
        a weight that is not a non-negative number.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> model = load_model()
    >>> vector = weight_vector(model, {"ports": 0.1})
    >>> vector[model.names.index("ports")], vector[model.names.index("deployment")]
    (Fraction(1, 10), Fraction(100, 1))
    >>> try:
    ...     weight_vector(model, {"prots": 1})
    ... except ConfigurationError as exc:
    ...     print(exc)
    weights: unknown variable 'prots'; did you mean 'ports'?
    """
    model = space_or_model if isinstance(space_or_model, Model) else space_or_model.model
    where = "weights"
    vector = [exact_weight(v.change_weight, v.name, "change_weight") for v in model.variables]
    if weights is None:
        return tuple(vector)
    if not isinstance(weights, Mapping):
        raise ConfigurationError(
            f"{where}: expected a mapping of variable: weight, got {type(weights).__name__}"
        )
    index = {name: i for i, name in enumerate(model.names)}
    for name, var in _resolved_names(model, weights, where):
        vector[index[var]] = exact_weight(weights[name], var, where)
    return tuple(vector)


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


def load_weights_file(path: str) -> Mapping[str, object]:
    """Read a TOML or JSON weights file: ``{variable: number}``, optionally under ``weights``.

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
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: no such weights file", value=path) from None
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read: {exc.strerror}", value=path) from None
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{path}: not UTF-8 text (byte {exc.start})", value=path) from None
    data: object
    if suffix == ".toml":
        try:
            data = safejson.toml_loads(text, path)
        except InputError as exc:
            raise ConfigurationError(exc.message, value=path, file=path) from None
    else:
        try:
            data = safejson.loads(text, path)
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


def _override(
    model: Model, weights: dict[str, float], given: Mapping[str, object], where: str
) -> dict[str, float]:
    for name, var in _resolved_names(model, given, where):
        weights[var] = float(exact_weight(given[name], var, where))
    return weights
