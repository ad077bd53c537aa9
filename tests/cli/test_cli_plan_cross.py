"""``syncscope plan --to-edition``: JSON, text, Markdown and Mermaid mark the upgrade; bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import syncscope
from syncscope.cli import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
POLICIES = EXAMPLES / "policies"
ONPREM = {
    "deployment": "on-premises",
    "version": "8.2",
    "email_system": "exchange-2016",
    "incoming_protocol": "ews",
    "outgoing_protocol": "ews",
    "sync_appointments_contacts_tasks": True,
    "authentication": "impersonation",
    "autodiscover": True,
    "profile_type": "exchange-server",
    "ports": "default",
    "same_tenant": True,
    "fips_mode": False,
    "mfa": False,
    "customer_key": False,
    "outlook_on_the_web": False,
    "outlook_manual_tracking": False,
    "mass_email_campaigns": False,
    "custom_email_provider": False,
    "mixed_outlook_act_sync": False,
}
WIDE = {"COLUMNS": "1000"}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=WIDE)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def ends(tmp_path: Path) -> tuple[str, str]:
    start, target = tmp_path / "today.json", tmp_path / "target.json"
    start.write_text(json.dumps(ONPREM), encoding="utf-8")
    target.write_text(json.dumps({"email_system": "Exchange Online"}), encoding="utf-8")
    return str(start), str(target)


ACROSS = ("--edition", "pre-9.0", "plan")


def test_json_has_one_upgrade_and_every_step_valid_under_its_edition(
    ends: tuple[str, str],
) -> None:
    code, out, _ = run(
        *ACROSS,
        "--from",
        ends[0],
        "--to",
        ends[1],
        "--to-edition",
        "online-2022-01",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["feasible"] and data["edition"] == "pre-9.0"
    steps = data["steps"]
    ups = [i for i, s in enumerate(steps) if s["upgrade"]]
    assert ups == [data["upgrade_step"]]
    assert [s["edition"] for s in steps] == ["pre-9.0"] * ups[0] + ["online-2022-01"] * (
        len(steps) - ups[0]
    )
    for step in steps:
        assert syncscope.check(step["configuration"], edition=step["edition"]).verdict.valid
    assert steps[-1]["configuration"]["email_system"] == "exchange-online"
    upgrade = steps[ups[0]]["upgrade"]
    assert set(upgrade["dropped"]) == {"ports", "fips_mode", "outlook_on_the_web"}
    assert set(upgrade["introduced"]) == {
        "packet_inspection",
        "traffic_interception",
        "app_for_outlook",
    }


def test_text_markdown_and_mermaid_mark_the_upgrade(ends: tuple[str, str]) -> None:
    args = (*ACROSS, "--from", ends[0], "--to", ends[1], "--to-edition", "online-2022-01")
    code, text, _ = run(*args)
    assert code == 0
    assert text.count("⇪ UPGRADE") == 1 and "upgrade from pre-9.0 to online-2022-01" in text
    assert "under pre-9.0" in text
    code, md, _ = run(*args, "--format", "markdown")
    assert code == 0
    assert md.count("**Step") == 1 and "⇪ upgrade from pre-9.0 to online-2022-01" in md
    code, chart, _ = run(*args, "--format", "mermaid")
    assert code == 0
    assert chart.startswith("flowchart LR")
    assert chart.count("==>") == 1 and chart.count(":::upgrade") == 1
    assert "subgraph E" in chart and '["online-2022-01"]' in chart


def test_edition_given_after_the_subcommand(ends: tuple[str, str]) -> None:
    code, out, _ = run(
        "plan",
        "--edition",
        "pre-9.0",
        "--from",
        ends[0],
        "--to",
        ends[1],
        "--to-edition",
        "online-2020-10",
        "--format",
        "json",
    )
    assert code == 0
    assert json.loads(out)["to_edition"] == "online-2020-10"


def test_policy_overlays_apply_to_the_target_edition(tmp_path: Path, ends: tuple[str, str]) -> None:
    target = tmp_path / "gmail.json"
    target.write_text('{"email_system": "gmail"}', encoding="utf-8")
    args = (
        *ACROSS,
        "--from",
        ends[0],
        "--to",
        str(target),
        "--to-edition",
        "online-2022-01",
        "--format",
        "json",
    )
    code, out, _ = run(*args)
    assert code == 0 and json.loads(out)["feasible"]
    code, out, _ = run("--rules", str(POLICIES / "no-gmail.toml"), *args)
    assert code == 1
    assert "valid under online-2022-01" in json.loads(out)["reason"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--to-edition", "online-2023"), "unknown edition 'online-2023'"),
        (("--to-edition", "pre-9.0"), "both pre-9.0"),
    ],
    ids=["unknown-edition", "same-edition"],
)
def test_bad_editions_exit_2(ends: tuple[str, str], extra: tuple[str, ...], message: str) -> None:
    code, _, err = run(*ACROSS, "--from", ends[0], "--to", ends[1], *extra)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_invalid_start_exits_2_naming_the_rule(tmp_path: Path) -> None:
    start = tmp_path / "bad.json"
    start.write_text(
        json.dumps(
            dict(
                ONPREM,
                deployment="online",
                email_system="exchange-online",
                profile_type="exchange-online",
            )
        ),
        encoding="utf-8",
    )
    target = tmp_path / "t.json"
    target.write_text('{"version": "9.2"}', encoding="utf-8")
    code, _, err = run(
        *ACROSS, "--from", str(start), "--to", str(target), "--to-edition", "online-2022-01"
    )
    assert code == 2
    assert "unsupported under pre-9.0" in err and "exo.impersonation" in err


def test_target_outside_the_target_edition_exits_2(tmp_path: Path, ends: tuple[str, str]) -> None:
    target = tmp_path / "t.json"
    target.write_text('{"deployment": "on-premises"}', encoding="utf-8")
    code, _, err = run(
        *ACROSS, "--from", ends[0], "--to", str(target), "--to-edition", "online-2022-01"
    )
    assert code == 2
    assert "--to" in err and "on-premises" in err


def test_invalid_target_exits_1_with_suggestions(tmp_path: Path, ends: tuple[str, str]) -> None:
    target = tmp_path / "t.json"
    full = dict(
        ONPREM,
        deployment="online",
        version="9.2",
        email_system="exchange-online",
        profile_type="exchange-online",
        packet_inspection=False,
        traffic_interception=False,
        app_for_outlook=False,
    )
    for name in ("ports", "fips_mode", "outlook_on_the_web"):
        del full[name]
    target.write_text(json.dumps(full), encoding="utf-8")
    code, out, _ = run(
        *ACROSS,
        "--from",
        ends[0],
        "--to",
        str(target),
        "--to-edition",
        "online-2022-01",
        "--format",
        "json",
    )
    assert code == 1
    data = json.loads(out)
    assert not data["feasible"] and "under online-2022-01" in data["reason"]
    assert data["suggestions"]
    code, text, _ = run(
        *ACROSS, "--from", ends[0], "--to", str(target), "--to-edition", "online-2022-01"
    )
    assert code == 1 and "No plan from pre-9.0 to online-2022-01" in text


def test_batch_gives_one_organisation_plan_with_the_upgrade_once(tmp_path: Path) -> None:
    target = tmp_path / "t.json"
    target.write_text('{"email_system": "Exchange Online"}', encoding="utf-8")
    args = (
        "--batch",
        str(EXAMPLES / "inventory.csv"),
        "--to",
        str(target),
        "--to-edition",
        "online-2022-01",
    )
    code, out, _ = run(*ACROSS, *args, "--format", "json")
    assert code == 1  # some rows are invalid under pre-9.0, one can't be read
    data = json.loads(out)
    assert data["planned"] > 0 and data["unplannable"] and data["skipped"]
    kinds = [s["kind"] for s in data["steps"]]
    assert kinds.count("upgrade") == 1 and kinds.index("upgrade") == data["upgrade_step"]
    upgrade = data["steps"][data["upgrade_step"]]
    assert upgrade["upgrade"] == {"from_edition": "pre-9.0", "to_edition": "online-2022-01"}
    assert upgrade["mailboxes"] == data["planned"]
    assert all("introduced" in a for a in upgrade["actions"])
    assert data["organisation"]["deployment"] == "online"
    assert all(
        s["edition"] == ("pre-9.0" if i < data["upgrade_step"] else "online-2022-01")
        for i, s in enumerate(data["steps"])
    )
    code, text, _ = run(*ACROSS, *args)
    assert code == 1 and text.count("⇪ the upgrade") == 1
    code, md, _ = run(*ACROSS, *args, "--format", "markdown")
    assert code == 1 and md.count("## **Step") == 1


def test_batch_per_group_across_editions_exits_2(tmp_path: Path) -> None:
    target = tmp_path / "t.json"
    target.write_text('{"email_system": "Exchange Online"}', encoding="utf-8")
    code, _, err = run(
        *ACROSS,
        "--batch",
        str(EXAMPLES / "inventory.csv"),
        "--to",
        str(target),
        "--to-edition",
        "online-2022-01",
        "--per-group",
    )
    assert code == 2 and "--per-group" in err
