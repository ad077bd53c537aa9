"""The one error tree of syncscope, as the public API raises it.

======================  ==================================================
error                   raised for
======================  ==================================================
``SyncscopeError``      the root: every error syncscope raises on purpose
``InputError``          bad input: a setting, a file, a row, an option
``ConfigurationError``  an unknown or out-of-scope variable or value
``UnreadableInput``     an input that can't be read at all
``UnwritableOutput``    an output that can't be written
``ModelError``          a malformed rule file (file and rule)
``NoSolution``          a question with no answer, with its ``conflict``
======================  ==================================================

Examples
--------
>>> import syncscope
>>> try:
...     syncscope.check({"email_system": "gmial"})
... except syncscope.InputError as error:
...     print(error.variable, error.suggestions)
email_system ('gmail',)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from syncscope.model.errors import (
    ConfigurationError,
    InputError,
    ModelError,
    SyncscopeError,
    UnreadableInput,
    UnwritableOutput,
)

if TYPE_CHECKING:
    from syncscope.solver.explain.conflicts import NoSolution

__all__ = [
    "ConfigurationError",
    "InputError",
    "ModelError",
    "NoSolution",
    "SyncscopeError",
    "UnreadableInput",
    "UnwritableOutput",
]


def __getattr__(name: str) -> Any:
    # NoSolution lives beside the Conflict it carries; importing the solver only
    # when it is asked for keeps ``import syncscope`` fast.
    if name == "NoSolution":
        from syncscope.solver.explain.conflicts import NoSolution

        globals()[name] = NoSolution
        return NoSolution
    raise AttributeError(f"module 'syncscope.errors' has no attribute {name!r}")
