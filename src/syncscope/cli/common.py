"""Option bundles, input reading, error reporting and output helpers shared by subcommands."""

from __future__ import annotations

import functools
import stat
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn, Protocol, TypeVar

import click

from syncscope.errors import ConfigurationError, InputError, ModelError
from syncscope.model import (
    Level,
    Model,
    Value,
    format_value,
    load_model,
    merge_assignments,
    normalize_config,
    parse_assignment,
    safejson,
)

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INVALID",
    "EXIT_OK",
    "InputError",
    "complete_assignment",
    "config_options",
    "emit_json",
    "fail",
    "fail_on_option",
    "handle_errors",
    "json_option",
    "model_from",
    "quiet_option",
    "read_configs",
    "read_json_file",
    "run_configs",
    "set_option",
]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_BAD_INPUT = 2

F = TypeVar("F", bound=Callable[..., Any])


class _Result(Protocol):
    def to_dict(self) -> dict[str, object]: ...


R = TypeVar("R", bound=_Result)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Turn syncscope's own errors into a clear message and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (InputError, ModelError) as exc:
            fail(str(exc))
        except BrokenPipeError:
            sys.exit(EXIT_OK)

    return wrapper  # type: ignore[return-value]


def _completion_model(ctx: click.Context) -> Model:
    """The model for shell completion, where the group's callback has not run."""
    root = ctx.find_root()
    path = (root.obj or {}).get("model_path") or root.params.get("model_path")
    return load_model(path)


def complete_assignment(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Complete ``VAR=`` from the model's variables, then ``VAR=VALUE`` from its values."""
    from click.shell_completion import CompletionItem

    try:
        model = _completion_model(ctx)
    except (InputError, ModelError):
        return []
    name, sep, typed = incomplete.partition("=")
    if not sep:
        return [
            CompletionItem(f"{var.name}=", help=var.label)
            for var in model.variables
            if var.name.startswith(name.lower())
        ]
    try:
        var = model.variable(name)
    except (KeyError, ConfigurationError):
        return []
    return [
        CompletionItem(f"{var.name}={format_value(spec.id)}", help=spec.label)
        for spec in var.values
        if format_value(spec.id).startswith(typed.lower())
    ]


def _no_conflicting_sets(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    """Refuse one variable set twice to different values, in any spelling.

    The same value twice is fine. A setting that doesn't parse is left for
    the command to report, with its did-you-mean.
    """
    if len(value) < 2 or ctx.resilient_parsing:
        return value
    try:
        model = model_from(ctx)
    except (InputError, ModelError):
        return value
    seen: dict[str, tuple[Value, str]] = {}
    for text in value:
        try:
            name, parsed = parse_assignment(model, text)
        except ConfigurationError:
            continue
        if name in seen and seen[name][0] != parsed:
            first, first_text = seen[name]
            fail(
                f"--set gives {name} two values: {format_value(first)} ({first_text!r})"
                f" and {format_value(parsed)} ({text!r}); give one"
            )
        seen.setdefault(name, (parsed, text))
    return value


def set_option(func: F) -> F:
    """``--set VAR=VALUE``, repeatable; one variable set to two values is an error."""
    return click.option(
        "--set",
        "sets",
        multiple=True,
        metavar="VAR=VALUE",
        callback=_no_conflicting_sets,
        shell_complete=complete_assignment,
        help="Fix a variable (repeatable). Values accept ids, labels and aliases.",
    )(func)


FAIL_ON_DEFAULT = Level.UNTESTED
"""The verdict from which ``check`` and ``explain`` exit 1 unless ``--fail-on`` says otherwise."""


def _parse_fail_on(ctx: click.Context, param: click.Parameter, value: str | None) -> Level:
    return FAIL_ON_DEFAULT if value is None else Level.parse(value)


def fail_on_option(func: F) -> F:
    """``--fail-on LEVEL``: the verdict from which the command exits 1 (``untested`` by default)."""
    names = [level.id for level in Level if level is not Level.SUPPORTED]
    return click.option(
        "--fail-on",
        "fail_on",
        type=click.Choice(names, case_sensitive=False),
        default=None,
        callback=_parse_fail_on,
        help=f"Exit 1 from this verdict on (default: {FAIL_ON_DEFAULT.id}); for CI policies.",
    )(func)


def quiet_option(func: F) -> F:
    """``-q/--quiet``: print nothing but errors; the exit code tells the answer."""
    return click.option(
        "-q", "--quiet", is_flag=True, help="Print nothing but errors; only the exit code answers."
    )(func)


def json_option(func: F) -> F:
    """``--json``: machine-readable output on stdout."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")(func)


def _once(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> str | None:
    """Refuse an option given twice instead of silently keeping the last one."""
    if len(value) > 1:
        raise click.BadParameter("given more than once; give it once", ctx=ctx, param=param)
    return value[0] if value else None


def config_options(func: F) -> F:
    """``--set`` and ``--config FILE|-``."""
    func = click.option(
        "--config",
        "config_file",
        metavar="FILE|-",
        multiple=True,
        callback=_once,
        help="A JSON object (or array of objects) of variable: value; '-' reads stdin.",
    )(func)
    return set_option(func)


def model_from(ctx: click.Context) -> Model:
    """The model the group's ``--model`` or ``--edition`` chose (the seed by default),
    with the ``--rules`` policy overlays on top."""
    obj = ctx.find_root().obj or {}
    path, edition = obj.get("model_path"), obj.get("edition")
    if path is not None and edition is not None:
        raise ConfigurationError("give --model or --edition, not both")
    return load_model(path, edition=edition, rules=obj.get("rules") or ())


def read_json_file(name: str) -> Any:
    """Parse JSON from a file name or ``-`` (stdin), within the bounds of :mod:`syncscope.model.safejson`.

    InputError names the file, and the line for malformed JSON; a name that is
    not a regular file (a FIFO, a device, a folder) is refused before it is
    opened, so it can never hang.
    """
    label = "<stdin>" if name == "-" else name
    return safejson.loads(read_text_input(name, label), label)


def read_text_input(name: str, label: str | None = None) -> str:
    """The UTF-8 text of a regular file, or of stdin for ``-``; InputError otherwise."""
    label = label or ("<stdin>" if name == "-" else name)
    if not name:
        raise InputError("an empty file name was given", file=label)
    try:
        if name == "-":
            return sys.stdin.buffer.read().decode("utf-8")
        path = Path(name)
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "a pipe, socket or device"
            raise InputError(f"{label}: cannot read: not a regular file ({kind})", file=label)
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(f"{label}: cannot read: {exc.strerror}", file=label) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{label}: not UTF-8 text (byte {exc.start})", file=label) from None


def read_configs(
    model: Model, sets: tuple[str, ...], config_file: str | None
) -> tuple[list[dict[str, Value]], bool]:
    """Read ``--config`` and apply ``--set`` on top of each configuration.

    Returns the canonical configurations and whether the input was an array.
    """
    raw: Any = {}
    many = False
    if config_file is not None:
        raw = read_json_file(config_file)
    if isinstance(raw, list):
        many = True
        items = raw
    else:
        items = [raw]
    out = []
    for i, item in enumerate(items):
        where = f"configuration #{i + 1}: " if many else ""
        if not isinstance(item, Mapping):
            raise InputError(f"{where}expected a JSON object of variable: value, got {item!r}")
        try:
            base = normalize_config(model, item)
            out.append(merge_assignments(model, sets, base))
        except ConfigurationError as exc:
            raise exc.prefixed(where) from None
    return out, many


def run_configs(
    ctx: click.Context,
    sets: tuple[str, ...],
    config_file: str | None,
    as_json: bool,
    *,
    compute: Callable[[Model, dict[str, Value]], R],
    render: Callable[[R], str],
    ok: Callable[[R], bool],
    quiet: bool = False,
) -> NoReturn:
    """Answer every configuration given, print JSON or text, and exit 0 or 1.

    Reads ``--config``/``--set`` with :func:`read_configs`, calls
    ``compute(model, configuration)`` for each (an error for one entry of an
    array names it, ``configuration #N``), prints the results' ``to_dict()``
    as JSON (a list when the input was an array) or their ``render`` text
    separated by blank lines (nothing when ``quiet``), and exits 0 when ``ok``
    holds for every result, else 1.
    """
    model = model_from(ctx)
    configs, many = read_configs(model, sets, config_file)
    results = []
    for i, config in enumerate(configs):
        try:
            results.append(compute(model, config))
        except ConfigurationError as exc:
            raise exc.prefixed(f"configuration #{i + 1}: " if many else "") from None
    if as_json and not quiet:
        data = [r.to_dict() for r in results]
        emit_json(data if many else data[0])
    elif not quiet:
        click.echo("\n\n".join(render(r) for r in results))
    sys.exit(EXIT_OK if all(ok(r) for r in results) else EXIT_INVALID)


def emit_json(data: object) -> None:
    """Write ``data`` as indented JSON with sorted keys on stdout."""
    click.echo(safejson.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
