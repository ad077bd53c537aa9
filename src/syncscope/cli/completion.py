"""``syncscope completion``: the shell completion script for bash, zsh or fish."""

from __future__ import annotations

import os

import click
from click.shell_completion import (
    BashComplete,
    CompletionItem,
    add_completion_class,
    get_completion_class,
    split_arg_string,
)

__all__ = [
    "COMPLETE_VAR",
    "SHELLS",
    "command",
    "completion_script",
    "join_split_words",
    "register",
]

SHELLS = ("bash", "zsh", "fish")
"""The shells a completion script can be printed for."""
COMPLETE_VAR = "_SYNCSCOPE_COMPLETE"
"""The environment variable through which the shell asks ``syncscope`` for completions."""


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def command(shell: str) -> None:
    """Print the completion script for SHELL (bash, zsh or fish).

    It completes commands, options, the model's variables after --set and
    then their values (--set email_system=<TAB>). Load it in the shell's
    start-up file:

    \b
      bash: eval "$(syncscope completion bash)"        (in ~/.bashrc)
      zsh:  eval "$(syncscope completion zsh)"         (in ~/.zshrc)
      fish: syncscope completion fish > ~/.config/fish/completions/syncscope.fish

    Exit codes: 0 printed; 2 an unknown shell.
    """
    click.echo(completion_script(shell))


def completion_script(shell: str) -> str:
    """The source of the completion script for ``shell``.

    Examples
    --------
    >>> "_SYNCSCOPE_COMPLETE=bash_complete" in completion_script("bash")
    True
    """
    from . import cli

    register()
    cls = get_completion_class(shell)
    if cls is None:
        raise click.BadParameter(f"no completion for {shell!r}; one of {', '.join(SHELLS)}")
    return cls(cli, {}, "syncscope", COMPLETE_VAR).source()


def join_split_words(words: list[str]) -> tuple[list[str], bool]:
    """Glue back the ``VAR=VALUE`` words that bash splits at ``=``, and whether the last was split.

    Bash breaks words at the characters of ``COMP_WORDBREAKS``, ``=`` among
    them, so ``--set email_system=ex`` reaches the completer as
    ``email_system``, ``=``, ``ex``.

    Examples
    --------
    >>> join_split_words(["check", "--set", "email_system", "=", "ex"])
    (['check', '--set', 'email_system=ex'], True)
    >>> join_split_words(["check", "--set", "email_system", "="])
    (['check', '--set', 'email_system='], True)
    >>> join_split_words(["check", "--set", "em"])
    (['check', '--set', 'em'], False)
    """
    out: list[str] = []
    glue = False
    split_last = False
    for word in words:
        if word == "=" and out:
            out[-1] += "="
            glue = True
            split_last = True
        elif glue:
            out[-1] += word
            glue = False
        else:
            out.append(word)
            split_last = False
    return out, split_last


class _BashComplete(BashComplete):
    """Bash completion that sees ``VAR=VALUE`` whole and offers only the part after ``=``.

    Readline replaces only the text after the last ``=``, so a candidate
    must be the value alone.
    """

    _split = False

    def get_completion_args(self) -> tuple[list[str], str]:
        cwords = split_arg_string(os.environ["COMP_WORDS"])
        cword = int(os.environ["COMP_CWORD"])
        words = cwords[1 : cword + 1]
        if len(words) < cword:
            words.append("")
        joined, self._split = join_split_words(words)
        return joined[:-1], joined[-1]

    def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
        items = super().get_completions(args, incomplete)
        if not (self._split and "=" in incomplete):
            return items
        return [
            CompletionItem(item.value.partition("=")[2], type=item.type, help=item.help)
            if isinstance(item.value, str) and "=" in item.value
            else item
            for item in items
        ]


def register() -> None:
    """Use the ``VAR=VALUE``-aware bash completion for ``syncscope``."""
    add_completion_class(_BashComplete, "bash")
