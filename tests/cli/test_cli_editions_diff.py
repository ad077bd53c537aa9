"""--edition and --rules as group options, ``syncscope diff`` and ``check --against``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from syncscope.model.editions import edition_ids

import syncscope
from syncscope.cli import cli

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "docs" / "examples" / "policies"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def run_json(*args: str) -> tuple[Result, Any]:
    result = run(*args, "--json")
    return result, json.loads(result.stdout)


@pytest.mark.parametrize(
    "args",
    [
        ["--edition", "online-2022-01", "list", "--count"],
        ["list", "--count", "--edition", "online-2022-01"],
        ["list", "--edition=online-2022-01", "--count"],
    ],
    ids=["before", "after", "equals"],
)
def test_edition_before_or_after_the_subcommand(args: list[str]) -> None:
    result, data = run_json(*args)
    assert result.exit_code == 0
    assert data == syncscope.count(edition="online-2022-01").to_dict()
    assert data != syncscope.count().to_dict()


def test_every_command_takes_the_edition() -> None:
    result, data = run_json("check", "--edition", "online-2020-10", "--set", "version=9.2")
    assert result.exit_code == 0 and data["configuration"]["version"] == "9.2"
    result = run("check", "--set", "version=9.2")  # not in the seed's cover
    assert (result.exit_code == 2 and "pre-9.0" in result.stderr) or "online" in result.stderr


def test_model_and_edition_together_are_refused() -> None:
    result = run(
        "--model",
        str(ROOT / "model" / "data" / "seed.toml"),
        "--edition",
        "pre-9.0",
        "list",
        "--count",
    )
    assert result.exit_code == 2
    assert "not both" in result.stderr


def test_unknown_edition_suggests() -> None:
    result = run("--edition", "online-2022", "list", "--count")
    assert result.exit_code == 2 and "online-2022-01" in result.stderr


def test_api_model_and_edition_together_are_refused() -> None:
    with pytest.raises(syncscope.ConfigurationError, match="not both"):
        syncscope.check({}, model=syncscope.load_model(), edition="pre-9.0")


# -- policy overlays ---------------------------------------------------------------------------


def test_policy_findings_say_your_policy() -> None:
    gmail = ["--set", "deployment=online", "--set", "email_system=gmail"]
    result, data = run_json("--rules", str(POLICIES / "no-gmail.toml"), "check", *gmail)
    assert result.exit_code == 1
    (finding,) = data["findings"]
    assert finding["rule"] == "policy.no-gmail"
    assert finding["source"]["document"] == "policy"
    assert finding["source"]["section"].startswith("your policy (no-gmail.toml)")
    assert run("check", *gmail).exit_code == 0


@pytest.mark.parametrize("edition", edition_ids())
@pytest.mark.parametrize("policy", ["no-pop3", "mfa-required", "no-gmail"])
def test_every_example_policy_loads_on_every_edition_and_only_narrows(
    edition: str, policy: str
) -> None:
    plain = syncscope.count(edition=edition)
    model = syncscope.load_model(edition=edition, rules=[POLICIES / f"{policy}.toml"])
    narrowed = syncscope.count(model=model)
    assert 0 < narrowed.valid < plain.valid
    assert narrowed.total == plain.total


def _policy(tmp_path: Path, body: str) -> str:
    path = tmp_path / "mine.toml"
    path.write_text(body, encoding="utf-8")
    return str(path)


RULE = """
[[rules]]
id = "r1"
level = "unsupported"
message = "m"
{body}
source = {{ document = "policy", section = "s", quote = "free text" }}
"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('forbid = { email_sytem = "gmail" }', "unknown variable 'email_sytem'"),
        ('forbid = { email_system = "gmial" }', "unknown value 'gmial'"),
        ('require = { email_system = "exchange-2003" }', "leaves no valid configuration"),
    ],
    ids=["variable", "value", "conflict"],
)
def test_a_bad_policy_names_its_file_and_rule(tmp_path: Path, body: str, expected: str) -> None:
    path = _policy(tmp_path, RULE.format(body=body))
    result = run("--edition", "online-2022-01", "--rules", path, "list", "--count")
    assert result.exit_code == 2
    assert "mine.toml" in result.stderr and "policy.r1" in result.stderr
    assert expected in result.stderr
    with pytest.raises(syncscope.ModelError):
        syncscope.load_model(edition="online-2022-01", rules=[path])


# -- diff ------------------------------------------------------------------------------------


def test_diff_json_matches_the_api() -> None:
    result, data = run_json("diff", "pre-9.0", "online-2022-01", "--set", "email_system=gmail")
    assert result.exit_code == 0
    assert data == syncscope.diff("pre-9.0", "online-2022-01", {"email_system": "gmail"}).to_dict()
    assert sum(t["configurations"] for t in data["transitions"]) == data["total"]
    assert data["became_supported"]["count"] == 64


def test_diff_text_names_both_tables_and_the_rules() -> None:
    result = run("diff", "9.x-2019-06", "online-2020-10")
    assert result.exit_code == 0, result.output
    assert "No longer valid under online-2020-10" in result.stdout
    assert "Newly valid under online-2020-10" in result.stdout
    assert "Rules:" in result.stdout and "“" in result.stdout


def test_diff_honours_policies() -> None:
    plain = syncscope.diff("online-2020-10", "online-2022-01")
    policy = syncscope.diff("online-2020-10", "online-2022-01", rules=[POLICIES / "no-gmail.toml"])
    assert policy.total == plain.total
    valid_b = sum(n for (_, y), n in policy.transitions.items() if y.valid)
    assert valid_b < sum(n for (_, y), n in plain.transitions.items() if y.valid)
    assert all("gmail" not in row.cells["email_system"] for row in policy.became_supported.rows)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["diff", "pre-9.0", "online-2099"], "online-2022-01"),
        (["diff", "pre-9.0", "online-2022-01", "--set", "deployment=on-premises"], "deployment"),
        (["diff", "pre-9.0", "online-2022-01", "--set", "emial=gmail"], "unknown variable"),
        (["diff", "pre-9.0", "online-2022-01", "--set", "gmail"], "VAR=VALUE"),
    ],
    ids=["edition", "outside-cover", "variable", "malformed"],
)
def test_diff_bad_input_exits_2(args: list[str], expected: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.output


def test_diff_pins_a_projected_variable_on_its_side() -> None:
    found = syncscope.diff("pre-9.0", "online-2022-01", {"version": "8.2", "ports": "default"})
    assert found.fixed["a"] == {"version": "8.2", "ports": "default"}
    assert dict(found.fixed["b"]) == {}


# -- check --against ----------------------------------------------------------------------------


def test_check_against_reports_both_verdicts_and_exits_by_the_target() -> None:
    imap = [
        "--set",
        "deployment=online",
        "--set",
        "email_system=gmail",
        "--set",
        "incoming_protocol=imap",
    ]
    result, data = run_json("check", "--edition", "pre-9.0", "--against", "online-2022-01", *imap)
    assert result.exit_code == 0
    assert data["before"]["verdict"] == "unsupported"
    assert data["after"]["verdict"] == "supported"
    assert [f["rule"] for f in data["disappeared"]]
    assert data["nearest"]["cost"] == 0
    result = run("check", "--edition", "online-2022-01", "--against", "pre-9.0", *imap)
    assert result.exit_code == 1
    assert "Nearest valid under pre-9.0" in result.stdout


def test_check_against_drops_what_the_target_cannot_express() -> None:
    mine = json.loads((ROOT / "docs" / "examples" / "gmail-online.json").read_text())
    found = syncscope.check_against(mine, "pre-9.0", "online-2022-01")
    assert found.dropped["version"] == mine["version"]
    assert "version" not in found.after.configuration
    assert found.after.valid
