"""``syncscope nearest`` (and the fix that ``syncscope check`` shows): contract and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from syncscope.cli import cli

EXO_IMPERSONATION = [
    "--set",
    "deployment=online",
    "--set",
    "email_system=Exchange Online",
    "--set",
    "authentication=impersonation",
]


WIDE = {"COLUMNS": "1000"}
"""Lines never wrap here; tests/cli/test_cli_output.py tests the wrapping."""


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin, env=WIDE)
    return result.exit_code, result.stdout, result.stderr


def test_json_contract_and_exit_zero() -> None:
    code, out, _ = run(
        "nearest", *EXO_IMPERSONATION, "--weights", "uniform", "--top", "3", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"cost", "candidates", "more"}
    assert data["cost"] == 1
    assert data["more"] is True  # moving the deployment is a fourth, organisation-wide, fix
    assert len(data["candidates"]) == 3
    first = data["candidates"][2]
    assert set(first) == {"configuration", "changes", "cost", "verdict", "advice"}
    # Equal costs: mailbox changes come before profile changes, organisation ones last.
    assert first["changes"] == [
        {"variable": "authentication", "from": "impersonation", "to": "server-to-server"}
    ]
    assert first["cost"] == 1 and first["verdict"] == "supported"
    assert len(first["configuration"]) == 19


def test_unreachable_exits_one_with_null_cost_and_the_conflict() -> None:
    keep = ["--keep", "deployment", "--keep", "email_system", "--keep", "authentication"]
    code, out, _ = run("nearest", *EXO_IMPERSONATION, *keep, "--json")
    assert code == 1
    data = json.loads(out)
    assert data["cost"] is None and data["candidates"] == [] and data["more"] is False
    assert data["conflict"]["rules"] == ["exo.impersonation"]
    assert data["conflict"]["settings"] == {
        "deployment": "online",
        "email_system": "exchange-online",
        "authentication": "impersonation",
    }
    code, out, _ = run("nearest", *EXO_IMPERSONATION, *keep)
    assert code == 1
    assert "No valid configuration keeps the kept settings" in out
    assert "Using Impersonation" in out


def test_keep_holds_a_value() -> None:
    code, out, _ = run("nearest", *EXO_IMPERSONATION, "--keep", "authentication", "--json")
    assert code == 0
    for candidate in json.loads(out)["candidates"]:
        assert candidate["configuration"]["authentication"] == "impersonation"


def test_weights_files(tmp_path: Path) -> None:
    toml = tmp_path / "w.toml"
    toml.write_text("authentication = 500\nemail_system = 1\n", encoding="utf-8")
    js = tmp_path / "w.json"
    js.write_text(json.dumps({"weights": {"authentication": 500, "email_system": 1}}), "utf-8")
    for path in (toml, js):
        code, out, _ = run("nearest", *EXO_IMPERSONATION, "--weights", str(path), "--json")
        assert code == 0
        data = json.loads(out)
        assert data["cost"] == 1
        assert [c["variable"] for c in data["candidates"][0]["changes"]] == ["email_system"]


def test_config_file_and_arrays(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text(
        json.dumps([{"email_system": "gmail"}, {"mass_email_campaigns": True}]), "utf-8"
    )
    code, out, _ = run("nearest", "--config", str(path), "--json", "--top", "1")
    assert code == 0
    data = json.loads(out)
    assert [d["cost"] for d in data] == [0, 5]
    code, out, _ = run("nearest", "--config", "-", "--json", stdin='{"mfa": "yes"}')
    assert code == 0 and json.loads(out)["cost"] == 0


def test_human_output() -> None:
    code, out, _ = run("nearest", *EXO_IMPERSONATION, "--top", "1")
    assert code == 0
    assert out.startswith("1 fix, cost 3\n")
    change = "change authentication: impersonation -> server-to-server (cost 3)"
    assert f"1. ✓ [supported] {change}" in out


def test_top_counts_distinct_fixes_not_completions() -> None:
    args = ["nearest", "--set", "deployment=online", "--set", "email_system=exchange-2010"]
    code, out, _ = run(*args, "--top", "5", "--json")
    candidates = json.loads(out)["candidates"]
    fixes = [json.dumps(c["changes"]) for c in candidates]
    assert len(set(fixes)) == len(fixes) == 5  # five distinct fixes, each once
    cheapest = [c for c in candidates if c["cost"] == json.loads(out)["cost"] == 30]
    assert {c["changes"][0]["to"] for c in cheapest} == {"exchange-2013-sp1", "exchange-2016"}
    costs = [c["cost"] for c in candidates]
    assert costs == sorted(costs) and costs[2] > 30  # then past the minimum, cheapest first
    code, out, _ = run(*args, "--top", "5")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"5 fixes, cheapest first (cost 30–{costs[-1]:g})"
    assert lines[1] == (
        "1. ✓ [supported] change email_system: exchange-2010 -> exchange-2013-sp1 (cost 30)"
    )


def test_policy_fixes_read_as_advice() -> None:
    args = ["nearest", "--set", "deployment=online", "--set", "email_system=exchange-2016"]
    code, out, _ = run(*args, "--set", "mfa=yes", "--keep", "email_system", "--keep", "deployment")
    assert code == 0
    assert "connect with a service account that has no multi-factor authentication" in out


def test_array_entry_errors_name_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text(
        json.dumps([{"deployment": "online"}, {"email_system": "gmail"}]), encoding="utf-8"
    )
    code, out, err = run("nearest", "--config", str(path), "--keep", "deployment")
    assert code == 2 and out == ""
    assert (
        err
        == "error: configuration #2: cannot keep deployment: the configuration does not set it\n"
    )


def test_top_must_be_positive() -> None:
    for value in ("0", "-3"):
        code, out, err = run("nearest", *EXO_IMPERSONATION, "--top", value)
        assert code == 2 and out == ""
        assert "'--top'" in err and value in err and "x>=1" in err


def test_bad_input_exits_two() -> None:
    cases = [
        ("--keep", "ports"),
        ("--keep", "deploymnt"),
        ("--weights", "nowhere.json"),
        ("--weights", "heavy"),
        ("--top", "0"),
    ]
    for extra in cases:
        code, _, err = run("nearest", *EXO_IMPERSONATION, *extra)
        assert code == 2, extra
        assert "Traceback" not in err
    code, _, err = run("nearest", "--keep", "deploymnt", *EXO_IMPERSONATION)
    assert "did you mean 'deployment'" in err
    code, _, err = run("nearest", "--set", "email_system=gmial")
    assert code == 2 and "did you mean 'gmail'" in err


def test_bad_weights_file_names_the_file_and_variable(tmp_path: Path) -> None:
    path = tmp_path / "w.toml"
    path.write_text("ports = -1\n", encoding="utf-8")
    code, _, err = run("nearest", *EXO_IMPERSONATION, "--weights", str(path))
    assert code == 2
    assert str(path) in err and "ports" in err


def test_check_shows_the_fix() -> None:
    code, out, _ = run("check", *EXO_IMPERSONATION, "--json")
    assert code == 1
    assert json.loads(out)["fix"] == [
        {"variable": "authentication", "from": "impersonation", "to": "server-to-server"}
    ]
    code, out, _ = run("check", *EXO_IMPERSONATION)
    assert "fix: authentication: impersonation -> server-to-server" in out
    code, out, _ = run("check", "--set", "email_system=gmail", "--json")
    assert code == 0 and "fix" not in json.loads(out)


def test_weights_file_prices_single_changes(tmp_path: Path) -> None:
    args = ["nearest", "--set", "deployment=online", "--set", "email_system=exchange-2013"]
    code, out, _ = run(*args, "--json")
    assert code == 0
    assert json.loads(out)["candidates"][0]["changes"][0]["to"] == "exchange-2013-sp1"
    path = tmp_path / "w.toml"
    path.write_text('[weights.email_system]\n"Exchange 2013 -> Exchange 2013 SP1" = 100\n')
    code, out, _ = run(*args, "--weights", str(path), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["cost"] == 30  # the service pack now costs more than an upgrade to 2016
    assert data["candidates"][0]["changes"][0]["to"] == "exchange-2016"
    path.write_text('[weights.email_system]\n"Exchange 2013 -> Exchnage 2016" = 1\n')
    code, _, err = run(*args, "--weights", str(path))
    assert code == 2 and str(path) in err and "did you mean" in err
