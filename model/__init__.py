"""The rule set: the seed page as typed, validated, declarative data."""

from __future__ import annotations

from .errors import (
    ConfigurationError,
    InputError,
    ModelError,
    SyncscopeError,
    UnreadableInput,
    UnwritableOutput,
)
from .loader import builtin_path, fold_whitespace, load_model
from .schema import Advice, Document, Level, Model, Rule, Source, Value, ValueSpec, Variable
from .vocabulary import (
    format_value,
    merge_assignments,
    normalize_config,
    parse_assignment,
    parse_value,
    resolve_variable,
)

__all__ = [
    "Advice",
    "ConfigurationError",
    "Document",
    "InputError",
    "Level",
    "Model",
    "ModelError",
    "Rule",
    "Source",
    "SyncscopeError",
    "UnreadableInput",
    "UnwritableOutput",
    "Value",
    "ValueSpec",
    "Variable",
    "builtin_path",
    "fold_whitespace",
    "format_value",
    "load_model",
    "merge_assignments",
    "normalize_config",
    "parse_assignment",
    "parse_value",
    "resolve_variable",
]
