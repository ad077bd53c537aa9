"""Output: one --format per command with its aliases, errors as data, width and colour."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from syncscope.cli import COMMANDS, cli
from syncscope.cli.batch import progress_columns, rate_text

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
UNSUPPORTED = ["--set", "deployment=online", "--set", "email_system=msn"]
GMAIL = str(EXAMPLES / "gmail-online.json")
TARGET = str(EXAMPLES / "target-online.json")
EXCHANGE_2010 = str(EXAMPLES / "onprem-exchange-2010.json")
INVENTORY = str(EXAMPLES / "inventory.csv")


def run(*args: str, env: dict[str, str | None] | None = None, stdin: str | None = None) -> Result:
    base: dict[str, str | None] = {"COLUMNS": None, "NO_COLOR": None, "FORCE_COLOR": None}
    return CliRunner().invoke(cli, list(args), env={**base, **(env or {})}, input=stdin)


def _formats(name: str) -> list[str]:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    (option,) = [p for p in command.params if p.name == "output_format"]
    assert isinstance(option.type, click.Choice)
    return list(option.type.choices)


# -- one --format per command -----------------------------------------------------------------

OFFERED = {
    "check": ["text", "json", "jsonl"],
    "explain": ["text", "json"],
    "nearest": ["text", "json"],
    "domains": ["text", "json"],
    "list": ["text", "json", "jsonl", "csv"],
    "plan": ["text", "json", "markdown", "mermaid"],
    "batch": ["csv", "jsonl"],
    "rules": ["text", "json", "jsonl"],
    "vars": ["text", "json", "jsonl", "csv", "markdown"],
    "editions": ["text", "json", "jsonl"],
    "init": ["json", "toml"],
    "diff": ["text", "json"],
}


def test_every_answering_command_has_one_format_option() -> None:
    assert set(OFFERED) <= set(COMMANDS)
    for name, formats in OFFERED.items():
        assert _formats(name) == formats, name


@pytest.mark.parametrize(
    ("alias", "args"),
    [
        ("json", ["check", *UNSUPPORTED]),
        ("jsonl", ["check", "--config", "-"]),
        ("json", ["rules", "unsupported.fips"]),
        ("jsonl", ["vars", "mfa"]),
        ("csv", ["list", "--set", "email_system=gmail", "--set", "deployment=online"]),
        ("jsonl", ["editions"]),
        ("markdown", ["plan", "--from", EXCHANGE_2010, "--to", TARGET]),
    ],
)
def test_each_alias_is_the_same_as_format(alias: str, args: list[str]) -> None:
    stdin = '[{"email_system": "gmail"}, {"email_system": "msn"}]'
    by_alias = run(*args, f"--{alias}", stdin=stdin)
    by_format = run(*args, "--format", alias, stdin=stdin)
    assert by_alias.exit_code == by_format.exit_code
    assert by_alias.stdout == by_format.stdout and by_alias.stdout.strip()


def test_jsonl_is_one_result_a_line() -> None:
    result = run("check", "--config", "-", "--format", "jsonl", stdin='[{"mfa": true}, {}]')
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert [set(json.loads(line)) >= {"verdict", "configuration"} for line in lines] == [True] * 2
    rules = run("rules", "--level", "untested", "--format", "jsonl").stdout.splitlines()
    assert rules and all(json.loads(line)["level"] == "untested" for line in rules)


def test_two_formats_are_a_usage_error() -> None:
    result = run("check", *UNSUPPORTED, "--json", "--format", "text")
    assert result.exit_code == 2
    assert "choose one output format" in result.stderr
    result = run("plan", "--from", GMAIL, "--to", TARGET, "--json", "--mermaid")
    assert result.exit_code == 2 and "choose one output format" in result.stderr


def test_a_format_the_command_lacks_is_refused() -> None:
    result = run("check", *UNSUPPORTED, "--format", "csv")
    assert result.exit_code == 2 and "'csv' is not one of" in result.stderr


# -- errors as data ---------------------------------------------------------------------------


def test_a_bad_value_with_json_is_an_error_object_on_stdout() -> None:
    result = run("check", "--set", "email_system=gmial", "--json")
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["kind"] == "configuration"
    assert error["variable"] == "email_system" and error["value"] == "gmial"
    assert error["suggestions"] == ["gmail"]
    assert "did you mean" not in error["message"]
    assert result.stderr.startswith("error: unknown value 'gmial'")
    plain = run("check", "--set", "email_system=gmial")
    assert plain.exit_code == 2 and plain.stdout == "" and plain.stderr == result.stderr


@pytest.mark.parametrize(
    ("args", "kind", "code"),
    [
        (["check", "--bogus", "--json"], "usage", 2),
        (["--format=json", "check"], "usage", 2),  # a group usage error, still json asked for
        (["list", "--format", "jsonl", "--count"], "input", 2),
        (["vars", "emial", "--json"], "configuration", 2),
        (["rules", "no.such-rule", "--format", "jsonl"], "input", 2),
        (["check", "--config", "missing.json", "--json"], "input", 2),
        (["batch", "missing.csv", "--format", "jsonl"], "unreadable-input", 2),
        (["init", "--json", *UNSUPPORTED], "no-solution", 1),
        (["rules", "--level", "limited", "--variable", "mfa", "--json"], "input", 1),
    ],
)
def test_error_kinds(args: list[str], kind: str, code: int) -> None:
    result = run(*args)
    assert result.exit_code == code, result.output
    data = json.loads(result.stdout.splitlines()[0])
    assert data["error"]["kind"] == kind and data["error"]["message"]
    assert "error" in result.stderr.lower()


def test_an_unwritable_output_is_named_as_such(tmp_path: Path) -> None:
    out = str(tmp_path / "no-such-folder" / "rows.jsonl")
    result = run("batch", INVENTORY, "--format", "jsonl", "--out", out)
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["kind"] == "unwritable-output"


def test_a_row_number_goes_into_the_error(tmp_path: Path) -> None:
    result = run("check", "--config", "-", "--json", stdin='{"mfa": "maybe"}')
    error = json.loads(result.stdout)["error"]
    assert error["kind"] == "configuration" and error["variable"] == "mfa"
    assert "row" not in error  # nothing to number here
    bad = tmp_path / "bad.json"
    bad.write_text('{"mfa": true,\n "mfa": false}')
    error = json.loads(run("check", "--config", str(bad), "--json").stdout)["error"]
    assert error["kind"] in ("input", "configuration")


# -- width ------------------------------------------------------------------------------------


def _widest(text: str) -> int:
    return max(len(ANSI.sub("", line)) for line in text.splitlines())


WIDTH_CASES = {
    "check": ["check", "--config", GMAIL, "--set", "email_system=msn"],
    "nearest": [
        "nearest",
        *("--set", "deployment=online", "--set", "email_system=exchange-2016"),
        *("--set", "mfa=true", "--set", "authentication=impersonation"),
        *("--keep", "email_system", "--keep", "deployment"),
    ],
    "rules": ["rules"],
    "plan": ["plan", "--from", EXCHANGE_2010, "--to", TARGET],
    "explain": ["explain", "--config", GMAIL, "--set", "email_system=msn"],
    "domains": ["domains", "--set", "email_system=gmail"],
    "vars": ["vars"],
    "editions": ["editions"],
    "diff": ["diff", "pre-9.0", "online-2022-01"],
    "list": ["list", "--set", "deployment=on-premises"],
    "plan --batch": ["plan", "--batch", INVENTORY, "--to", TARGET],
}


@pytest.mark.parametrize("name", list(WIDTH_CASES))
def test_human_output_fits_80_and_uses_120(name: str) -> None:
    narrow = run(*WIDTH_CASES[name], env={"COLUMNS": "80"})
    wide = run(*WIDTH_CASES[name], env={"COLUMNS": "120"})
    assert narrow.stdout and narrow.exit_code == wide.exit_code
    assert _widest(narrow.stdout) <= 80
    assert _widest(wide.stdout) <= 120 and narrow.stdout != wide.stdout
    # Without COLUMNS, piped output is 80 wide.
    assert run(*WIDTH_CASES[name]).stdout == narrow.stdout
    # Wrapping moves words between lines, never drops one.
    assert sorted(narrow.stdout.replace(",", " ").split()) == sorted(
        wide.stdout.replace(",", " ").split()
    ) or name in ("diff", "list")  # the compact table of diff and list puts the columns
    # that don't fit as "name: value" lines


def test_a_terminal_that_reports_no_size_is_80_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import os

    from syncscope.cli.common import terminal_width

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

        def fileno(self) -> int:
            return 1

    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr("sys.stdout", Tty())
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=1: os.terminal_size((0, 0)))
    assert terminal_width() == 80
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=1: os.terminal_size((132, 40)))
    assert terminal_width() == 132


def test_a_long_configuration_is_one_setting_per_line() -> None:
    result = run(*WIDTH_CASES["check"], env={"COLUMNS": "80"})
    lines = result.stdout.splitlines()
    assert lines[0] == "✗ UNSUPPORTED:"
    assert lines[1] == "    deployment=online"
    assert "    email_system=msn" in lines
    short = run("check", *UNSUPPORTED, env={"COLUMNS": "80"})
    assert short.stdout.splitlines()[0] == "✗ UNSUPPORTED: deployment=online, email_system=msn"


def test_batch_summary_fits_80(tmp_path: Path) -> None:
    narrow = run("batch", INVENTORY, "--out", str(tmp_path / "a.csv"), env={"COLUMNS": "80"})
    wide = run("batch", INVENTORY, "--out", str(tmp_path / "b.csv"), env={"COLUMNS": "120"})
    assert _widest(narrow.stderr) <= 80 < _widest(wide.stderr) <= 120
    assert " 0 not-applicable," in narrow.stderr  # a count is never split from its verdict


# -- colour -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ([], {}, False),  # piped: plain
        (["--color", "always"], {}, True),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["--color", "always"], {"NO_COLOR": "1"}, True),  # the option wins
    ],
)
def test_colour_rules(args: list[str], env: dict[str, str | None], coloured: bool) -> None:
    result = run(*args, "check", *UNSUPPORTED, env=env)
    assert result.exit_code == 1
    assert bool(ANSI.search(result.stdout)) is coloured
    assert ANSI.sub("", result.stdout) == run("check", *UNSUPPORTED).stdout


def test_colour_marks_the_verdict_and_headings_only() -> None:
    out = run("check", *UNSUPPORTED, "--color", "always").stdout  # after the subcommand too
    assert out.startswith("\x1b[31m\x1b[1m✗ UNSUPPORTED\x1b[0m: ")
    assert "\x1b[" not in out.split("\n", 1)[1].split("“", 1)[1].split("\n", 1)[0]  # quotes plain
    plan = run("--color", "always", "plan", "--from", EXCHANGE_2010, "--to", TARGET).stdout
    assert "\x1b[1mStep 1" in plan
    assert "\x1b[" not in run("--color", "always", "check", *UNSUPPORTED, "--json").stdout


def test_a_bad_colour_choice_is_a_usage_error() -> None:
    result = run("--color", "sometimes", "check")
    assert result.exit_code == 2 and "'sometimes' is not one of" in result.stderr


# -- the progress bar -------------------------------------------------------------------------


def test_progress_bar_has_percentage_rate_and_eta() -> None:
    from rich.progress import Progress, TimeRemainingColumn

    columns = progress_columns()
    assert any(isinstance(c, TimeRemainingColumn) for c in columns)
    bar = Progress(*columns, auto_refresh=False)
    task = bar.add_task("rows", total=1000, rows="250", rate=rate_text(250, 0.5))
    bar.update(task, completed=250)
    text = " ".join(str(c(bar.tasks[task])) for c in columns if not isinstance(c, str))
    assert " 25%" in text and "250 rows" in text and "500 rows/s" in text and "eta" in text
