"""Small frozen result values shared by several solvers."""

from __future__ import annotations

from dataclasses import dataclass

from syncscope.model import Level, Rule, Value, format_value

__all__ = ["Change", "Finding"]


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
