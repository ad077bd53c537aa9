"""Help and options: -h, global options anywhere, a conflicting --set, filters, policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from syncscope.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parents[2]
SEED = str(ROOT / "model" / "data" / "seed.toml")

DISCOURAGED = [
    "--set",
    "sync_appointments_contacts_tasks=yes",
    "--set",
    "mixed_outlook_act_sync=yes",
]
UNTESTED = ["--set", "deployment=on-premises", "--set", "email_system=other-pop3-smtp"]
UNSUPPORTED = ["--set", "deployment=online", "--set", "email_system=msn"]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="syncscope")


# -- -h ------------------------------------------------------------------------------------------


def test_short_help_on_the_group() -> None:
    result = run("-h")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: syncscope")
    assert result.stdout == run("--help").stdout


@pytest.mark.parametrize("name", list(COMMANDS))
def test_short_help_on_every_command(name: str) -> None:
    result = run(name, "-h")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: syncscope {name}")
    assert "-h, --help" in result.stdout


# -- global options after the subcommand ---------------------------------------------------------


def test_model_after_the_subcommand_is_the_groups(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.toml")
    for args in (["--model", missing, "rules"], ["rules", "--model", missing]):
        result = run(*args)
        assert result.exit_code == 2
        assert "missing.toml" in result.stderr
    assert run("rules", f"--model={missing}").exit_code == 2


def test_model_after_the_subcommand_is_used() -> None:
    before = run("--model", SEED, "check", *UNSUPPORTED, "--json")
    after = run("check", *UNSUPPORTED, "--json", "--model", SEED)
    assert before.exit_code == after.exit_code == 1
    assert json.loads(after.stdout) == json.loads(before.stdout)


def test_debug_after_the_subcommand() -> None:
    result = run("list", "--count", "--debug")
    assert result.exit_code == 0
    assert "total" in result.stdout


def test_an_option_value_that_looks_global_stays_a_value() -> None:
    result = run("check", "--set", "--debug")
    assert result.exit_code == 2
    assert "expected VAR=VALUE, got '--debug'" in result.stderr


def test_nothing_after_double_dash_moves() -> None:
    result = run("rules", "--", "--debug")
    # "--debug" is a rule id here, not the group's flag.
    assert result.exit_code == 2
    assert "unknown rule '--debug'" in result.stderr


# -- --set given twice ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["check", "explain", "nearest", "list", "domains"])
def test_conflicting_set_is_an_error_naming_both_values(name: str) -> None:
    result = run(name, "--set", "email_system=Gmail", "--set", "Email System=Exchange Online")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "email_system" in result.stderr
    assert "gmail" in result.stderr
    assert "exchange-online" in result.stderr


def test_the_same_value_twice_in_two_spellings_is_fine() -> None:
    result = run("check", "--set", "email_system=gmail", "--set", "email_system=Gmail", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["configuration"]["email_system"] == "gmail"


def test_a_misspelt_repeat_still_gets_its_did_you_mean() -> None:
    result = run("check", "--set", "email_system=gmail", "--set", "email_system=gmial")
    assert result.exit_code == 2
    assert "did you mean 'gmail'" in result.stderr


# -- list --count --verdict ------------------------------------------------------------------------


def test_count_json_filters_by_verdict() -> None:
    every = json.loads(run("list", "--count", "--json").stdout)
    result = run("list", "--count", "--json", "--verdict", "untested", "--verdict", "unsupported")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {"untested", "unsupported", "matching", "total"}
    assert data["untested"] == every["untested"]
    assert data["matching"] == every["untested"] + every["unsupported"]
    assert data["total"] == every["total"]


def test_count_text_filters_by_verdict() -> None:
    result = run("list", "--count", "--verdict", "untested")
    assert result.exit_code == 0
    assert "untested" in result.stdout
    assert "supported" not in result.stdout.replace("unsupported", "")


# -- rules filters -------------------------------------------------------------------------------


def _rules(*args: str) -> list[dict[str, object]]:
    result = run("rules", "--json", *args)
    assert result.exit_code == 0, result.output
    data: list[dict[str, object]] = json.loads(result.stdout)
    return data


def test_rules_by_id_keep_model_order() -> None:
    every = [r["id"] for r in _rules()]
    picked = [every[3], every[0]]
    assert [r["id"] for r in _rules(*picked)] == [every[0], every[3]]


def test_rules_by_level_and_variable() -> None:
    every = _rules()
    chosen = _rules("--level", "untested", "--variable", "Email System")
    expected = [
        r["id"]
        for r in every
        if r["level"] == "untested" and "email_system" in r["variables"]  # type: ignore[operator]
    ]
    assert expected
    assert [r["id"] for r in chosen] == expected
    assert len(chosen) < len(every)


def test_rules_ids_and_filters_combine() -> None:
    untested = [r["id"] for r in _rules("--level", "untested")]
    other = next(r["id"] for r in _rules() if r["id"] not in untested)
    result = run("rules", str(untested[0]), str(other), "--level", "untested", "--json")
    assert [r["id"] for r in json.loads(result.stdout)] == [untested[0]]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["exo.impersonatio"], "did you mean 'exo.impersonation'"),
        (["--level", "untestd"], "unknown verdict 'untestd'"),
        (["--variable", "emial_system"], "unknown variable 'emial_system'"),
    ],
    ids=["id", "level", "variable"],
)
def test_rules_bad_filters_exit_2(args: list[str], fragment: str) -> None:
    result = run("rules", *args)
    assert result.exit_code == 2
    assert fragment in result.stderr


def test_rules_nothing_matches_exits_1() -> None:
    result = run("rules", "--level", "supported")
    assert result.exit_code == 1
    assert "no rule matches" in result.stderr


# -- --fail-on and -q ----------------------------------------------------------------------------

FAIL_ON = [
    # (settings, --fail-on, exit code)
    (DISCOURAGED, None, 0),
    (DISCOURAGED, "discouraged", 1),
    (DISCOURAGED, "limited", 1),
    (DISCOURAGED, "untested", 0),
    (UNTESTED, None, 1),
    (UNTESTED, "unsupported", 0),
    (UNTESTED, "untested", 1),
    (UNSUPPORTED, "unsupported", 1),
    (UNSUPPORTED, "discouraged", 1),
]


@pytest.mark.parametrize("name", ["check", "explain"])
@pytest.mark.parametrize(
    ("sets", "level", "code"),
    FAIL_ON,
    ids=[f"{s[1].split('=')[1]}-{lv}" for s, lv, _ in FAIL_ON],
)
def test_fail_on_sets_the_threshold(
    name: str, sets: list[str], level: str | None, code: int
) -> None:
    args = [name, *sets, *(["--fail-on", level] if level else [])]
    assert run(*args).exit_code == code


def test_fail_on_refuses_an_unknown_level() -> None:
    result = run("check", "--fail-on", "sometimes")
    assert result.exit_code == 2
    assert "sometimes" in result.stderr


@pytest.mark.parametrize(("sets", "code"), [(DISCOURAGED, 0), (UNSUPPORTED, 1)])
def test_quiet_prints_nothing_but_exits_as_usual(sets: list[str], code: int) -> None:
    for args in (["-q"], ["--quiet", "--json"]):
        result = run("check", *sets, *args)
        assert result.exit_code == code
        assert result.stdout == ""
        assert result.stderr == ""


def test_quiet_still_prints_errors() -> None:
    result = run("check", "-q", "--set", "email_system=gmial")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "unknown value 'gmial'" in result.stderr


def _inventory(tmp_path: Path, *rows: str) -> str:
    path = tmp_path / "inventory.csv"
    head = "id,deployment,email_system,mixed_outlook_act_sync,sync_appointments_contacts_tasks"
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return str(path)


SUPPORTED_ROW = "1,online,gmail,false,false"
DISCOURAGED_ROW = "2,online,exchange-online,true,true"
UNSUPPORTED_ROW = "3,online,msn,false,false"
ERROR_ROW = "4,online,gmial,false,false"

BATCH_FAIL_ON = [
    # (rows, --fail-on, exit code): the worst row decides; an error row always fails
    ([SUPPORTED_ROW, DISCOURAGED_ROW], None, 0),
    ([SUPPORTED_ROW, DISCOURAGED_ROW], "untested", 0),
    ([SUPPORTED_ROW, DISCOURAGED_ROW], "discouraged", 1),
    ([SUPPORTED_ROW, DISCOURAGED_ROW], "limited", 1),
    ([SUPPORTED_ROW, UNSUPPORTED_ROW], None, 1),
    ([SUPPORTED_ROW, UNSUPPORTED_ROW], "unsupported", 1),
    ([SUPPORTED_ROW], "limited", 0),
    ([SUPPORTED_ROW, ERROR_ROW], None, 1),
    ([SUPPORTED_ROW, ERROR_ROW], "unsupported", 1),
]


@pytest.mark.parametrize(("rows", "level", "code"), BATCH_FAIL_ON)
def test_batch_fail_on_is_a_threshold_over_every_row(
    tmp_path: Path, rows: list[str], level: str | None, code: int
) -> None:
    args = ["batch", _inventory(tmp_path, *rows), *(["--fail-on", level] if level else [])]
    result = run(*args)
    assert result.exit_code == code, result.stderr
    assert result.stdout.startswith("row,id,verdict")


def test_batch_quiet_prints_nothing_but_writes_out(tmp_path: Path) -> None:
    source = _inventory(tmp_path, SUPPORTED_ROW, DISCOURAGED_ROW)
    result = run("batch", source, "-q", "--fail-on", "discouraged")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "")
    out = tmp_path / "out.csv"
    result = run("batch", source, "--quiet", "--out", str(out))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert out.read_text(encoding="utf-8").count("\n") == 3
    assert "error: " in run("batch", str(tmp_path / "missing.csv"), "-q").stderr


# A fix exists, but only a discouraged one: mixing Outlook and server-side sync is kept.
DISCOURAGED_FIX = [
    *("--set", "deployment=online", "--set", "email_system=exchange-online"),
    *("--set", "authentication=impersonation", *DISCOURAGED),
    *("--keep", "mixed_outlook_act_sync", "--keep", "sync_appointments_contacts_tasks"),
]


@pytest.mark.parametrize(
    ("level", "code"), [(None, 0), ("untested", 0), ("discouraged", 1), ("unsupported", 0)]
)
def test_nearest_fail_on_asks_for_a_fix_better_than_the_level(level: str | None, code: int) -> None:
    result = run("nearest", *DISCOURAGED_FIX, *(["--fail-on", level] if level else []))
    assert result.exit_code == code
    assert "! [discouraged] change authentication" in result.stdout
    quiet = run("nearest", *DISCOURAGED_FIX, "-q", *(["--fail-on", level] if level else []))
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (code, "", "")


def test_list_and_plan_quiet_answer_by_exit_code_only() -> None:
    examples = ROOT / "docs" / "examples"
    start, target = examples / "onprem-exchange-2010.json", examples / "target-online.json"
    for args, code in [
        (["list", "-q", "--set", "email_system=gmail"], 0),
        (["list", "-q", *UNSUPPORTED, "--set", "incoming_protocol=ews"], 1),
        (["list", "--count", "--quiet"], 0),
        (["plan", "-q", "--from", str(start), "--to", str(target)], 0),
        (["plan", "-q", "--batch", str(examples / "inventory.csv"), "--to", str(target)], 1),
    ]:
        result = run(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (code, "", ""), args
    assert run("plan", "-q", "--from", str(start)).stderr.startswith("error: missing --to")


@pytest.mark.parametrize("name", ["check", "batch", "nearest"])
def test_the_gating_commands_take_fail_on_and_quiet(name: str) -> None:
    shown = run(name, "--help").stdout
    assert "--fail-on [limited|discouraged|untested|unsupported]" in shown
    assert "-q, --quiet" in shown
