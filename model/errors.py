"""The error hierarchy shared by the model, the solvers and the CLI."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ConfigurationError",
    "ModelError",
    "NoSolution",
    "SyncscopeError",
]


class SyncscopeError(Exception):
    """Root of every error syncscope raises on purpose."""


class ModelError(SyncscopeError):
    """A rule file is malformed.

    Parameters
    ----------
    file : str
        The file that holds the problem.
    problems : sequence of str
        One message per problem; each names the rule or variable at fault.
    """

    def __init__(self, file: str, problems: Sequence[str]) -> None:
        self.file = file
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [f"{self.file}: {len(self.problems)} problem(s)"]
        lines.extend(f"  - {p}" for p in self.problems)
        return "\n".join(lines)


class ConfigurationError(SyncscopeError):
    """A user-supplied setting names an unknown variable or value.

    Parameters
    ----------
    message : str
        What is wrong, in a sentence.
    variable : str or None
        The variable at fault, when there is one.
    value : object
        The value at fault, when there is one.
    suggestions : sequence of str
        Close matches, best first ("did you mean").
    """

    def __init__(
        self,
        message: str,
        *,
        variable: str | None = None,
        value: object = None,
        suggestions: Sequence[str] = (),
    ) -> None:
        self.message = message
        self.variable = variable
        self.value = value
        self.suggestions: tuple[str, ...] = tuple(suggestions)
        super().__init__(self._render())

    def _render(self) -> str:
        if not self.suggestions:
            return self.message
        options = ", ".join(repr(s) for s in self.suggestions)
        return f"{self.message}; did you mean {options}?"

    def prefixed(self, where: str) -> ConfigurationError:
        """The same error with ``where`` (e.g. ``"row 3: "``) in front of its message.

        Examples
        --------
        >>> error = ConfigurationError("unknown value 'gmial'", variable="email_system",
        ...                            suggestions=["gmail"])
        >>> str(error.prefixed("configuration #2: "))
        "configuration #2: unknown value 'gmial'; did you mean 'gmail'?"
        """
        if not where:
            return self
        return ConfigurationError(
            where + self.message,
            variable=self.variable,
            value=self.value,
            suggestions=self.suggestions,
        )

    def to_dict(self) -> dict[str, object]:
        """Return the error as JSON-ready data."""
        return {
            "error": str(self),
            "variable": self.variable,
            "value": self.value if isinstance(self.value, (str, bool, int, float)) else None,
            "suggestions": list(self.suggestions),
        }


class NoSolution(SyncscopeError):
    """A question has no answer; ``causes`` says why, as data.

    Parameters
    ----------
    message : str
        A one-line summary.
    causes : sequence of object
        The conflicts or rules that make the question unanswerable.
    """

    def __init__(self, message: str, causes: Sequence[object] = ()) -> None:
        self.message = message
        self.causes: tuple[object, ...] = tuple(causes)
        super().__init__(message)
