"""``syncscope domains``: JSON contract, the human view, conflicts and exit codes."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from syncscope.model import format_value
from syncscope.solver.diagram.space import Space

import syncscope
from syncscope.cli import cli
from syncscope.cli.domains import shorten


def run(*args: str, columns: int = 110) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": str(columns)})
    return result.exit_code, result.stdout, result.stderr


def test_json_contract(space: Space) -> None:
    code, out, _ = run("domains", "--json", "--set", "email_system=Gmail")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"fixed", "domains"}
    assert data["fixed"] == {"email_system": "gmail"}
    assert set(data["domains"]) == set(space.model.names) - {"email_system"}
    for entry in data["domains"].values():
        assert set(entry) == {"allowed", "removed"}
        assert all(isinstance(ids, list) and ids for ids in entry["removed"].values())
    assert data["domains"]["incoming_protocol"] == {
        "allowed": ["pop3"],
        "removed": {"ews": ["table.pop3-smtp"], "imap": ["table.pop3-smtp"]},
    }
    assert data["domains"]["fips_mode"] == {"allowed": [True, False], "removed": {}}
    assert data["domains"]["customer_key"] == {
        "allowed": [False],
        "removed": {"true": ["important.customer-key"]},
    }
    assert data == syncscope.domains({"email_system": "gmail"}).to_dict()


def test_json_with_nothing_fixed() -> None:
    code, out, _ = run("domains", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["fixed"] == {}
    email = data["domains"]["email_system"]
    assert "exchange-2010" in email["removed"] and "gmail" in email["allowed"]
    assert data["domains"]["mass_email_campaigns"]["removed"] == {
        "true": ["unsupported.mass-email"]
    }


def test_human_view_lists_values_and_reasons() -> None:
    code, out, _ = run("domains", "--set", "deployment=online", "--set", "email_system=EXO")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Fixed: deployment=online, email_system=exchange-online"
    auth = next(i for i, line in enumerate(lines) if line.startswith("authentication "))
    assert lines[auth].split() == ["authentication", "server-to-server"]
    assert lines[auth + 1].startswith(
        "  ✗ user-or-queue-credentials: exo.user-or-queue-credentials — Dynamics 365 (online)"
    )
    assert "  ✗ false: exo.different-tenant — " in out
    assert max(len(line) for line in lines if "✗" in line) <= 110


def test_impossible_set_reports_the_conflict_and_exits_1() -> None:
    args = ["domains", "--set", "email_system=gmail", "--set", "authentication=s2s"]
    code, out, err = run(*args)
    assert code == 1 and out == ""
    assert "important.profile-type" in err and "facts.server-to-server-profile" in err
    code, out, _ = run(*args, "--json")
    assert code == 1
    data = json.loads(out)
    assert data["fixed"] == {"email_system": "gmail", "authentication": "server-to-server"}
    # The one conflict shape (as in list, nearest and explain): rule ids, then findings.
    assert data["conflict"]["rules"] == [
        "important.profile-type",
        "facts.server-to-server-profile",
    ]
    assert [r["rule"] for r in data["conflict"]["reasons"]] == data["conflict"]["rules"]
    assert all(r["level"] == "unsupported" for r in data["conflict"]["reasons"])
    assert data["conflict"]["settings"] == data["fixed"]
    assert "no valid configuration" in data["error"]


def test_bad_input_exits_2() -> None:
    code, _, err = run("domains", "--set", "emial_system=gmail")
    assert code == 2
    assert "did you mean 'email_system'" in err
    code, _, err = run("domains", "--set", "ports=7")
    assert code == 2 and "unknown value '7' for ports" in err


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("short", 10) == "short"
    text = "The table's POP3/SMTP rows use POP3 for incoming and SMTP for outgoing email."
    cut = shorten(text, 30)
    assert cut.endswith("…") and len(cut) <= 30 and text.startswith(cut[:-1])


@pytest.mark.parametrize("columns", [80, 120])
def test_long_reasons_are_shown_whole_wrapped_to_the_width(columns: int) -> None:
    code, out, _ = run("domains", "--set", "email_system=gmail", columns=columns)
    assert code == 0 and "…" not in out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= columns
    found = syncscope.domains({"email_system": "gmail"})
    names = max(len(name) for name in found.domains)
    blocks = re.split(r"\n  [✓~!?✗] ", out)  # each removed value, its wrapped lines joined
    shown = [" ".join(part.split()) for part in blocks[1:]]
    reasons = 0
    for name, domain in found.domains.items():
        # The name column is as wide as the longest name, whatever the terminal width.
        row = next(line for line in lines if line.split(" ", 1)[0] == name)
        assert row[names : names + 2] == "  " and row[names + 2] != " "
        for removed in domain.removed:
            reason = " ".join(rule.message for rule in removed.rules)
            head = f"{format_value(removed.value)}: "
            head += ", ".join(r.id for r in removed.rules)
            assert any(s.startswith(head + " — ") and reason in s for s in shown), reason
            reasons += 1
    assert reasons == len(shown)
    longest = max(
        (
            " ".join(r.message for r in removed.rules)
            for d in found.domains.values()
            for removed in d.removed
        ),
        key=len,
    )
    assert len(longest) > columns  # the test shows a reason longer than a line
