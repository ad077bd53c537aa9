"""Small frozen result values shared by several solvers."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from syncscope.model import Level, Rule, Value, format_value

if TYPE_CHECKING:
    from fractions import Fraction

__all__ = ["Change", "Finding", "format_number", "json_number"]


def json_number(x: float | Fraction) -> int | float:
    """A cost or weight as JSON shows it: an integer when whole, else a float.

    Examples
    --------
    >>> from fractions import Fraction
    >>> json_number(3.0), json_number(Fraction(3, 10)), json_number(0.5)
    (3, 0.3, 0.5)
    """
    # No Fraction exists unless its module was imported, so start-up need not import it.
    fractions = sys.modules.get("fractions")
    if fractions is not None and isinstance(x, fractions.Fraction):
        return int(x) if int(x) == x else float(x)
    return int(x) if float(x).is_integer() else float(x)


def format_number(x: float | Fraction | None) -> str:
    """A cost or weight for people: ``3`` for 3.0, ``0.3`` for 3/10, ``—`` for none.

    Floats print as their shortest round-tripping decimal, so no digits are
    lost (``0.123456789`` stays whole) and whole numbers drop the ``.0``.

    Examples
    --------
    >>> from fractions import Fraction
    >>> format_number(3.0), format_number(Fraction(3, 10)), format_number(0.125)
    ('3', '0.3', '0.125')
    >>> format_number(None), format_number(Fraction(1, 3))
    ('—', '0.3333333333333333')
    """
    if x is None:
        return "—"
    number = json_number(x)
    return str(number) if isinstance(number, int) else repr(number)


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule a configuration breaks."""

    rule: Rule

    @property
    def level(self) -> Level:
        """The rule's level."""
        return self.rule.level

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: rule id, level, message and source."""
        return {
            "rule": self.rule.id,
            "level": self.rule.level.id,
            "message": self.rule.message,
            "source": self.rule.source.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Change:
    """One setting changed from one value to another."""

    variable: str
    before: Value | None
    """The value before the change; None when the input left it open."""
    after: Value

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: ``{"variable", "from", "to"}``."""
        return {"variable": self.variable, "from": self.before, "to": self.after}

    def __str__(self) -> str:
        before = "(unset)" if self.before is None else format_value(self.before)
        return f"{self.variable}: {before} -> {format_value(self.after)}"
