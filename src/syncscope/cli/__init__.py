"""The ``syncscope`` command: a thin click group whose subcommands load on demand."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

__all__ = ["COMMANDS", "EXIT_INTERNAL", "HELP_OPTIONS", "cli", "main"]

EXIT_INTERNAL = 3
"""Exit code of a bug in syncscope itself, never of an answer or of bad input."""

COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("syncscope.cli.check", "Check configurations: verdict, the rules they break, a fix."),
    "rules": ("syncscope.cli.rules", "List the rules with their sources."),
    "list": ("syncscope.cli.listing", "List valid configurations, or count them."),
    "domains": ("syncscope.cli.domains", "What can still be picked, given fixed values."),
    "nearest": ("syncscope.cli.nearest", "The smallest changes that make a configuration valid."),
    "explain": ("syncscope.cli.explain", "Why a configuration fails: minimal conflicts."),
    "plan": ("syncscope.cli.plan", "Safe, ordered migration steps from one setup to another."),
    "batch": ("syncscope.cli.batch", "Check a whole mailbox inventory, row by row."),
    "serve": ("syncscope.cli.serve", "The configurator in the browser and the HTTP API."),
    "vars": ("syncscope.cli.vars", "Variables: values, aliases, scope and change costs."),
    "init": ("syncscope.cli.init", "Print a complete, valid configuration to start from."),
    "completion": ("syncscope.cli.completion", "The shell completion script (bash, zsh, fish)."),
    "docs": ("syncscope.cli.docs", "Regenerate the documents that come from the model."),
    "diff": ("syncscope.cli.diff", "How support changed between two editions of the page."),
    "editions": (
        "syncscope.cli.editions",
        "The editions of the page, with source, date and cover.",
    ),
}
"""Subcommand -> (module defining ``command``, one-line help)."""


HELP_OPTIONS = ["-h", "--help"]
"""The help options of the group and of every subcommand, which inherit them."""


class _LazyGroup(click.Group):
    """Imports a subcommand's module only when that subcommand runs.

    The group's own options (``--model``, ``--debug`` and the rest) may also
    come after the subcommand: :meth:`parse_args` moves them in front of it.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        from .common import remember_args

        remember_args(ctx, args)
        return super().parse_args(ctx, self._hoist_globals(ctx, args))

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            _usage_as_data(exc, args)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            _usage_as_data(exc, None, ctx)
            raise

    def _hoist_globals(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Move the group's options found after the subcommand name in front of it.

        Option values are skipped, both the group's and the subcommand's (so
        ``--set --debug`` stays a value), nothing after ``--`` moves, and an
        option the subcommand defines itself stays the subcommand's.
        """
        takes_value, flags = _option_names(self.params)
        i = 0
        while i < len(args):
            arg = args[i]
            if arg == "--" or not arg.startswith("-"):
                break
            i += 2 if arg in takes_value else 1
        if i >= len(args) or args[i] not in COMMANDS:
            return args
        name = args[i]
        sub_values, sub_flags = _option_names(self._params_of(ctx, name))
        head, tail, moved = args[: i + 1], args[i + 1 :], []
        kept: list[str] = []
        j = 0
        while j < len(tail):
            arg = tail[j]
            if arg == "--":
                kept.extend(tail[j:])
                break
            key = arg.split("=", 1)[0] if arg.startswith("--") else arg
            if key in sub_values or key in sub_flags:
                step = 2 if key in sub_values and "=" not in arg else 1
                kept.extend(tail[j : j + step])
                j += step
            elif key in takes_value:
                step = 1 if "=" in arg else 2
                moved.extend(tail[j : j + step])
                j += step
            elif key in flags:
                moved.append(arg)
                j += 1
            else:
                kept.append(arg)
                j += 1
        return [*head[:-1], *moved, name, *kept]

    def _params_of(self, ctx: click.Context, name: str) -> list[click.Parameter]:
        try:
            command = self.get_command(ctx, name)
        except Exception:  # an import problem is reported when the command runs
            return []
        return list(command.params) if command is not None else []

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        command = importlib.import_module(entry[0]).command
        assert isinstance(command, click.Command)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            import difflib

            close = difflib.get_close_matches(name, list(COMMANDS), n=2, cutoff=0.5)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            ctx.fail(f"no such command {name!r}{hint}")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_) for name, (_, help_) in COMMANDS.items()])


def _usage_as_data(
    exc: click.UsageError, args: list[str] | None, ctx: click.Context | None = None
) -> None:
    """With a machine format asked for, print a usage error as JSON on stdout too."""
    from syncscope.model import safejson

    from .common import _scan_format, error_data, machine_format

    machine = _scan_format(args) in ("json", "jsonl") if args is not None else machine_format(ctx)
    if machine:
        data = error_data(exc, "usage")
        click.echo(safejson.dumps(data, sort_keys=True, ensure_ascii=False))


def _option_names(params: list[click.Parameter]) -> tuple[set[str], set[str]]:
    """The names of ``params``' options that take a value, and of those that don't."""
    values: set[str] = set()
    flags: set[str] = set()
    for param in params:
        if not isinstance(param, click.Option):
            continue
        names = {*param.opts, *param.secondary_opts}
        if param.is_flag or param.count:
            flags |= names
        else:
            values |= names
    flags |= set(HELP_OPTIONS)
    return values, flags


@click.group(cls=_LazyGroup, context_settings={"help_option_names": HELP_OPTIONS})
@click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="A TOML rule set to use instead of the built-in seed model.",
)
@click.option(
    "--edition",
    "edition",
    default=None,
    metavar="ID",
    help="The edition of the page to answer under (default pre-9.0; see syncscope editions).",
)
@click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(dir_okay=False),
    metavar="POLICY.toml",
    help="A policy overlay: your own rules on top of the edition (repeatable).",
)
@click.option(
    "--color",
    "--colour",
    "color",
    type=click.Choice(("auto", "always", "never"), case_sensitive=False),
    default="auto",
    show_default=True,
    help="Colour verdicts and headings: auto (a terminal, unless NO_COLOR; FORCE_COLOR"
    " forces it), always or never.",
)
@click.option(
    "--debug",
    is_flag=True,
    help="Show the traceback of an internal error (also SYNCSCOPE_DEBUG=1).",
)
@click.version_option(package_name="syncscope")
@click.pass_context
def cli(
    ctx: click.Context,
    model_path: str | None,
    edition: str | None,
    rules: tuple[str, ...],
    color: str,
    debug: bool,
) -> None:
    """Which Dynamics 365 server-side synchronization setups are supported.

    Exit codes: 0 valid; 1 untested, unsupported or no answer; 2 bad input;
    3 an internal error (a bug: please report it).
    """
    from .common import colour_wanted

    ctx.obj = {"model_path": model_path, "edition": edition, "rules": rules}
    ctx.color = colour_wanted(color.lower())


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI (the ``syncscope`` entry point).

    Output is always valid UTF-8: a character the streams can't encode (a
    lone surrogate from the input, say) is written as a backslash escape.
    An unexpected exception is a bug, not an answer: it prints one line, the
    command line to report, and exits with :data:`EXIT_INTERNAL`; the
    traceback is shown only with ``--debug`` or ``SYNCSCOPE_DEBUG=1``.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    if "_SYNCSCOPE_COMPLETE" in os.environ:
        from .completion import register

        register()
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="backslashreplace")
    try:
        return cli.main(args=args, prog_name="syncscope")
    except Exception as exc:  # the last guard: anything else is a bug
        import shlex
        import traceback

        debug = "--debug" in args[: args.index("--")] if "--" in args else "--debug" in args
        if debug or os.environ.get("SYNCSCOPE_DEBUG") == "1":
            traceback.print_exc()
        summary = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        click.echo(f"internal error: {summary}", err=True)
        click.echo(
            f"This is a bug in syncscope. Please report it with the command line:\n"
            f"  syncscope {shlex.join(args)}"
            + ("" if debug else "\n(add --debug to see the traceback)"),
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
