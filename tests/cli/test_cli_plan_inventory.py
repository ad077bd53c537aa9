"""``plan --batch`` reads an inventory as ``batch`` does: delimiters, partial rows, Dataverse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from syncscope.model import load_model, normalize_config

from syncscope.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
DATAVERSE = str(ROOT / "tests" / "batch" / "golden" / "dataverse.json")
MODEL = load_model()
GMAIL = normalize_config(MODEL, json.loads((EXAMPLES / "gmail-online.json").read_text()))
TARGET = {"email_system": "exchange-online"}
WIDE = {"COLUMNS": "1000"}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=WIDE)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def inventory(tmp_path: Path, rows: list[dict[str, object]], sep: str = ",") -> str:
    """A CSV with a mailbox column and every variable; a missing key is an empty cell."""
    names = ["mailbox", *MODEL.names]
    lines = [sep.join(names)]
    for i, row in enumerate(rows, 1):
        lines.append(sep.join([f"m{i}", *(cell(row[n]) if n in row else "" for n in MODEL.names)]))
    path = tmp_path / "inventory.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture()
def target(tmp_path: Path) -> str:
    path = tmp_path / "target.json"
    path.write_text(json.dumps(TARGET), encoding="utf-8")
    return str(path)


FORCED = {k: v for k, v in GMAIL.items() if k not in ("incoming_protocol", "outgoing_protocol")}
"""Gmail with a POP3/SMTP profile: every valid completion has POP3 in and SMTP out."""
FREE = {k: v for k, v in GMAIL.items() if k not in ("fips_mode", "mfa")}
"""Valid completions differ on the FIPS and MFA postures."""


def plan_json(*args: str) -> tuple[int, dict[str, object]]:
    code, out, err = run("plan", *args, "--json")
    assert code in (0, 1), err
    return code, json.loads(out)


@pytest.mark.parametrize("per_group", [False, True])
def test_a_forced_partial_row_is_planned_with_the_values_batch_reports(
    tmp_path: Path, target: str, per_group: bool
) -> None:
    source = inventory(tmp_path, [GMAIL, FORCED])
    flags = ["--per-group"] if per_group else []
    code, data = plan_json("--batch", source, "--to", target, *flags)
    assert code == 0
    assert data["planned"] == 2 and data["skipped"] == []
    assert data["completed"] == [
        {
            "row": 2,
            "extra": {"mailbox": "m2"},
            "values": {"incoming_protocol": "pop3", "outgoing_protocol": "smtp"},
        }
    ]
    if per_group:  # completed to the same start as the complete row: one group, one plan
        (group,) = data["groups"]
        assert group["rows"] == [1, 2] and group["plan"]["start"] == GMAIL
    # batch says the same of the row: the values every valid completion has.
    code, out, _ = run("batch", source, "--format", "jsonl")
    second = json.loads(out.splitlines()[1])
    assert "every valid completion has: incoming_protocol=pop3, outgoing_protocol=smtp" in (
        second["messages"]
    )


def test_with_require_complete_the_partial_row_is_an_error_naming_the_unknowns(
    tmp_path: Path, target: str
) -> None:
    source = inventory(tmp_path, [GMAIL, FORCED])
    code, data = plan_json("--batch", source, "--to", target, "--require-complete")
    assert code == 1
    assert data["planned"] == 1 and data["completed"] == []
    (skipped,) = data["skipped"]
    assert skipped["row"] == 2 and skipped["status"] == "error"
    assert "incoming_protocol" in skipped["error"] and "outgoing_protocol" in skipped["error"]


def test_a_partial_row_whose_completions_differ_is_an_error_naming_them(
    tmp_path: Path, target: str
) -> None:
    source = inventory(tmp_path, [FREE])
    code, data = plan_json("--batch", source, "--to", target)
    assert code == 1
    assert data["planned"] == 0 and data["completed"] == [] and data["organisation"] == {}
    (skipped,) = data["skipped"]
    assert skipped["error"].startswith("row 1 leaves fips_mode, mfa unknown, and the valid")
    assert "--set or --defaults" in skipped["error"]


def test_a_partial_row_with_no_valid_completion_is_an_error(tmp_path: Path, target: str) -> None:
    broken = dict(FORCED, authentication="impersonation")  # Gmail never with impersonation
    code, data = plan_json("--batch", inventory(tmp_path, [broken]), "--to", target)
    assert code == 1 and data["completed"] == []
    (skipped,) = data["skipped"]
    assert "no valid configuration has its other values" in skipped["error"]


def test_the_completion_is_shown_in_text_and_markdown(tmp_path: Path, target: str) -> None:
    source = inventory(tmp_path, [FORCED])
    code, out, _ = run("plan", "--batch", source, "--to", target)
    assert code == 0
    assert "Completed rows (1), with the values every valid completion has:" in out
    assert "  row 1 (m1): incoming_protocol=pop3, outgoing_protocol=smtp" in out
    code, out, _ = run("plan", "--batch", source, "--to", target, "--markdown")
    assert "## Completed rows (1)" in out
    assert "- row 1 (m1): incoming_protocol=pop3, outgoing_protocol=smtp" in out


def test_across_editions_the_partial_row_is_completed_too(tmp_path: Path) -> None:
    path = tmp_path / "target.json"
    path.write_text(json.dumps({"version": "9.2"}), encoding="utf-8")
    source = inventory(tmp_path, [dict(FORCED, version="8.0")])
    code, data = plan_json("--batch", source, "--to", str(path), "--to-edition", "online-2022-01")
    assert code == 0 and data["upgrade_step"] is not None
    (done,) = data["completed"]
    assert done["values"] == {"incoming_protocol": "pop3", "outgoing_protocol": "smtp"}


@pytest.mark.parametrize(("sep", "name"), [(";", "semicolon"), ("\t", "tab"), (",", "comma")])
def test_delimiter_is_sniffed_or_given(tmp_path: Path, target: str, sep: str, name: str) -> None:
    source = inventory(tmp_path, [GMAIL], sep)
    _, sniffed = plan_json("--batch", source, "--to", target)
    _, given = plan_json("--batch", source, "--to", target, "--delimiter", name)
    assert sniffed == given and given["planned"] == 1


def test_a_wrong_delimiter_gives_error_rows_not_a_plan(tmp_path: Path, target: str) -> None:
    source = inventory(tmp_path, [GMAIL], ";")
    code, data = plan_json("--batch", source, "--to", target, "--delimiter", "comma")
    assert code == 1 and data["planned"] == 0 and data["completed"] == []
    assert [s["status"] for s in data["skipped"]] == ["error"]


@pytest.mark.parametrize("option", [["--delimiter", "tab"], ["--require-complete"]])
def test_the_reading_options_need_batch(tmp_path: Path, target: str, option: list[str]) -> None:
    start = tmp_path / "start.json"
    start.write_text(json.dumps(GMAIL), encoding="utf-8")
    code, _, err = run("plan", "--from", str(start), "--to", target, *option)
    assert code == 2
    assert f"{option[0]} goes with --batch INVENTORY" in err


def test_a_bad_delimiter_is_refused_with_the_choices(tmp_path: Path, target: str) -> None:
    code, _, err = run("plan", "--batch", inventory(tmp_path, [GMAIL]), "--to", target,
                       "--delimiter", "pipe")  # fmt: skip
    assert code == 2 and "comma" in err and "semicolon" in err


def test_dataverse_rows_are_complete_or_errors_either_way(tmp_path: Path, target: str) -> None:
    defaults = tmp_path / "organisation.json"  # what a Dataverse export leaves out
    defaults.write_text(json.dumps(GMAIL), encoding="utf-8")
    args = ("--batch", DATAVERSE, "--to", target, "--defaults", str(defaults))
    _, default = plan_json(*args)
    _, strict = plan_json(*args, "--require-complete")
    assert default == strict and default["completed"] == []
    assert default["mailboxes"] == len(json.loads(Path(DATAVERSE).read_text())["value"])
    assert default["planned"] > 0 and default["skipped"]
    # Without the organisation's settings a Dataverse row is an error, never completed.
    _, bare = plan_json("--batch", DATAVERSE, "--to", target)
    assert bare["planned"] == 0 and bare["completed"] == []
    assert all("no value for deployment, version" in s["error"] for s in bare["skipped"][:3])
