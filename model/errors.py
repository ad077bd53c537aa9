"""The error tree shared by the model, the solvers, the API and the CLI.

``SyncscopeError`` is the root. ``InputError`` is bad input (a setting, a file,
a row), ``ModelError`` a bad rule file. ``NoSolution`` (a question with no
answer) carries a solver ``Conflict``, so it lives beside that class, in
``syncscope.solver.explain.conflicts``: the model never imports the solver.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ConfigurationError",
    "InputError",
    "ModelError",
    "SyncscopeError",
    "UnreadableInput",
    "UnwritableOutput",
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


class InputError(SyncscopeError):
    """Bad input from the user: a setting, a file, a row, an option.

    Every field but ``message`` is optional; the ones given name where the
    problem is, so that a script can act on it without parsing the text.

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
    file : str or None
        The file (or ``<stdin>``) the input came from, when there is one.
    row : int or None
        The 1-based row or line of that file, when there is one.

    Examples
    --------
    >>> error = InputError("unknown value 'gmial'", variable="email_system",
    ...                    value="gmial", suggestions=["gmail"])
    >>> str(error)
    "unknown value 'gmial'; did you mean 'gmail'?"
    >>> error.to_dict()["suggestions"]
    ['gmail']
    """

    def __init__(
        self,
        message: str,
        *,
        variable: str | None = None,
        value: object = None,
        suggestions: Sequence[str] = (),
        file: str | None = None,
        row: int | None = None,
    ) -> None:
        self.message = message
        self.variable = variable
        self.value = value
        self.suggestions: tuple[str, ...] = tuple(suggestions)
        self.file = file
        self.row = row
        super().__init__(self._render())

    def _render(self) -> str:
        if not self.suggestions:
            return self.message
        options = ", ".join(repr(s) for s in self.suggestions)
        return f"{self.message}; did you mean {options}?"

    def prefixed(self, where: str) -> InputError:
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
        return type(self)(
            where + self.message,
            variable=self.variable,
            value=self.value,
            suggestions=self.suggestions,
            file=self.file,
            row=self.row,
        )

    def to_dict(self) -> dict[str, object]:
        """Return the error as JSON-ready data (``file`` and ``row`` only when known)."""
        data: dict[str, object] = {
            "error": str(self),
            "variable": self.variable,
            "value": self.value if _printable(self.value) else None,
            "suggestions": list(self.suggestions),
        }
        if self.file is not None:
            data["file"] = self.file
        if self.row is not None:
            data["row"] = self.row
        return data


def _printable(value: object) -> bool:
    """Whether ``value`` goes into JSON as it is: text, yes/no or a number of sane size."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() <= 64
    return isinstance(value, (str, bool, float))


class ConfigurationError(InputError):
    """A user-supplied setting names an unknown variable or value, or one out of scope."""


class UnreadableInput(InputError):
    """An input can't be read at all (missing file, not a regular file, no header...).

    A bad row never raises: it becomes an ``error`` row and the run goes on.
    This error is for inputs where no row can be trusted.

    Examples
    --------
    >>> str(UnreadableInput("inventory.csv: cannot read: No such file or directory"))
    'inventory.csv: cannot read: No such file or directory'
    """


class UnwritableOutput(InputError):
    """An output the user named can't be written (missing folder, no permission, full disk...).

    Examples
    --------
    >>> str(UnwritableOutput("out/rows.csv: cannot write: the folder 'out' does not exist"))
    "out/rows.csv: cannot write: the folder 'out' does not exist"
    """


for _name in __all__:
    globals()[_name].__module__ = "syncscope.errors"  # where users import them from
