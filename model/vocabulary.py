"""Reading user input against the model's vocabulary: names, values and aliases."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

from .errors import ConfigurationError
from .safejson import shown
from .schema import Model, Value, Variable

__all__ = [
    "BOOL_ALIASES",
    "fold_spelling",
    "format_value",
    "merge_assignments",
    "normalize_config",
    "parse_assignment",
    "parse_value",
    "resolve_variable",
]

BOOL_ALIASES: Mapping[bool, tuple[str, ...]] = {
    True: ("true", "yes", "y", "on", "1"),
    False: ("false", "no", "n", "off", "0"),
}
"""Spellings accepted for yes/no variables, in any case."""

_FOLD = re.compile(r"[\s_\-/]+")
_DROP = re.compile(r"[!(),'’\"]|(?<!\d)\.|\.(?!\d)")
"""Punctuation that doesn't tell values apart; a dot between digits (8.2) does."""


def fold_spelling(text: str) -> str:
    """Fold a spelling for comparison: case, punctuation and separators.

    Two spellings name the same value when they fold to the same text.

    Examples
    --------
    >>> fold_spelling("Yahoo! Mail") == fold_spelling("yahoo-mail")
    True
    >>> fold_spelling("Exchange Server 2013 SP1")
    'exchange server 2013 sp1'
    >>> fold_spelling("Outlook.com"), fold_spelling("8.2"), fold_spelling("82")
    ('outlookcom', '8.2', '82')
    """
    return _FOLD.sub(" ", _DROP.sub("", text.casefold())).strip()


_fold = fold_spelling


@functools.lru_cache(maxsize=256)
def _spellings(var: Variable) -> dict[str, Value]:
    table: dict[str, Value] = {}
    for spec in var.values:
        names = [str(spec.id), spec.label, *spec.aliases]
        if var.is_bool:
            names.extend(BOOL_ALIASES[bool(spec.id)])
        for name in names:
            table.setdefault(_fold(name), spec.id)
    return table


def format_value(value: Value) -> str:
    """Return a value as text: ``true``/``false`` for bools, else the id.

    Examples
    --------
    >>> format_value(True), format_value("gmail")
    ('true', 'gmail')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def resolve_variable(model: Model, name: object) -> Variable:
    """Return the variable that ``name`` names, or raise with a did-you-mean.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> resolve_variable(load_model(), "Email-System").name
    'email_system'
    """
    if not isinstance(name, str):
        raise ConfigurationError(f"variable names are text, got {shown(name)}", value=name)
    key = _fold(name).replace(" ", "_")
    for var in model.variables:
        if var.name == key:
            return var
    if key in model.absent:
        raise ConfigurationError(
            f"variable {key!r} is not part of edition {model.edition or model.name!r}: its page"
            f" never speaks of it (editions that have it: {_having(key)})",
            variable=key,
        )
    import difflib

    close = difflib.get_close_matches(key, model.names, n=3, cutoff=0.5)
    raise ConfigurationError(f"unknown variable {name!r}", variable=name, suggestions=close)


def _having(name: str) -> str:
    from .editions import EDITIONS
    from .loader import load_model

    found = [e.id for e in EDITIONS if name in load_model(edition=e.id).names]
    return ", ".join(found) or "none"


def _beyond(var: Variable, folded: str, edition: str) -> Value | None:
    """The value outside the cover that ``folded`` spells, if any."""
    for spec in var.beyond:
        if folded in {_fold(n) for n in (str(spec.id), spec.label, *spec.aliases)}:
            return spec.id
    return None


_FAMILY = re.compile(r"^(?:v|version )?(?P<stem>\d+(?:\.\d+)*)(?:\.?[x*])?$")
"""A release family as typed: ``9``, ``v9``, ``9.x``, ``9.*``, ``version 9`` (folded)."""


def _beyond_family(var: Variable, folded: str) -> tuple[Value, ...]:
    """The values outside the cover of a family spelling such as ``9`` or ``9.x``.

    Only when every value of the family (ids ``9``, ``9.…``) is outside the
    cover: a family that the rule set covers in part is left to the did-you-mean.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> version = load_model().variable("version")
    >>> _beyond_family(version, "9x"), _beyond_family(version, "8")
    (('9.0', '9.1', '9.2'), ())
    """
    match = _FAMILY.match(folded)
    if match is None:
        return ()
    stem = match["stem"]

    def member(value: Value) -> bool:
        text = str(value)
        return text == stem or text.startswith(stem + ".")

    if any(member(v) for v in var.domain):
        return ()
    return tuple(spec.id for spec in var.beyond if member(spec.id))


def _outside(var: Variable, value: Value, edition: str) -> ConfigurationError:
    """Outside the cover: ``value`` and the editions that cover it."""
    from .editions import covering

    which = f"edition {edition!r}" if edition else "this rule set"
    return ConfigurationError(
        f"{var.name}={format_value(value)} is outside the cover of {which}"
        f" (it covers {var.name} {_domain_text(var)}); editions that cover it: "
        + (", ".join(covering(var.name, value)) or "none"),
        variable=var.name,
        value=value,
    )


def _outside_family(
    var: Variable, raw: str, values: tuple[Value, ...], edition: str
) -> ConfigurationError:
    """Outside the cover: a family spelling (``9``), with the editions that cover each member."""
    from .editions import covering

    which = f"edition {edition!r}" if edition else "this rule set"
    each = "; ".join(
        f"{format_value(v)}: {', '.join(covering(var.name, v)) or 'none'}" for v in values
    )
    members = ", ".join(format_value(v) for v in values)
    return ConfigurationError(
        f"{var.name}={raw} ({members}) is outside the cover of {which}"
        f" (it covers {var.name} {_domain_text(var)}); editions that cover it: {each}",
        variable=var.name,
        value=raw,
    )


def parse_value(var: Variable, raw: object, *, edition: str = "") -> Value:
    """Return the canonical value that ``raw`` spells for ``var``.

    Accepts canonical ids, labels and aliases in any case; bools for yes/no
    variables, and yes/no/true/false text.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> model = load_model()
    >>> parse_value(model.variable("email_system"), "Exchange Server 2013 SP1")
    'exchange-2013-sp1'
    >>> parse_value(model.variable("fips_mode"), "YES")
    True
    >>> parse_value(model.variable("version"), 8.2)
    '8.2'
    """
    if isinstance(raw, bool):
        if var.is_bool:
            return raw
        raise ConfigurationError(
            f"{var.name} takes one of {_domain_text(var)}, not a yes/no value {format_value(raw)}",
            variable=var.name,
            value=raw,
        )
    if isinstance(raw, int) and raw.bit_length() > 64:
        raise ConfigurationError(
            f"{var.name} expects {'true or false' if var.is_bool else 'text'}, got {shown(raw)}",
            variable=var.name,
        )
    if isinstance(raw, (int, float)) and str(raw) in var.domain:
        # A JSON number that prints as a canonical id, such as a version 8.2.
        return str(raw)
    if isinstance(raw, (int, float)) and any(str(raw) == s.id for s in var.beyond):
        raise _outside(var, str(raw), edition)
    if isinstance(raw, int) and not var.is_bool:
        family = _beyond_family(var, str(raw))  # a JSON number 9 for the version 9 family
        if family:
            raise _outside_family(var, str(raw), family, edition)
    if not isinstance(raw, str):
        raise ConfigurationError(
            f"{var.name} expects {'true or false' if var.is_bool else 'text'},"
            f" got {_json_kind(raw)}",
            variable=var.name,
            value=raw,
        )
    table = _spellings(var)
    folded = _fold(raw)
    if folded in table:
        return table[folded]
    outside = _beyond(var, folded, edition)
    if outside is not None:
        raise _outside(var, outside, edition)
    family = _beyond_family(var, folded)
    if family:
        raise _outside_family(var, raw, family, edition)
    import difflib

    close = difflib.get_close_matches(folded, list(table), n=5, cutoff=0.6)
    suggestions = list(dict.fromkeys(format_value(table[c]) for c in close))[:3]
    raise ConfigurationError(
        f"unknown value {shown(raw)} for {var.name} (one of {_domain_text(var)})",
        variable=var.name,
        value=raw,
        suggestions=suggestions,
    )


def _json_kind(raw: object) -> str:
    """How a non-text value reads in JSON terms, for error messages."""
    if raw is None:
        return "null"
    if isinstance(raw, (int, float)):
        return f"the number {raw}"
    if isinstance(raw, (list, tuple)):
        return "a JSON array"
    if isinstance(raw, Mapping):
        return "a JSON object"
    return f"a {type(raw).__name__}"


def _domain_text(var: Variable) -> str:
    return ", ".join(format_value(v) for v in var.domain)


def normalize_config(model: Model, config: Mapping[str, object]) -> dict[str, Value]:
    """Return ``config`` with canonical variable names and values, in model order.

    Missing variables stay missing: a partial configuration is allowed.

    Raises
    ------
    ConfigurationError
        For an unknown variable or value, or a variable given twice under
        two spellings.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> normalize_config(load_model(), {"Email System": "Yahoo! Mail", "deployment": "On Premises"})
    {'deployment': 'on-premises', 'email_system': 'yahoo-mail'}
    """
    if not isinstance(config, Mapping):
        raise ConfigurationError(
            f"a configuration is a JSON object of variable: value, got {type(config).__name__}"
        )
    exact = _exact(model)
    found: dict[str, Value] = {}
    spelled: dict[str, str] = {}
    for name, raw in config.items():
        hit = exact.get(name) if isinstance(name, str) else None
        if hit is not None and name not in found and isinstance(raw, (str, bool)):
            canonical = hit.get((type(raw), raw))
            if canonical is not None:  # already canonical: nothing to fold or parse
                found[name] = canonical
                spelled[name] = name
                continue
        var = resolve_variable(model, name)
        if var.name in found:
            raise ConfigurationError(
                f"{var.name} is given twice, as {spelled[var.name]!r} and {name!r}",
                variable=var.name,
            )
        found[var.name] = parse_value(var, raw, edition=model.edition)
        spelled[var.name] = name
    return {n: found[n] for n in model.names if n in found}


_EXACT: dict[str, tuple[Model, dict[str, dict[tuple[type, Value], Value]]]] = {}
"""Per model digest: variable name -> (type, canonical value) -> that value."""


def _exact(model: Model) -> dict[str, dict[tuple[type, Value], Value]]:
    """Canonical names and values of ``model``, for input that needs no folding.

    Keys pair a value with its type, so ``1`` never passes for ``True``.
    """
    hit = _EXACT.get(model.digest)
    if hit is not None and hit[0] is model:
        return hit[1]
    table = {
        var.name: {(type(value), value): value for value in var.domain} for var in model.variables
    }
    if len(_EXACT) >= 64:
        _EXACT.clear()
    _EXACT[model.digest] = (model, table)
    return table


def parse_assignment(model: Model, text: str) -> tuple[str, Value]:
    """Parse ``VAR=VALUE`` as given to ``--set``.

    Examples
    --------
    >>> from syncscope.model import load_model
    >>> parse_assignment(load_model(), "incoming_protocol=POP3")
    ('incoming_protocol', 'pop3')
    """
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise ConfigurationError(f"expected VAR=VALUE, got {text!r}", value=text)
    var = resolve_variable(model, name.strip())
    return var.name, parse_value(var, raw.strip(), edition=model.edition)


def merge_assignments(
    model: Model, assignments: Iterable[str], base: Mapping[str, Value] | None = None
) -> dict[str, Value]:
    """Apply ``VAR=VALUE`` texts over ``base``; later ones win."""
    out = dict(base or {})
    for text in assignments:
        name, value = parse_assignment(model, text)
        out[name] = value
    return {n: out[n] for n in model.names if n in out}
