"""``vars``, ``init`` and ``completion``: the helpers for a first configuration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from syncscope.model import format_value, load_model, parse_assignment

from syncscope import change_costs
from syncscope.cli import COMMANDS, cli

BIN = Path(sys.executable).parent
MODEL = load_model()


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="syncscope", env=env)


# -- vars ----------------------------------------------------------------------------------------


def test_vars_json_lists_every_variable_with_values_and_aliases() -> None:
    result = run("vars", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [v["name"] for v in data] == list(MODEL.names)
    for entry, var in zip(data, MODEL.variables, strict=True):
        assert entry["label"] == var.label
        assert entry["scope"] in ("organisation", "profile", "mailbox")
        assert [v["id"] for v in entry["values"]] == list(var.domain)
        assert [tuple(v["aliases"]) for v in entry["values"]] == [s.aliases for s in var.values]


def test_vars_json_keeps_change_weight_and_weight_reason() -> None:
    # Scripts written before the cost model read these two keys.
    data = {v["name"]: v for v in json.loads(run("vars", "--json").stdout)}
    costs = {c.variable: c for c in change_costs(MODEL)}
    assert set(data) == set(MODEL.names)
    for name, entry in data.items():
        assert entry["change_weight"] == entry["cost"] == costs[name].default
        assert entry["weight_reason"] == entry["cost_reason"] == costs[name].reason
    one = json.loads(run("vars", "email_system", "--json").stdout)
    assert one["change_weight"] == 60 and one["weight_reason"] == costs["email_system"].reason
    lines = [json.loads(line) for line in run("vars", "--format", "jsonl").stdout.splitlines()]
    assert all({"change_weight", "weight_reason"} <= set(line) for line in lines)


def test_vars_one_variable_in_any_spelling() -> None:
    result = run("vars", "Email System", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["name"] == "email_system"
    exo = next(v for v in data["values"] if v["id"] == "exchange-online")
    assert "EXO" in exo["aliases"]


def test_vars_text_shows_values_labels_and_aliases() -> None:
    result = run("vars", "email_system")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "email_system — Email system (mailbox scope; change cost 60)"
    exo = next(line for line in lines if line.strip().startswith("exchange-online"))
    assert "Exchange Online" in exo and "EXO" in exo
    starts = {line.split()[0] for line in lines[1:] if line.startswith("  ") and line[2] != " "}
    assert {format_value(v) for v in MODEL.variable("email_system").domain} <= starts


def test_vars_shows_the_costs_nearest_uses() -> None:
    text = run("vars", "email_system", env={"COLUMNS": "200"}).stdout
    assert "cost 5: exchange-2013 → exchange-2013-sp1 (Applying a service pack" in text
    assert "cost 30: upgrades along exchange-2003 → " in text
    assert run("vars", "version").stdout.startswith(
        "version — Product version (organisation scope; change cost 60)"
    )
    data = {v["name"]: v for v in json.loads(run("vars", "--json").stdout)}
    assert data["email_system"]["cost"] == 60 and data["version"]["cost"] == 60
    assert data["email_system"]["pair_costs"]["exchange-2013 -> exchange-2013-sp1"] == 5
    assert data["version"]["pair_costs"]["8.0 -> 8.1"] == 20
    assert data["mfa"]["advice"]["false"].startswith("connect with a service account")
    assert "advice when a fix sets false: connect with" in run("vars", "mfa").stdout
    # Every change costs what the solver's one cost model (nearest, plan) sums.
    from syncscope.solver.repair.weights import Weights

    weights = Weights.of(MODEL)
    for v, var in enumerate(MODEL.variables):
        entry = data[var.name]
        for a, before in enumerate(var.domain):
            for b, after in enumerate(var.domain):
                if a != b:
                    pair = f"{format_value(before)} -> {format_value(after)}"
                    expected = float(weights.exact[v][a][b])
                    assert entry["pair_costs"].get(pair, entry["cost"]) == expected, pair


def test_vars_csv_and_markdown() -> None:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(run("vars", "--format", "csv").stdout)))
    assert len(rows) == sum(len(v.values) for v in MODEL.variables)
    gmail = next(r for r in rows if r["value"] == "gmail")
    assert (gmail["variable"], gmail["scope"], gmail["cost"]) == ("email_system", "mailbox", "60")
    mfa_off = next(r for r in rows if r["variable"] == "mfa" and r["value"] == "false")
    assert mfa_off["advice"].startswith("connect with a service account")
    md = run("vars", "--markdown").stdout.splitlines()
    assert md[0].startswith("| variable | label | scope | cost |")
    assert any(
        line.startswith("| `version` | Product version | organisation | 60 |") for line in md
    )


def test_vars_every_variable_in_text() -> None:
    result = run("vars")
    assert result.exit_code == 0
    heads = [line.split(" — ")[0] for line in result.stdout.splitlines() if " — " in line]
    assert heads == list(MODEL.names)


def test_vars_unknown_variable_exits_2_with_did_you_mean() -> None:
    result = run("vars", "emial_system")
    assert result.exit_code == 2
    assert "unknown variable 'emial_system'" in result.stderr
    assert "email_system" in result.stderr


# -- init ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sets",
    [[], ["email_system=gmail"], ["deployment=on-premises", "email_system=Exchange 2016"]],
    ids=["nothing", "gmail", "exchange-2016"],
)
def test_init_prints_a_complete_configuration_that_checks_valid(
    sets: list[str], tmp_path: Path
) -> None:
    args = [a for s in sets for a in ("--set", s)]
    result = run("init", *args)
    assert result.exit_code == 0
    config = json.loads(result.stdout)
    assert list(config) == list(MODEL.names)
    path = tmp_path / "mine.json"
    path.write_text(result.stdout, encoding="utf-8")
    checked = run("check", "--config", str(path), "--json")
    assert checked.exit_code == 0
    data = json.loads(checked.stdout)
    assert data["verdict"] in {"supported", "limited", "discouraged"}
    assert data["complete"] is True
    for text in sets:
        name, value = parse_assignment(MODEL, text)
        assert config[name] == value
    assert "check --config" in result.stderr


@pytest.mark.parametrize("sets", [[], ["deployment=on-premises", "email_system=Exchange 2016"]])
def test_init_toml_is_commented_and_checks_valid(sets: list[str], tmp_path: Path) -> None:
    import tomllib

    from syncscope import change_costs

    args = [a for s in sets for a in ("--set", s)]
    result = run("init", "--format", "toml", *args)
    assert result.exit_code == 0 and result.stderr == ""
    config = tomllib.loads(result.stdout)
    assert config == json.loads(run("init", *args).stdout)  # the same configuration as JSON
    # Above every setting: its label and scope, then the values it accepts.
    scopes = {c.variable: c.scope for c in change_costs()}
    blocks = result.stdout.split("\n\n")[1:]
    assert len(blocks) == len(MODEL.variables)
    for block, var in zip(blocks, MODEL.variables, strict=True):
        lines = block.strip().splitlines()
        assert lines[0] == f"# {var.label} ({scopes[var.name]} scope)"
        allowed = " ".join(line.lstrip("# ") for line in lines[1:-1])
        assert allowed.removeprefix("one of: ").split(", ") == [format_value(v) for v in var.domain]
        assert lines[-1].startswith(f"{var.name} = ")
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    # --config reads it back, from a file and from stdin.
    path = tmp_path / "mine.toml"
    path.write_text(result.stdout, encoding="utf-8")
    for checked in (
        run("check", "--config", str(path), "--json"),
        CliRunner().invoke(cli, ["check", "--config", "-", "--json"], input=result.stdout),
    ):
        assert checked.exit_code == 0, checked.stderr
        data = json.loads(checked.stdout)
        assert data["verdict"] == "supported" and data["complete"] is True


def test_init_json_hint_names_the_toml_form() -> None:
    result = run("init")
    assert json.loads(result.stdout)  # stdout stays plain JSON: init > mine.json
    assert "syncscope init --format toml" in result.stderr


def test_init_keeps_the_set_values() -> None:
    result = run("init", "--set", "email_system=Exchange 2016", "--set", "deployment=on-premises")
    config = json.loads(result.stdout)
    assert config["email_system"] == "exchange-2016"
    assert config["deployment"] == "on-premises"


def test_init_with_impossible_values_exits_1_with_the_conflict() -> None:
    result = run("init", "--set", "deployment=online", "--set", "email_system=msn")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "admit no valid configuration" in result.stderr
    assert "msn" in result.stderr


def test_init_bad_value_exits_2() -> None:
    result = run("init", "--set", "email_system=gmial")
    assert result.exit_code == 2
    assert "did you mean 'gmail'" in result.stderr


# -- completion ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shell", "fragment"),
    [
        ("bash", "_SYNCSCOPE_COMPLETE=bash_complete"),
        ("zsh", "#compdef syncscope"),
        ("fish", "_SYNCSCOPE_COMPLETE=fish_complete"),
    ],
)
def test_completion_prints_the_script(shell: str, fragment: str) -> None:
    result = run("completion", shell)
    assert result.exit_code == 0
    assert fragment in result.stdout


def test_completion_unknown_shell_exits_2() -> None:
    result = run("completion", "tcsh")
    assert result.exit_code == 2
    assert "tcsh" in result.stderr


def _complete(shell: str, words: str, cword: str) -> list[str]:
    env = {
        **os.environ,
        "_SYNCSCOPE_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": cword,
    }
    out = subprocess.run(
        [str(BIN / "syncscope")], env=env, capture_output=True, text=True, check=True
    ).stdout
    if shell == "bash":
        return [line.split(",", 1)[1] for line in out.splitlines()]
    return [line.split("\t")[0].split(",", 1)[1] for line in out.splitlines()]


def test_bash_completes_commands() -> None:
    assert _complete("bash", "syncscope ", "1") == list(COMMANDS)


def test_bash_completes_options() -> None:
    assert "--fail-on" in _complete("bash", "syncscope check --f", "2")


def test_bash_completes_variables_after_set() -> None:
    names = _complete("bash", "syncscope check --set e", "3")
    assert "email_system=" in names
    assert all(n.startswith("e") for n in names)


def test_bash_completes_values_after_the_equals_sign_it_splits_at() -> None:
    expected = [format_value(v) for v in MODEL.variable("email_system").domain]
    # bash hands "email_system=ex" over as three words; readline replaces only "ex".
    got = _complete("bash", "syncscope check --set email_system = ex", "5")
    assert got == [v for v in expected if v.startswith("ex")]
    assert _complete("bash", "syncscope list --set email_system =", "4") == expected


def test_fish_completes_whole_assignments() -> None:
    got = _complete("fish", "syncscope domains --set mfa=", "mfa=")
    assert got == [f"mfa={format_value(v)}" for v in MODEL.variable("mfa").domain]
