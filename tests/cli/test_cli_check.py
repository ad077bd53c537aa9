"""``syncscope check`` and ``syncscope rules``: exit codes, JSON contract, input errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from syncscope.model import Model

from syncscope.cli import cli

ROOT = Path(__file__).resolve().parents[2]

VALID_GMAIL = {"deployment": "online", "email_system": "gmail"}


WIDE = {"COLUMNS": "1000"}
"""Lines never wrap here; tests/cli/test_cli_output.py tests the wrapping."""


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, env=WIDE)


def run_json(*args: str, stdin: str | None = None) -> tuple[Result, Any]:
    result = run(*args, "--json", stdin=stdin)
    return result, json.loads(result.stdout)


def write(tmp_path: Path, data: object, name: str = "cases.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


# -- exit codes ---------------------------------------------------------------------------------

EXIT_CASES = [
    ("supported", ["deployment=online", "email_system=gmail"], 0, "supported"),
    (
        "discouraged",
        ["sync_appointments_contacts_tasks=yes", "mixed_outlook_act_sync=yes"],
        0,
        "discouraged",
    ),
    ("untested", ["deployment=on-premises", "email_system=other-pop3-smtp"], 1, "untested"),
    ("unsupported", ["deployment=online", "email_system=msn"], 1, "unsupported"),
    ("partial-nothing", [], 0, "supported"),
]


@pytest.mark.parametrize(
    ("sets", "code", "verdict"), [c[1:] for c in EXIT_CASES], ids=[c[0] for c in EXIT_CASES]
)
def test_exit_code_follows_the_verdict(sets: list[str], code: int, verdict: str) -> None:
    args = [a for s in sets for a in ("--set", s)]
    result, data = run_json("check", *args)
    assert result.exit_code == code
    assert data["verdict"] == verdict
    human = run("check", *args)
    assert human.exit_code == code
    assert verdict.upper() in human.stdout


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--set", "emial_system=gmail"], ["unknown variable 'emial_system'", "'email_system'"]),
        (["--set", "email_system=gmial"], ["unknown value 'gmial'", "did you mean 'gmail'"]),
        (["--set", "deployment=onlin"], ["unknown value 'onlin'", "did you mean 'online'"]),
        (["--set", "mfa=maybe"], ["unknown value 'maybe'", "mfa"]),
        (["--set", "deployment"], ["expected VAR=VALUE"]),
    ],
    ids=["variable", "value", "deployment", "bool", "no-equals"],
)
def test_bad_settings_exit_2_with_did_you_mean(args: list[str], fragments: list[str]) -> None:
    result = run("check", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    for fragment in fragments:
        assert fragment in result.stderr
    assert "Traceback" not in result.output


def test_unknown_value_in_a_config_file(tmp_path: Path) -> None:
    path = write(tmp_path, [VALID_GMAIL, {"email_system": "Gmale"}])
    result = run("check", "--config", path)
    assert result.exit_code == 2
    assert "configuration #2" in result.stderr
    assert "did you mean 'gmail'" in result.stderr


def test_malformed_json_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "email_system": "gmail",\n  "mfa" true\n}\n', encoding="utf-8")
    result = run("check", "--config", str(path))
    assert result.exit_code == 2
    assert str(path) in result.stderr
    assert "line 3" in result.stderr
    assert "Traceback" not in result.output


def test_malformed_json_on_stdin() -> None:
    result = run("check", "--config", "-", stdin="[{]")
    assert result.exit_code == 2
    assert "<stdin>" in result.stderr and "line 1" in result.stderr


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_unreadable_file_exits_2(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "absent.json" if kind == "missing" else tmp_path
    result = run("check", "--config", str(target))
    assert result.exit_code == 2
    assert str(target) in result.stderr
    assert "cannot read" in result.stderr


@pytest.mark.parametrize("item", [["gmail"], "gmail", 3])
def test_non_object_configuration_exits_2(tmp_path: Path, item: object) -> None:
    result = run("check", "--config", write(tmp_path, [VALID_GMAIL, item]))
    assert result.exit_code == 2
    assert "configuration #2" in result.stderr
    assert "JSON object" in result.stderr


# -- JSON output ------------------------------------------------------------------------------


def _assert_contract(item: dict[str, Any]) -> None:
    assert {"verdict", "configuration", "findings"} <= set(item)
    assert item["verdict"] in {"supported", "discouraged", "untested", "unsupported"}
    assert isinstance(item["configuration"], dict)
    for finding in item["findings"]:
        assert set(finding) == {"rule", "level", "message", "source"}
        source = finding["source"]
        assert set(source) == {"document", "section", "quote", "quotes"}
        assert all(isinstance(source[k], str) and source[k] for k in ("document", "section"))
        assert isinstance(source["quotes"], list) and source["quotes"]
        assert all(isinstance(q, str) and q for q in source["quotes"])
        assert source["quote"] == source["quotes"][0]


def test_array_in_gives_array_out_in_order(tmp_path: Path) -> None:
    cases = [
        {"deployment": "online", "email_system": "msn"},
        VALID_GMAIL,
        {"deployment": "on-premises", "email_system": "Other POP3/SMTP server"},
        {"email_system": "Exchange Server 2013 SP1", "deployment": "on premises"},
    ]
    result, data = run_json("check", "--config", write(tmp_path, cases))
    assert result.exit_code == 1
    assert isinstance(data, list)
    assert [d["verdict"] for d in data] == ["unsupported", "supported", "untested", "supported"]
    assert [d["configuration"].get("email_system") for d in data] == [
        "msn",
        "gmail",
        "other-pop3-smtp",
        "exchange-2013-sp1",
    ]
    for item in data:
        _assert_contract(item)


def test_array_of_valid_configurations_exits_0(tmp_path: Path) -> None:
    result, data = run_json("check", "--config", write(tmp_path, [VALID_GMAIL, {}]))
    assert result.exit_code == 0
    assert [d["verdict"] for d in data] == ["supported", "supported"]


def test_single_object_gives_a_single_object(tmp_path: Path) -> None:
    result, data = run_json("check", "--config", write(tmp_path, VALID_GMAIL))
    assert result.exit_code == 0
    assert isinstance(data, dict)
    _assert_contract(data)


def test_config_from_stdin() -> None:
    result, data = run_json("check", "--config", "-", stdin=json.dumps([VALID_GMAIL, VALID_GMAIL]))
    assert result.exit_code == 0
    assert len(data) == 2


def test_set_applies_over_every_configuration(tmp_path: Path) -> None:
    path = write(tmp_path, [VALID_GMAIL, {"email_system": "yahoo-mail"}])
    result, data = run_json("check", "--config", path, "--set", "deployment=on-premises")
    assert result.exit_code == 0
    assert [d["configuration"]["deployment"] for d in data] == ["on-premises", "on-premises"]


def test_sample_configuration_follows_the_contract() -> None:
    result, data = run_json("check", "--config", str(ROOT / "docs" / "examples" / "sample.json"))
    assert result.exit_code == 1
    _assert_contract(data)
    assert data["verdict"] == "unsupported"
    assert [f["rule"] for f in data["findings"]] == ["exo.impersonation"]
    assert len(data["configuration"]) == 19


def test_booleans_are_json_booleans() -> None:
    result, data = run_json(
        "check", "--set", "mfa=YES", "--set", "fips_mode=False", "--set", "customer_key=no"
    )
    assert data["configuration"] == {"fips_mode": False, "mfa": True, "customer_key": False}
    assert '"mfa": true' in result.stdout
    assert '"fips_mode": false' in result.stdout


@pytest.mark.parametrize("spelling", ["yes", "YES", "Yes", "true", "TRUE", "True"])
def test_yes_true_in_any_case(tmp_path: Path, spelling: str) -> None:
    via_set = run_json("check", "--set", f"mass_email_campaigns={spelling}")[1]
    via_file = run_json("check", "--config", write(tmp_path, {"mass_email_campaigns": spelling}))
    for data in (via_set, via_file[1]):
        assert data["configuration"] == {"mass_email_campaigns": True}
        assert data["verdict"] == "unsupported"


@pytest.mark.parametrize("spelling", ["no", "NO", "No", "false", "FALSE", "False"])
def test_no_false_in_any_case(spelling: str) -> None:
    data = run_json("check", "--set", f"mass_email_campaigns={spelling}")[1]
    assert data["configuration"] == {"mass_email_campaigns": False}


def test_json_booleans_in_the_file(tmp_path: Path) -> None:
    data = run_json("check", "--config", write(tmp_path, {"mfa": True, "fips_mode": False}))[1]
    assert data["configuration"] == {"fips_mode": False, "mfa": True}


def test_output_is_deterministic(tmp_path: Path) -> None:
    path = write(tmp_path, [{"deployment": "online", "email_system": "msn"}, VALID_GMAIL])
    first = run("check", "--json", "--config", path).stdout
    assert run("check", "--json", "--config", path).stdout == first


# -- human output -----------------------------------------------------------------------------


def test_human_output_quotes_each_finding(model: Model) -> None:
    result = run("check", "--set", "deployment=online", "--set", "email_system=msn")
    assert result.exit_code == 1
    assert "UNSUPPORTED" in result.stdout
    for rule_id in ("table.email-system", "unsupported.fips"):
        rule = model.rule(rule_id)
        assert rule_id in result.stdout
        assert rule.source.quote in result.stdout


def test_help_documents_exit_codes() -> None:
    result = run("check", "--help")
    assert result.exit_code == 0
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert "Exit codes:" in lines
    assert "0 every configuration is valid (supported, limited or discouraged)" in lines
    assert "1 some configuration is untested or unsupported" in lines
    assert "(with --fail-on LEVEL: some configuration is at LEVEL or worse)" in lines
    assert any(line.startswith("2 bad input") for line in lines)


# -- rules ------------------------------------------------------------------------------------


def test_rules_json_lists_every_rule_with_its_source(model: Model) -> None:
    result, data = run_json("rules")
    assert result.exit_code == 0
    assert [r["id"] for r in data] == [r.id for r in model.rules]
    for item, rule in zip(data, model.rules, strict=True):
        assert item["level"] == rule.level.id
        assert item["source"] == rule.source.to_dict()
        assert item["variables"] == list(rule.variables)
        assert item["condition"]


def test_rules_text_lists_every_rule(model: Model) -> None:
    result = run("rules")
    assert result.exit_code == 0
    for rule in model.rules:
        assert rule.id in result.stdout


# -- another rule set -------------------------------------------------------------------------

TINY = """\
[[documents]]
id = "doc"
title = "Doc"
path = "doc.txt"

[variables.color]
label = "Color"
values = [{ id = "red", label = "Red" }, { id = "blue", label = "Blue" }]

[[rules]]
id = "no-red"
level = "untested"
message = "Red was never tried."
forbid = { color = "red" }
source = { document = "doc", section = "S", quote = "Red was never tried." }
"""


def test_model_option_uses_another_rule_set(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text("Red was never tried.\n", encoding="utf-8")
    rules = tmp_path / "tiny.toml"
    rules.write_text(TINY, encoding="utf-8")
    result = run("--model", str(rules), "check", "--json", "--set", "color=RED")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["verdict"] == "untested"
    assert [f["rule"] for f in data["findings"]] == ["no-red"]


def test_broken_model_file_exits_2(tmp_path: Path) -> None:
    rules = tmp_path / "tiny.toml"
    rules.write_text(TINY, encoding="utf-8")  # doc.txt is missing
    result = run("--model", str(rules), "check")
    assert result.exit_code == 2
    assert str(rules) in result.stderr
    assert "document doc" in result.stderr


def test_a_mistyped_command_gets_a_did_you_mean() -> None:
    result = CliRunner().invoke(cli, ["chek"])
    assert result.exit_code == 2
    assert "no such command 'chek'; did you mean 'check'?" in result.output


def test_config_given_twice_is_refused() -> None:
    result = CliRunner().invoke(cli, ["check", "--config", "a.json", "--config", "b.json"])
    assert result.exit_code == 2
    assert "given more than once" in result.output


def test_a_key_given_twice_in_one_object_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text('{"deployment": "online", "deployment": "on-premises"}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--config", str(path)])
    assert result.exit_code == 2
    assert "the key 'deployment' appears twice" in result.output


ADMIN_WORDS = [
    ("deployment", "hybrid", "on-premises"),
    ("email_system", "hybrid", "exchange-online"),
    ("email_system", "O365", "exchange-online"),
    ("email_system", "Office 365", "exchange-online"),
    ("email_system", "Microsoft 365", "exchange-online"),
    ("email_system", "Exchange Online (Hybrid)", "exchange-online"),
    ("email_system", "Hotmail", "outlook-com"),
    ("email_system", "Live", "windows-live-mail"),
    ("email_system", "Microsoft Exchange Server 2016", "exchange-2016"),
    ("email_system", "microsoft exchange server 2013 sp1", "exchange-2013-sp1"),
    ("profile_type", "Exchange Online (Hybrid)", "exchange-online"),
    ("profile_type", "Exchange Server (Hybrid)", "exchange-server"),
]


@pytest.mark.parametrize(("variable", "word", "value"), ADMIN_WORDS, ids=lambda x: str(x))
def test_the_words_admins_type_are_aliases(variable: str, word: str, value: str) -> None:
    result, data = run_json("check", "--json", "--set", f"{variable}={word}")
    assert result.exit_code in (0, 1), result.output
    assert data["configuration"][variable] == value


def test_the_page_hybrid_deployment_is_on_premises_with_exchange_online() -> None:
    # "a hybrid deployment: Dynamics 365 (on-premises) with Exchange Online" (the page's words)
    result, data = run_json(
        "check",
        "--json",
        "--set",
        "deployment=hybrid",
        "--set",
        "email_system=hybrid",
        "--set",
        "outlook_on_the_web=true",
    )
    assert result.exit_code == 1
    assert data["configuration"]["deployment"] == "on-premises"
    assert "important.owa-hybrid" in {f["rule"] for f in data["findings"]}


def test_version_9_is_covered_by_a_later_page() -> None:
    result = run("check", "--set", "version=9.0")
    assert result.exit_code == 2
    assert "version=9.0 is outside the cover of edition 'pre-9.0'" in result.stderr
    assert "editions that cover it: 9.x-" in result.stderr
    assert "did you mean" not in result.stderr


@pytest.mark.parametrize("typed", ["9", "v9", "9.x"])
def test_version_9_as_admins_type_it_is_covered_by_later_pages(typed: str) -> None:
    result = run("check", "--set", f"version={typed}")
    assert result.exit_code == 2
    assert f"version={typed} (9.0, 9.1, 9.2) is outside the cover of edition 'pre-9.0'" in (
        result.stderr
    )
    assert "9.0: 9.x-2018-07" in result.stderr
    assert "unknown value" not in result.stderr and "did you mean" not in result.stderr


def test_human_output_quotes_the_table_row_of_the_deployment(model: Model) -> None:
    rule = model.rule("table.pop3-smtp")
    on_premises, online = rule.source.quotes
    settings = ["--set", "email_system=gmail", "--set", "incoming_protocol=ews"]
    for deployment, shown, hidden in (
        ("online", online, on_premises),
        ("on-premises", on_premises, online),
    ):
        result = run("check", "--set", f"deployment={deployment}", *settings)
        assert "table.pop3-smtp" in result.stdout
        assert shown in result.stdout
        assert hidden[:40] not in result.stdout
    result = run("check", *settings)
    assert on_premises in result.stdout and online in result.stdout
