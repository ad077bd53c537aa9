"""``syncscope explain``: contract, text and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from syncscope.cli import cli

WIDE = {"COLUMNS": "1000"}
"""Lines never wrap here; tests/cli/test_cli_output.py tests the wrapping."""


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin, env=WIDE)
    return result.exit_code, result.stdout, result.stderr


EXO_IMPERSONATION = [
    "--set",
    "deployment=online",
    "--set",
    "email_system=Exchange Online",
    "--set",
    "authentication=impersonation",
]


def test_invalid_exits_one_with_the_json_contract() -> None:
    code, out, _ = run("explain", *EXO_IMPERSONATION, "--json")
    assert code == 1
    data = json.loads(out)
    assert [(c["settings"], c["rules"]) for c in data["conflicts"]] == [
        (
            {
                "deployment": "online",
                "email_system": "exchange-online",
                "authentication": "impersonation",
            },
            ["exo.impersonation"],
        )
    ]
    assert data["conflicts"][0]["reasons"][0]["source"]["quote"] == "Using Impersonation"
    assert data["diagnoses"] == [["deployment"], ["email_system"], ["authentication"]]
    assert data["valid"] is False and data["more"] is False
    assert data["text"].startswith("Because Dynamics 365 (online) with Exchange Online")


def test_human_text() -> None:
    code, out, _ = run("explain", *EXO_IMPERSONATION)
    assert code == 1
    assert out.startswith("✗ UNSUPPORTED: deployment=online")
    flat = " ".join(out.split())
    assert (
        "(“Using Impersonation”), and you chose Impersonation, this setup is unsupported." in flat
    )
    assert (
        "To make it valid, change one of these sets:"
        " {deployment}; {email_system}; {authentication}." in flat
    )


def test_valid_exits_zero() -> None:
    code, out, _ = run("explain", "--set", "email_system=gmail", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["conflicts"] == [] and data["diagnoses"] == [] and data["valid"] is True
    code, out, _ = run("explain", "--set", "email_system=gmail")
    assert code == 0 and "valid" in out


def test_config_arrays_and_stdin(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([{"email_system": "gmail"}, {"mass_email_campaigns": "yes"}]))
    code, out, _ = run("explain", "--config", str(path), "--json")
    assert code == 1
    data = json.loads(out)
    assert [d["valid"] for d in data] == [True, False]
    assert data[1]["conflicts"][0]["rules"] == ["unsupported.mass-email"]
    code, out, _ = run("explain", "--config", "-", stdin='{"customer_key": true}')
    assert code == 0


def test_bad_input_exits_two() -> None:
    code, _, err = run("explain", "--set", "emial_system=gmail")
    assert code == 2 and "did you mean 'email_system'" in err
    code, _, err = run("explain", "--config", "-", stdin="{not json")
    assert code == 2 and "malformed JSON" in err
    code, _, err = run("explain", "--config", "-", stdin="[1]")
    assert code == 2 and "configuration #1" in err
