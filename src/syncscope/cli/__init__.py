"""The ``syncscope`` command: a thin click group whose subcommands load on demand."""

from __future__ import annotations

import difflib
import importlib
from typing import Any

import click

__all__ = ["COMMANDS", "cli", "main"]

COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("syncscope.cli.check", "Check configurations: verdict, the rules they break, a fix."),
    "rules": ("syncscope.cli.rules", "List the rules with their sources."),
    "list": ("syncscope.cli.listing", "List valid configurations, or count them."),
    "domains": ("syncscope.cli.domains", "What can still be picked, given fixed values."),
    "nearest": ("syncscope.cli.nearest", "The smallest changes that make a configuration valid."),
    "explain": ("syncscope.cli.explain", "Why a configuration fails: minimal conflicts."),
    "plan": ("syncscope.cli.plan", "Safe, ordered migration steps from one setup to another."),
    "batch": ("syncscope.cli.batch", "Check a whole mailbox inventory, row by row."),
    "docs": ("syncscope.cli.docs", "Regenerate the documents that come from the model."),
}
"""Subcommand -> (module defining ``command``, one-line help)."""


class _LazyGroup(click.Group):
    """Imports a subcommand's module only when that subcommand runs."""

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
            close = difflib.get_close_matches(name, list(COMMANDS), n=2, cutoff=0.5)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            ctx.fail(f"no such command {name!r}{hint}")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_) for name, (_, help_) in COMMANDS.items()])


@click.group(cls=_LazyGroup)
@click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="A TOML rule set to use instead of the built-in seed model.",
)
@click.version_option(package_name="syncscope")
@click.pass_context
def cli(ctx: click.Context, model_path: str | None) -> None:
    """Which Dynamics 365 server-side synchronization setups are supported.

    Exit codes: 0 valid; 1 untested, unsupported or no answer; 2 bad input.
    """
    ctx.obj = {"model_path": model_path}


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI (the ``syncscope`` entry point)."""
    return cli.main(args=argv, prog_name="syncscope")
