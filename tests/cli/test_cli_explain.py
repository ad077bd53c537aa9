"""``syncscope explain``: contract, text and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from syncscope.model import Level

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
    # One paragraph per cause, then the fixes ranked by cost with their target values;
    # the minimal diagnoses and the values that would not help only with --verbose.
    paragraphs = out.strip().split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[1].startswith("Because ")
    assert paragraphs[2].splitlines()[:4] == [
        "Fixes, cheapest first:",
        "- authentication: impersonation -> server-to-server (cost 3)",
        "- email_system: exchange-online -> exchange-2013-sp1 (cost 60)",
        "- email_system: exchange-online -> exchange-2016 (cost 60)",
    ]
    assert "To make it valid" not in out


def test_verbose_adds_the_diagnoses_and_what_would_not_help() -> None:
    args = ["--set", "deployment=on-premises", "--set", "email_system=other-pop3-smtp"]
    code, out, _ = run("explain", *args)
    assert code == 1 and "To make it valid" not in out
    code, verbose, _ = run("explain", *args, "--verbose")
    assert code == 1 and verbose.rstrip().endswith("To make it valid, change email_system.")
    mixed = {
        "deployment": "on-premises",
        "email_system": "msn",
        "outgoing_protocol": "smtp",
        "authentication": "impersonation",
        "fips_mode": False,
        "mass_email_campaigns": False,
        "mixed_outlook_act_sync": True,
    }
    code, out, _ = run("explain", "--config", "-", stdin=json.dumps(mixed))
    assert code == 1 and "would not help" not in " ".join(out.split())
    code, out, _ = run("explain", "--config", "-", "--verbose", stdin=json.dumps(mixed))
    assert code == 1 and "instead would not help" in " ".join(out.split())


def test_one_paragraph_per_cause_for_online_msn() -> None:
    code, out, _ = run("explain", "--set", "deployment=online", "--set", "email_system=msn")
    assert code == 1
    paragraphs = out.strip().split("\n\n")
    causes = [p for p in paragraphs if p.startswith("Because ")]
    assert len(causes) == 2 and "FIPS 140-2" in causes[0] and "table" in causes[1]
    assert "(“Server-side synchronization in Dynamics 365 (online)" in causes[0]
    assert paragraphs[-1].splitlines()[1] == "- email_system: msn -> gmail (cost 20)"


def test_a_discouraged_configuration_is_explained() -> None:
    args = [
        "--set",
        "email_system=exchange-online",
        "--set",
        "sync_appointments_contacts_tasks=true",
        "--set",
        "mixed_outlook_act_sync=true",
    ]
    code, out, _ = run("explain", *args)
    assert code == 0
    assert out.startswith("! DISCOURAGED:")
    flat = " ".join(out.split())
    assert "Because Microsoft recommends against mixing Outlook synchronization" in flat
    assert "To remove the recommendation: - sync_appointments_contacts_tasks: true -> false" in flat
    code, out, _ = run("explain", *args, "--json")
    data = json.loads(out)
    assert [c["rules"] for c in data["causes"]] == [["note.mixed-act-sync"]]
    assert data["remedies"] == [
        [{"variable": "sync_appointments_contacts_tasks", "from": True, "to": False}],
        [{"variable": "mixed_outlook_act_sync", "from": True, "to": False}],
    ]


def test_a_partial_configuration_says_what_the_unknowns_decide() -> None:
    args = ["--set", "email_system=exchange-online", "--set", "mixed_outlook_act_sync=true"]
    code, out, _ = run("explain", *args)
    assert code == 0
    assert (
        "These settings are supported; discouraged if Appointments, contacts, and tasks"
        " synchronization set to Yes." in " ".join(out.split())
    )
    code, out, _ = run("check", *args)
    assert code == 0
    assert "  supported; discouraged if sync_appointments_contacts_tasks=true" in out


def test_valid_exits_zero() -> None:
    code, out, _ = run("explain", "--set", "email_system=gmail", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["conflicts"] == [] and data["diagnoses"] == [] and data["valid"] is True
    assert data["causes"] == [] and data["fixes"] == []
    code, out, _ = run("explain", "--set", "email_system=gmail")
    assert code == 0 and "These settings are supported." in out


def test_every_command_uses_the_one_table_of_verdict_symbols() -> None:
    from syncscope.cli.render import MARKS

    for args, level in [
        (["explain", *EXO_IMPERSONATION], Level.UNSUPPORTED),
        (["check", *EXO_IMPERSONATION], Level.UNSUPPORTED),
        (
            ["explain", "--set", "email_system=other-pop3-smtp", "--set", "deployment=on-premises"],
            Level.UNTESTED,
        ),
        (
            ["check", "--set", "email_system=other-pop3-smtp", "--set", "deployment=on-premises"],
            Level.UNTESTED,
        ),
    ]:
        _, out, _ = run(*args)
        assert out.startswith(f"{MARKS[level]} {level.id.upper()}:")

    examples = Path(__file__).resolve().parents[2] / "docs" / "examples"
    start, target = (
        str(examples / "onprem-exchange-2010.json"),
        str(examples / "target-online.json"),
    )
    inventory = str(examples / "inventory.csv")
    # nearest: each fix carries its verdict's symbol; no valid configuration is the ✗ line.
    _, out, _ = run("nearest", *EXO_IMPERSONATION)
    assert f"1. {MARKS[Level.SUPPORTED]} [supported] change " in out
    _, out, _ = run(
        "nearest",
        *EXO_IMPERSONATION,
        "--set",
        "mfa=true",
        "--set",
        "fips_mode=true",
        "--keep",
        "authentication",
        "--keep",
        "deployment",
        "--keep",
        "email_system",
    )
    assert out.startswith(f"{MARKS[Level.UNSUPPORTED]} No valid configuration")
    # plan: the plan line, the start and every step.
    _, out, _ = run("plan", "--from", start, "--to", target)
    assert out.startswith(f"{MARKS[Level.SUPPORTED]} Plan: ")
    assert f"{MARKS[Level.UNSUPPORTED]} [unsupported]" in out.splitlines()[1]
    steps = [line for line in out.splitlines() if line.startswith("Step ")]
    assert steps and all(f"{MARKS[Level.SUPPORTED]} [supported]" in line for line in steps)
    # plan --batch: the organisation plan's line.
    _, out, _ = run("plan", "--batch", inventory, "--to", target)
    assert out.startswith(f"{MARKS[Level.UNSUPPORTED]} Organisation plan for 9 mailboxes")
    # domains: each removed value has the mark of the verdict it leads to.
    _, out, _ = run("domains", "--set", "email_system=gmail")
    assert f"  {MARKS[Level.UNSUPPORTED]} ews: table.pop3-smtp" in out
    # list --count: one mark per verdict.
    _, out, _ = run("list", "--count")
    for level in (Level.SUPPORTED, Level.DISCOURAGED, Level.UNTESTED, Level.UNSUPPORTED):
        assert f"  {MARKS[level]} {level.id} " in out
    # batch summary (stderr): each frequent rule with its verdict's mark.
    result = CliRunner().invoke(cli, ["batch", inventory], env=WIDE)
    assert f"  {MARKS[Level.UNSUPPORTED]} table.email-system [unsupported]:" in result.stderr
    # The marks take the verdict's colour, as check's do.
    coloured = CliRunner().invoke(cli, ["--color", "always", "nearest", *EXO_IMPERSONATION]).stdout
    assert "\x1b[32m\x1b[1m✓ [supported]\x1b[0m change" in coloured
    coloured = (
        CliRunner()
        .invoke(cli, ["--color", "always", "domains", "--set", "email_system=gmail"])
        .stdout
    )
    assert "\x1b[31m\x1b[1m✗\x1b[0m ews" in coloured


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
