"""The command line under hostile input: exit 0, 1 or 2, valid UTF-8, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings

from syncscope.cli import cli

from .strategies import (
    EXAMPLES,
    NAMES,
    inventories,
    json_documents,
    reading_options,
    set_arguments,
    toml_weights,
    weights_documents,
)

FUZZ = settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture])


def invoke(args: list[str], stdin: str | bytes | None = None) -> Result:
    result = CliRunner().invoke(cli, args, input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a crash: show its traceback
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.stderr)
    result.stdout_bytes.decode("utf-8")  # always valid UTF-8
    result.stderr_bytes.decode("utf-8")
    assert "Traceback" not in result.stderr
    if result.exit_code == 2:
        assert result.stderr.strip(), "bad input must say what is wrong"
    return result


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@pytest.mark.parametrize("command", ["check", "explain", "nearest"])
@FUZZ
@given(document=json_documents)
def test_config_documents(command: str, document: str) -> None:
    invoke([command, "--config", "-", "--json"], _encode(document))


@pytest.mark.parametrize("which", ["--from", "--to"])
@FUZZ
@given(document=json_documents)
def test_plan_ends(tmp_path_factory: pytest.TempPathFactory, which: str, document: str) -> None:
    folder = tmp_path_factory.mktemp("plan")
    good = Path(__file__).resolve().parents[2] / "docs" / "examples" / "gmail-online.json"
    hostile = folder / "end.json"
    hostile.write_bytes(_encode(document))
    other = "--to" if which == "--from" else "--from"
    invoke(["plan", which, str(hostile), other, str(good), "--json"])


@FUZZ
@given(document=inventories(), options=reading_options)
def test_plan_batch_inventories(
    tmp_path_factory: pytest.TempPathFactory, document: str, options: list[str]
) -> None:
    folder = tmp_path_factory.mktemp("inventory")
    source = folder / "inventory.csv"
    source.write_bytes(_encode(document))
    target = Path(__file__).resolve().parents[2] / "docs" / "examples" / "target-online.json"
    result = invoke(["plan", "--batch", str(source), "--to", str(target), "--json", *options])
    if result.exit_code == 2:
        return
    data = json.loads(result.stdout)
    completed = [c["row"] for c in data["completed"]]
    assert not set(completed) & {s["row"] for s in data["skipped"]}
    if "--require-complete" in options:
        assert completed == []
    for done in data["completed"]:  # filled with variables' values, never left empty
        assert done["values"] and set(done["values"]) <= set(NAMES)


@pytest.mark.parametrize("command", ["check", "domains", "list"])
@FUZZ
@given(first=set_arguments, second=set_arguments)
def test_set_arguments(command: str, first: str, second: str) -> None:
    extra = ["--count"] if command == "list" else []
    invoke([command, "--set", first, "--set", second, *extra])


@FUZZ
@given(document=weights_documents)
def test_json_weights(tmp_path_factory: pytest.TempPathFactory, document: str) -> None:
    path = tmp_path_factory.mktemp("weights") / "weights.json"
    path.write_bytes(_encode(document))
    invoke(["nearest", "--set", "email_system=gmail", "--weights", str(path)])


@FUZZ
@given(document=toml_weights)
def test_toml_weights(tmp_path_factory: pytest.TempPathFactory, document: str) -> None:
    path = tmp_path_factory.mktemp("weights") / "weights.toml"
    path.write_text(document, encoding="utf-8")
    invoke(["nearest", "--set", "email_system=gmail", "--weights", str(path)])
