"""Every hostile input that once gave a traceback, as a test: now exit 2 with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from syncscope.cli import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
GMAIL = str(EXAMPLES / "gmail-online.json")
BIN = Path(sys.executable).parent


def invoke(*args: str, stdin: str | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def bad_input(result: Result, *needles: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


HUGE = "9" * 5000


def test_a_5000_digit_integer_in_config() -> None:
    result = invoke("check", "--config", "-", stdin=f'{{"ports": {HUGE}}}')
    bad_input(result, "<stdin>", "5,000 digits", "too big")


@pytest.mark.parametrize("which", ["--from", "--to"])
def test_a_5000_digit_integer_in_a_plan_end(tmp_path: Path, which: str) -> None:
    end = tmp_path / "end.json"
    end.write_text(f'{{"deployment": {HUGE}}}', encoding="utf-8")
    other = "--to" if which == "--from" else "--from"
    bad_input(invoke("plan", which, str(end), other, GMAIL), str(end), "5,000 digits")


def test_arrays_nested_100000_deep_in_config() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    bad_input(invoke("check", "--config", "-", stdin=deep), "nested deeper than 64 levels")


@pytest.mark.parametrize(
    ("suffix", "text", "needle"),
    [
        (".json", '{"ports": 1e-320}', "at most 6 decimal places"),
        (".json", '{"ports": %s}' % ("9" * 400), "400 digits is too big"),
        (".toml", "ports = %s" % ("9" * 400), "at most 1,000,000,000"),
        (".toml", "ports = nan", "non-negative number"),
        (".json", '{"ports": NaN}', "NaN is not a JSON number"),
        (".toml", "x = " + "[" * 10_000 + "]" * 10_000, "nested deeper"),
    ],
)
def test_weights_out_of_bounds(tmp_path: Path, suffix: str, text: str, needle: str) -> None:
    path = tmp_path / f"weights{suffix}"
    path.write_text(text, encoding="utf-8")
    result = invoke("nearest", "--set", "email_system=gmail", "--weights", str(path))
    bad_input(result, needle)
    assert "ports" in result.stderr or str(path) in result.stderr


def test_a_huge_number_in_the_api_names_the_variable() -> None:
    import syncscope

    with pytest.raises(syncscope.InputError) as caught:
        syncscope.check({"ports": 10**5000})
    assert caught.value.variable == "ports"
    assert "5,001 digits" in str(caught.value)
    caught.value.to_dict()  # JSON-ready, even for the huge value


def _fifo(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["check", "--config", "{}"], "config.json"),
        (["nearest", "--set", "email_system=gmail", "--weights", "{}"], "weights.json"),
        (["plan", "--from", "{}", "--to", GMAIL], "from.json"),
        (["--model", "{}", "check"], "rules.toml"),
    ],
)
def test_a_fifo_is_refused_by_name_in_a_real_process(
    tmp_path: Path, args: list[str], name: str
) -> None:
    fifo = _fifo(tmp_path, name)
    argv = [str(BIN / "syncscope"), *(str(fifo) if a == "{}" else a for a in args)]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2, result.stderr
    assert str(fifo) in result.stderr
    assert "not a regular file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "weight",
    [10**5000, 1e-320, float("nan"), float("inf"), -1],
    ids=["5001-digits", "1e-320", "nan", "inf", "negative"],
)
def test_a_hostile_weight_in_the_api_is_an_input_error(weight: object) -> None:
    import syncscope

    with pytest.raises(syncscope.InputError) as caught:
        syncscope.nearest({"email_system": "gmail"}, weights={"ports": weight})
    assert caught.value.variable == "ports"
    caught.value.to_dict()


def test_a_huge_number_inside_a_weight_list_is_summarised() -> None:
    import syncscope

    with pytest.raises(syncscope.InputError, match="must be a number"):
        syncscope.nearest({"email_system": "gmail"}, weights={"ports": [10**4301 - 1]})
