"""Option bundles, input reading, error reporting and output helpers shared by subcommands."""

from __future__ import annotations

import contextlib
import functools
import os
import stat
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn, Protocol, TypeVar

import click

from syncscope.errors import (
    ConfigurationError,
    InputError,
    ModelError,
    SyncscopeError,
    UnreadableInput,
    UnwritableOutput,
)
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
from syncscope.model.encodings import decode_text

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INVALID",
    "EXIT_OK",
    "FORMATS",
    "MACHINE_FORMATS",
    "InputError",
    "complete_assignment",
    "config_options",
    "emit",
    "emit_json",
    "error_data",
    "error_kind",
    "fail",
    "fail_on_option",
    "gate_options",
    "handle_errors",
    "json_option",
    "machine_format",
    "model_from",
    "output_format",
    "output_options",
    "paint",
    "quiet_option",
    "read_config_file",
    "read_configs",
    "read_json_file",
    "run_configs",
    "set_option",
    "settings",
    "silenced",
    "terminal_width",
]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_BAD_INPUT = 2

F = TypeVar("F", bound=Callable[..., Any])


class _Result(Protocol):
    def to_dict(self) -> dict[str, object]: ...


R = TypeVar("R", bound=_Result)


FORMATS = ("text", "json", "jsonl", "csv", "markdown", "mermaid", "toml")
"""Every output format a command may offer through ``--format``."""
MACHINE_FORMATS = ("json", "jsonl")
"""The formats with which an error is also printed as JSON on stdout."""
_FORMAT_KEY = "syncscope.format"
_ARGV_KEY = "syncscope.argv"
_DEFAULTS_KEY = "syncscope.defaults"

_KINDS: tuple[tuple[type[BaseException], str], ...] = (
    (UnreadableInput, "unreadable-input"),
    (UnwritableOutput, "unwritable-output"),
    (ConfigurationError, "configuration"),
    (InputError, "input"),
    (ModelError, "model"),
    (click.UsageError, "usage"),
)


def error_kind(exc: BaseException) -> str:
    """The ``kind`` of an error in the JSON error object, from its class.

    Examples
    --------
    >>> error_kind(ConfigurationError("unknown value")), error_kind(click.UsageError("x"))
    ('configuration', 'usage')
    """
    for cls, kind in _KINDS:
        if isinstance(exc, cls):
            return kind
    if type(exc).__name__ == "NoSolution":  # the class lives in the solver, loaded lazily
        return "no-solution"
    return "input"


def error_data(exc: BaseException | str, kind: str | None = None) -> dict[str, object]:
    """The JSON error object, ``{"error": {"kind", "message", ...}}``, of an error or a message.

    ``variable``, ``value``, ``suggestions`` and ``row`` appear only when the
    error knows them; a ``no-solution`` error has its ``conflict`` (or null)
    beside ``error``.

    Examples
    --------
    >>> error = ConfigurationError("unknown value 'gmial' for email_system",
    ...                            variable="email_system", value="gmial", suggestions=["gmail"])
    >>> error_data(error)["error"]["suggestions"]
    ['gmail']
    >>> error_data("choose one output", "usage")
    {'error': {'kind': 'usage', 'message': 'choose one output'}}
    """
    if isinstance(exc, str):
        return {"error": {"kind": kind or "input", "message": exc}}
    body: dict[str, object] = {"kind": kind or error_kind(exc)}
    if isinstance(exc, InputError):
        body["message"] = exc.message
        if exc.variable is not None:
            body["variable"] = exc.variable
        value = exc.to_dict().get("value")
        if value is not None:
            body["value"] = value
        if exc.suggestions:
            body["suggestions"] = list(exc.suggestions)
        if exc.row is not None:
            body["row"] = exc.row
    elif isinstance(exc, click.ClickException):
        body["message"] = exc.format_message()
    else:
        body["message"] = str(getattr(exc, "message", None) or exc)
        if body["kind"] == "no-solution":  # the conflict goes beside the error, as data
            conflict = getattr(exc, "conflict", None)
            return {"error": body, "conflict": None if conflict is None else conflict.to_dict()}
    return {"error": body}


def _scan_format(args: list[str]) -> str | None:
    """The output format a command line asks for, read from its raw words.

    Examples
    --------
    >>> _scan_format(["check", "--set", "x=1", "--json"]), _scan_format(["list", "--format=csv"])
    ('json', 'csv')
    >>> _scan_format(["batch", "in.csv", "--format", "jsonl"]), _scan_format(["--", "--json"])
    ('jsonl', None)
    """
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg.startswith("--") and arg[2:] in FORMATS[1:]:
            found = arg[2:]
        elif arg == "--format" and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--format="):
            found = arg.split("=", 1)[1]
    return found


def output_format(ctx: click.Context | None = None) -> str | None:
    """The output format of the running command: the one chosen, else the one its words ask for."""
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is None:
        return None
    chosen = ctx.meta.get(_FORMAT_KEY)
    if chosen is not None:
        return str(chosen)
    return _scan_format(list(ctx.meta.get(_ARGV_KEY, ())))


def machine_format(ctx: click.Context | None = None) -> bool:
    """Whether the running command prints a machine format (errors then go on stdout too)."""
    return output_format(ctx) in MACHINE_FORMATS


def remember_args(ctx: click.Context, args: list[str]) -> None:
    """Keep the command line's words, to tell the output format of an error in parsing them."""
    ctx.meta[_ARGV_KEY] = list(args)


def fail(
    message: str | BaseException, code: int = EXIT_BAD_INPUT, *, kind: str | None = None
) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``.

    With a machine format (``--format json`` or ``jsonl``) the error is also
    printed on stdout as :func:`error_data`.
    """
    if machine_format():
        data = error_data(message, kind)
        click.echo(safejson.dumps(data, sort_keys=True, ensure_ascii=False))
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Turn syncscope's own errors into a clear message and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (SyncscopeError, ModelError) as exc:
            fail(exc, EXIT_INVALID if error_kind(exc) == "no-solution" else EXIT_BAD_INPUT)
        except BrokenPipeError:
            sys.exit(EXIT_OK)

    return wrapper  # type: ignore[return-value]


_ALIAS_HELP = {
    "json": "Same as --format json.",
    "jsonl": "Same as --format jsonl.",
    "csv": "Same as --format csv.",
    "markdown": "Same as --format markdown.",
    "mermaid": "Same as --format mermaid.",
    "toml": "Same as --format toml.",
}


def output_options(
    *formats: str, default: str | None = "text", help: str | None = None
) -> Callable[[F], F]:
    """``--format F`` with the formats that fit the command, and ``--F`` for each as an alias.

    The command receives the chosen format as ``fmt`` (``default`` when none
    is given). Two different formats are a usage error.
    """
    unknown = set(formats) - set(FORMATS)
    assert not unknown, unknown

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            given = kwargs.pop("output_format", None)
            picked = [name for name in formats if kwargs.pop(f"as_{name}_alias", False)]
            if given is not None:
                picked.append(given)
            if len(set(picked)) > 1:
                words = ", ".join(f"--format {name}" for name in dict.fromkeys(picked))
                raise click.UsageError(f"choose one output format, not {words}")
            fmt = picked[0] if picked else default
            if picked:  # only a format asked for puts errors on stdout (init > mine.json)
                click.get_current_context().meta[_FORMAT_KEY] = fmt
            return func(*args, fmt=fmt, **kwargs)

        command: Any = wrapper
        for name in reversed(formats):
            if name == "text":
                continue
            command = click.option(
                f"--{name}", f"as_{name}_alias", is_flag=True, help=_ALIAS_HELP[name]
            )(command)
        shown = f" (default: {default})" if default else ""
        command = click.option(
            "--format",
            "output_format",
            type=click.Choice(formats, case_sensitive=False),
            default=None,
            help=help or f"Output format{shown}.",
        )(command)
        return command  # type: ignore[no-any-return]

    return decorate


def emit(data: object, fmt: str) -> None:
    """Write ``data`` as ``json`` (indented) or ``jsonl`` (a list: one item a line)."""
    if fmt == "jsonl":
        items = data if isinstance(data, list) else [data]
        for item in items:
            click.echo(safejson.dumps(item, sort_keys=True, ensure_ascii=False))
    else:
        emit_json(data)


DEFAULT_WIDTH = 80
"""The width of human output when neither the terminal nor ``COLUMNS`` says otherwise."""
MIN_WIDTH = 40
"""The narrowest width honoured; anything below reads worse than wrapping by the terminal."""


def terminal_width() -> int:
    """The width for human output: ``COLUMNS`` when set, else the terminal's, else 80.

    A terminal that reports a width of 0 counts as none (80).

    Examples
    --------
    >>> import os
    >>> saved = os.environ.get("COLUMNS")
    >>> os.environ["COLUMNS"] = "120"
    >>> terminal_width()
    120
    >>> if saved is None:
    ...     del os.environ["COLUMNS"]
    ... else:
    ...     os.environ["COLUMNS"] = saved
    """
    text = os.environ.get("COLUMNS", "").strip()
    if text.isdigit() and int(text) > 0:
        return max(int(text), MIN_WIDTH)
    stream = sys.stdout
    try:
        if stream.isatty():
            columns = os.get_terminal_size(stream.fileno()).columns
            if columns > 0:  # a terminal that reports 0 (some containers, script) says nothing
                return max(columns, MIN_WIDTH)
    except (AttributeError, OSError, ValueError):
        pass
    return DEFAULT_WIDTH


def colour_wanted(choice: str, stream: Any = None) -> bool:
    """Whether to colour: ``always`` and ``never`` decide; ``auto`` follows ``NO_COLOR``,
    then ``FORCE_COLOR``, then whether the output is a terminal.

    Examples
    --------
    >>> colour_wanted("always"), colour_wanted("never")
    (True, False)
    """
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = stream if stream is not None else sys.stdout
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


_PAINT = {
    "supported": {"fg": "green", "bold": True},
    "limited": {"fg": "cyan", "bold": True},
    "discouraged": {"fg": "yellow", "bold": True},
    "untested": {"fg": "magenta", "bold": True},
    "unsupported": {"fg": "red", "bold": True},
    "heading": {"bold": True},
}


def paint(text: str, kind: str) -> str:
    """``text`` in the colour of ``kind`` (a verdict id, or ``heading``) when colour is on.

    Colour is on only inside a command whose group decided so (``--color``,
    ``NO_COLOR``, ``FORCE_COLOR``, a terminal); elsewhere the text is plain.

    Examples
    --------
    >>> paint("✓ SUPPORTED", "supported")
    '✓ SUPPORTED'
    """
    ctx = click.get_current_context(silent=True)
    if ctx is None or not ctx.color:
        return text
    return click.style(text, **_PAINT.get(kind, {}))  # type: ignore[arg-type]


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


def _remember_defaults(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> None:
    if len(value) > 1:
        raise click.BadParameter("given more than once; give it once", ctx=ctx, param=param)
    if value:
        ctx.meta[_DEFAULTS_KEY] = value[0]


def settings(
    ctx: click.Context,
    model: Model,
    sets: tuple[str, ...],
    base: Mapping[str, Value] | None = None,
) -> dict[str, Value]:
    """The canonical settings of ``--defaults``, then ``base``, then ``--set``: each wins over
    the one before."""
    return merge_assignments(model, sets, {**defaults_from(ctx, model), **(base or {})})


def defaults_from(ctx: click.Context, model: Model) -> dict[str, Value]:
    """The canonical settings of ``--defaults FILE`` (JSON or TOML), or none.

    The file is validated like a configuration; its errors name it.
    """
    name = ctx.meta.get(_DEFAULTS_KEY)
    if name is None:
        return {}
    data = read_config_file(str(name), "--defaults")
    label = "<stdin>" if name == "-" else str(name)
    if not isinstance(data, Mapping):
        raise InputError(
            f"--defaults {label}: expected an object (a TOML table) of variable: value,"
            f" got {type(data).__name__}",
            file=label,
        )
    try:
        return normalize_config(model, data)
    except ConfigurationError as exc:
        raise exc.prefixed(f"--defaults {label}: ") from None


def set_option(func: F) -> F:
    """``--set VAR=VALUE``, repeatable (one variable set to two values is an error), and
    ``--defaults FILE``, organisation-wide settings under every ``--set`` (read with
    :func:`settings`)."""
    func = click.option(
        "--defaults",
        "defaults_file",
        metavar="FILE",
        multiple=True,
        expose_value=False,
        callback=_remember_defaults,
        help="Organisation-wide settings (JSON or TOML) for every row and configuration;"
        " a configuration's own values and --set win over them.",
    )(func)
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
"""The verdict from which a command exits 1 unless ``--fail-on`` says otherwise (what
``check``, ``explain``, ``batch`` and ``nearest`` do without it)."""


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


def gate_options(func: F) -> F:
    """``--fail-on LEVEL`` and ``-q/--quiet``, for every command a CI job gates on or
    silences: the command receives ``fail_on`` (a :class:`Level`, ``untested`` when not
    given, which keeps each command's own exit codes) and ``quiet``."""
    return fail_on_option(quiet_option(func))


@contextlib.contextmanager
def silenced(quiet: bool) -> Iterator[None]:
    """Nothing the block prints on stdout is shown when ``quiet`` (``-q``); stderr, where
    errors go, is left alone."""
    if not quiet:
        yield
        return
    with (
        open(os.devnull, "w", encoding="utf-8") as nowhere,
        contextlib.redirect_stdout(nowhere),
    ):
        yield


def json_option(func: F) -> F:
    """``--format text|json`` and its alias ``--json``; the command receives ``as_json``."""

    @functools.wraps(func)
    def inner(*args: Any, fmt: str, **kwargs: Any) -> Any:
        return func(*args, as_json=fmt == "json", **kwargs)

    return output_options("text", "json")(inner)  # type: ignore[return-value]


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
        help="A JSON object (or array of objects), or a TOML table, of variable: value;"
        " '-' reads stdin.",
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
    """Parse JSON from a file name or ``-`` (stdin), within the bounds of
    :mod:`syncscope.model.safejson`.

    InputError names the file, and the line for malformed JSON; a name that is
    not a regular file (a FIFO, a device, a folder) is refused before it is
    opened, so it can never hang.
    """
    label = "<stdin>" if name == "-" else name
    return safejson.loads(read_text_input(name, label), label)


CONFIG_ADVICE = (
    "a configuration is a JSON or TOML file of variable: value (syncscope init writes one);"
    " for an inventory of mailboxes, export the workbook as CSV UTF-8 and give it to"
    " syncscope batch"
)
"""What to do with a workbook given where a configuration file goes."""


def read_text_input(name: str, label: str | None = None) -> str:
    """The text of a regular file, or of stdin for ``-``, as batch reads it: UTF-8, or
    UTF-16 or UTF-32 with or without a byte-order mark; a workbook is named as such
    (:func:`syncscope.model.encodings.decode_text`). InputError otherwise.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "mine.json")
    ...     with open(path, "wb") as handle:
    ...         _ = handle.write('{"mfa": true}'.encode("utf-16"))
    ...     read_text_input(path)
    '{"mfa": true}'
    """
    label = label or ("<stdin>" if name == "-" else name)
    if not name:
        raise InputError("an empty file name was given", file=label)
    try:
        if name == "-":
            data = sys.stdin.buffer.read()
        else:
            path = Path(name)
            mode = path.stat().st_mode
            if not stat.S_ISREG(mode):
                kind = "a folder" if stat.S_ISDIR(mode) else "a pipe, socket or device"
                raise InputError(f"{label}: cannot read: not a regular file ({kind})", file=label)
            data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{label}: cannot read: {exc.strerror}", file=label) from None
    try:
        return decode_text(data, label, CONFIG_ADVICE)
    except UnreadableInput as exc:
        raise UnreadableInput(exc.message, file=label) from None


def read_config_file(
    name: str, option: str = "--config", inventory: str = "`syncscope batch`"
) -> Any:
    """Parse a configuration file as JSON or TOML: ``.toml`` is TOML, ``.json`` JSON, and
    anything else (``-`` too) is JSON when it starts with ``{`` or ``[``, else TOML.

    Text that is not TOML but looks like a CSV inventory is named as such: ``option``
    takes one configuration, and ``inventory`` is where an inventory goes.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "mine.conf")
    ...     with open(path, "w") as handle:
    ...         _ = handle.write('email_system = "gmail"\\n')
    ...     read_config_file(path)
    {'email_system': 'gmail'}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "mine.csv")
    ...     with open(path, "w") as handle:
    ...         _ = handle.write("deployment,email_system\\nonline,gmail\\n")
    ...     read_config_file(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    syncscope.errors.InputError: .../mine.csv: looks like CSV: --config takes a JSON or TOML ...
    """
    label = "<stdin>" if name == "-" else name
    text = read_text_input(name, label)
    suffix = Path(name).suffix.lower()
    if suffix == ".toml" or (suffix != ".json" and not _looks_like_json(text)):
        try:
            return safejson.toml_loads(text, label)
        except InputError:
            if not _looks_like_csv(text, suffix):
                raise
            raise InputError(
                f"{label}: looks like CSV: {option} takes a JSON or TOML configuration;"
                f" give an inventory to {inventory}",
                file=label,
            ) from None
    return safejson.loads(text, label)


def _looks_like_csv(text: str, suffix: str) -> bool:
    """Whether ``text``, which is not TOML, looks like a CSV inventory: a ``.csv``/``.tsv``
    name, or a first line of two or more cells (comma, semicolon or tab) without ``=``
    and the next lines with as many.

    Examples
    --------
    >>> _looks_like_csv("deployment,email_system\\nonline,gmail\\n", "")
    True
    >>> _looks_like_csv("deployment;email_system\\n", ""), _looks_like_csv("gmail\\n", ".csv")
    (True, True)
    >>> _looks_like_csv("email_system = \\n", ""), _looks_like_csv("a,b\\nc\\n", "")
    (False, False)
    """
    import csv

    if suffix in (".csv", ".tsv"):
        return True
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()][:5]
    if not lines or "=" in lines[0]:
        return False
    for sep in (",", ";", "\t"):
        widths = {len(row) for row in csv.reader(lines, delimiter=sep)}
        if len(widths) == 1 and min(widths) >= 2:
            return True
    return False


def _looks_like_json(text: str) -> bool:
    """Whether ``text`` starts (after blanks) with ``{`` or ``[``, but not a TOML table
    header such as ``[org]``.

    Examples
    --------
    >>> _looks_like_json('  {"a": 1}'), _looks_like_json('[\\n {"a": 1}]')
    (True, True)
    >>> _looks_like_json("[org]"), _looks_like_json('email_system = "gmail"')
    (False, False)
    """
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("{"):
        return True
    if not head.startswith("["):
        return False
    # A TOML table header ([org], [[configuration]]) starts with a bare key.
    inner = head.split("\n", 1)[0].lstrip("[ \t")
    return not (inner[:1].isalpha() or inner[:1] == "_")


def read_configs(
    model: Model,
    sets: tuple[str, ...],
    config_file: str | None,
    defaults: Mapping[str, Value] | None = None,
) -> tuple[list[dict[str, Value]], bool]:
    """Read ``--config`` (JSON or TOML) and apply ``--set`` on top of each configuration,
    and ``defaults`` (``--defaults``) under it.

    Returns the canonical configurations and whether the input was an array.
    """
    raw: Any = {}
    many = False
    if config_file is not None:
        raw = read_config_file(config_file)
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
            base = {**(defaults or {}), **normalize_config(model, item)}
            out.append(merge_assignments(model, sets, base))
        except ConfigurationError as exc:
            raise exc.prefixed(where) from None
    return out, many


def run_configs(
    ctx: click.Context,
    sets: tuple[str, ...],
    config_file: str | None,
    fmt: str | bool,
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
    as JSON (a list when the input was an array), JSON Lines (one result a
    line) or their ``render`` text separated by blank lines (nothing when
    ``quiet``), and exits 0 when ``ok`` holds for every result, else 1.
    ``fmt`` is the output format (``True`` and ``False`` mean json and text).
    """
    if isinstance(fmt, bool):
        fmt = "json" if fmt else "text"
    model = model_from(ctx)
    configs, many = read_configs(model, sets, config_file, defaults_from(ctx, model))
    results = []
    for i, config in enumerate(configs):
        try:
            results.append(compute(model, config))
        except ConfigurationError as exc:
            raise exc.prefixed(f"configuration #{i + 1}: " if many else "") from None
    if fmt in MACHINE_FORMATS and not quiet:
        data = [r.to_dict() for r in results]
        emit(data if many or fmt == "jsonl" else data[0], fmt)
    elif not quiet:
        from .render import fit

        click.echo(fit("\n\n".join(render(r) for r in results), terminal_width()))
    sys.exit(EXIT_OK if all(ok(r) for r in results) else EXIT_INVALID)


def emit_json(data: object) -> None:
    """Write ``data`` as indented JSON with sorted keys on stdout."""
    click.echo(safejson.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
