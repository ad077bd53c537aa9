"""``syncscope plan``: outputs (text, JSON, Markdown, Mermaid), limits, both invalid ends, batch."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from syncscope.model import load_model, normalize_config

from syncscope.cli import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
EXCHANGE_2010 = str(EXAMPLES / "onprem-exchange-2010.json")
TARGET = str(EXAMPLES / "target-online.json")
INVENTORY = str(EXAMPLES / "inventory.csv")

GMAIL = normalize_config(load_model(), json.loads((EXAMPLES / "gmail-online.json").read_text()))
EXO = dict(
    GMAIL,
    email_system="exchange-online",
    incoming_protocol="ews",
    outgoing_protocol="ews",
    authentication="server-to-server",
    profile_type="exchange-online",
)


WIDE = {"COLUMNS": "1000"}
"""Lines never wrap here; tests/cli/test_cli_output.py tests the wrapping."""


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin, env=WIDE)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.fixture()
def ends(tmp_path: Path) -> tuple[str, str]:
    return write(tmp_path, "gmail.json", GMAIL), write(tmp_path, "exo.json", EXO)


# -- outputs ------------------------------------------------------------------------------
def test_json_contract(ends: tuple[str, str]) -> None:
    code, out, _ = run("plan", "--from", ends[0], "--to", ends[1], "--json")
    assert code == 0
    data = json.loads(out)
    assert data["feasible"] is True and data["cost"] == 76 and data["monotone"] is True
    assert "reason" not in data and "suggestions" not in data
    (step,) = data["steps"]
    assert {"changes", "configuration", "verdict", "repair", "tied_by"} <= set(step)
    assert step["configuration"] == EXO  # steps[-1].configuration is the target
    assert step["repair"] is False and step["verdict"] == "supported"
    assert {"variable": "profile_type", "from": "pop3-smtp", "to": "exchange-online"} in step[
        "changes"
    ]
    assert "facts.server-to-server-profile" in step["tied_by"]


def test_human_output_quotes_the_rules_that_tie_a_step(ends: tuple[str, str]) -> None:
    code, out, _ = run("plan", "--from", ends[0], "--to", ends[1])
    assert code == 0
    assert out.startswith("✓ Plan: 1 step, cost 76\n")
    assert "together, because any part alone breaks:" in out
    assert (
        "“Server-to-server (S2S) authentication is an option only on Exchange Online profiles.”"
        in out
    )


def test_repair_step_for_an_invalid_start() -> None:
    code, out, _ = run("plan", "--from", EXCHANGE_2010, "--to", TARGET, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["start_verdict"] == "unsupported"
    steps = data["steps"]
    assert steps[0]["repair"] is True and "table.email-system" in steps[0]["tied_by"]
    assert [s["repair"] for s in steps[1:]] == [False] * (len(steps) - 1)
    end = steps[-1]["configuration"]
    assert (end["deployment"], end["version"], end["email_system"]) == (
        "online",
        "8.2",
        "exchange-online",
    )
    assert all(s["verdict"] in ("supported", "discouraged") for s in steps)


def test_markdown_is_one_checklist_line_a_step() -> None:
    code, out, _ = run("plan", "--from", EXCHANGE_2010, "--to", TARGET, "--markdown")
    assert code == 0
    code, raw, _ = run("plan", "--from", EXCHANGE_2010, "--to", TARGET, "--json")
    steps = json.loads(raw)["steps"]
    items = [line for line in out.splitlines() if line.startswith("- [ ] ")]
    assert len(items) == len(steps)
    # The repair goes straight to the target's email system: nothing is thrown away later.
    assert items[0].startswith("- [ ] Step 1 (repair): change ")
    assert "Email system from Exchange Server 2010 to Exchange Online" in items[0]
    assert all(f"Step {i}" in item for i, item in enumerate(items, 1))


MERMAID_NODE = re.compile(r'^  ([A-Za-z][A-Za-z0-9_]*)\["([^"]*)"\](?::::([a-z]+))?$')
MERMAID_EDGE = re.compile(
    r'^  ([A-Za-z][A-Za-z0-9_]*) (-->|-\.->)(?:\|"([^"]*)"\|)? ([A-Za-z][A-Za-z0-9_]*)$'
)


def check_mermaid(text: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """A syntax check of the subset of Mermaid the renderer writes; returns nodes and edges."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    classes: set[str] = set()
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str]] = []
    styled: list[int] = []
    for line in lines[1:]:
        if line.startswith("  classDef "):
            classes.add(line.split()[1])
        elif line.startswith("  linkStyle "):
            styled = [int(x) for x in line.split()[1].split(",")]
        elif (m := MERMAID_NODE.match(line)) is not None:
            assert m.group(1) not in nodes
            assert m.group(3) is None or m.group(3) in classes
            nodes[m.group(1)] = m.group(2)
        elif (m := MERMAID_EDGE.match(line)) is not None:
            edges.append((m.group(1), m.group(2), m.group(4)))
        else:
            raise AssertionError(f"not Mermaid this renderer writes: {line!r}")
    assert all(a in nodes and b in nodes for a, _, b in edges)
    assert all(0 <= i < len(edges) and edges[i][1] == "-.->" for i in styled)
    assert [i for i, e in enumerate(edges) if e[1] == "-.->"] == styled
    return nodes, edges


def test_mermaid_draws_the_plan_and_faint_alternatives() -> None:
    code, out, _ = run("plan", "--from", EXCHANGE_2010, "--to", TARGET, "--mermaid")
    assert code == 0
    nodes, edges = check_mermaid(out)
    code, raw, _ = run("plan", "--from", EXCHANGE_2010, "--to", TARGET, "--json")
    k = len(json.loads(raw)["steps"])
    plan_edges = [(a, b) for a, kind, b in edges if kind == "-->"]
    assert plan_edges == [(f"S{i}", f"S{i + 1}") for i in range(k)]
    assert nodes["S1"].startswith("Step 1 (repair)")
    assert "Exchange Server 2010" in nodes["S0"]


def test_mermaid_draws_the_faint_alternatives(ends: tuple[str, str], tmp_path: Path) -> None:
    # Three settings that change alone, in any order: each step has alternatives.
    target = write(
        tmp_path, "t.json", dict(GMAIL, version="8.0", autodiscover=False, ports="custom")
    )
    code, out, _ = run("plan", "--from", ends[0], "--to", target, "--mermaid")
    assert code == 0
    _, edges = check_mermaid(out)
    assert [(a, b) for a, kind, b in edges if kind == "-->"] == [
        ("S0", "S1"),
        ("S1", "S2"),
        ("S2", "S3"),
    ]
    alternatives = [(a, b) for a, kind, b in edges if kind == "-.->"]
    assert alternatives and all(b.startswith(("A", "M")) for _, b in alternatives)


def test_mermaid_of_no_plan_is_still_a_chart(ends: tuple[str, str], tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.json", dict(EXO, authentication="impersonation"))
    code, out, _ = run("plan", "--from", ends[0], "--to", bad, "--mermaid")
    assert code == 1
    nodes, edges = check_mermaid(out)
    assert list(nodes) == ["N0"] and not edges


# -- the two invalid ends, and no plan ------------------------------------------------------
def test_invalid_target_exits_one_with_suggestions(ends: tuple[str, str], tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.json", dict(EXO, authentication="impersonation"))
    code, out, _ = run("plan", "--from", ends[0], "--to", bad, "--json")
    assert code == 1
    data = json.loads(out)
    assert data["feasible"] is False and data["cost"] is None and data["steps"] == []
    assert "exo.impersonation" in data["reason"]
    assert data["suggestions"][0]["configuration"] == EXO
    code, out, _ = run("plan", "--from", ends[0], "--to", bad)
    assert code == 1 and out.startswith("✗ No plan: the target is unsupported")
    assert "the nearest valid targets:" in out


def test_max_step_too_small_exits_one_naming_the_big_step(ends: tuple[str, str]) -> None:
    code, out, _ = run("plan", "--from", ends[0], "--to", ends[1], "--max-step", "3", "--json")
    assert code == 1
    data = json.loads(out)
    assert "at most 3" in data["reason"]
    assert [len(s["changes"]) for s in data["blockers"]] == [5]
    code, out, _ = run("plan", "--from", ends[0], "--to", ends[1], "--max-step", "3")
    assert code == 1 and "✗ No plan: no plan keeps every step to at most 3" in out


def test_max_step_goes_through_an_exchange_version_on_the_way(ends: tuple[str, str]) -> None:
    code, out, _ = run("plan", "--from", ends[0], "--to", ends[1], "--max-step", "4", "--json")
    assert code == 0
    steps = json.loads(out)["steps"]
    assert len(steps) == 2 and all(len(s["changes"]) <= 4 for s in steps)
    middle = steps[0]["configuration"]["email_system"]
    assert middle not in ("gmail", "exchange-online") and middle.startswith("exchange-")
    assert steps[-1]["configuration"] == EXO


def test_keep_conflicting_with_the_target_exits_one(ends: tuple[str, str]) -> None:
    code, out, _ = run("plan", "--from", ends[0], "--to", ends[1], "--keep", "profile type")
    assert code == 1
    assert "profile_type" in out and "kept at its start value" in out


def test_keep_and_avoid_shape_the_plan(tmp_path: Path) -> None:
    start = write(tmp_path, "s.json", dict(GMAIL, autodiscover=False, mfa=False))
    target = write(tmp_path, "t.json", {"email_system": "Exchange Online"})
    code, out, _ = run(
        "plan",
        "--from",
        start,
        "--to",
        target,
        "--keep",
        "version",
        "--avoid",
        "autodiscover=no",
        "--json",
    )
    assert code == 1  # the start itself has the avoided value
    assert "start itself has autodiscover=false" in json.loads(out)["reason"]
    code, out, _ = run(
        "plan", "--from", start, "--to", target, "--keep", "version", "--avoid", "mfa=yes", "--json"
    )
    assert code == 0
    steps = json.loads(out)["steps"]
    assert all(s["configuration"]["version"] == "8.2" for s in steps)
    assert all(s["configuration"]["mfa"] is False for s in steps)
    assert steps[-1]["configuration"]["email_system"] == "exchange-online"


def test_weights_change_the_cost(ends: tuple[str, str]) -> None:
    code, out, _ = run("plan", "--from", ends[0], "--to", ends[1], "--weights", "uniform", "--json")
    assert code == 0 and json.loads(out)["cost"] == 5


# -- bad input: exit 2 with a clear message --------------------------------------------------
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--json", "--markdown"], "choose one output format"),
        (["--keep", "deploymnet"], "did you mean 'deployment'"),
        (["--avoid", "email_system"], "expected VAR=VALUE"),
        (["--avoid", "email_system=hotmial"], "unknown value 'hotmial'"),
        (["--weights", "nope.toml"], "no such weights file"),
        (["--max-step", "0"], "--max-step"),
    ],
)
def test_bad_options_exit_two(ends: tuple[str, str], extra: list[str], message: str) -> None:
    code, out, err = run("plan", "--from", ends[0], "--to", ends[1], *extra)
    assert code == 2
    assert message in err + out


def test_bad_files_exit_two(tmp_path: Path, ends: tuple[str, str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    code, _, err = run("plan", "--from", str(broken), "--to", ends[1])
    assert code == 2 and "malformed JSON" in err
    typo = write(tmp_path, "typo.json", dict(GMAIL, email_system="gmial"))
    code, _, err = run("plan", "--from", typo, "--to", ends[1])
    assert code == 2 and "--from" in err and "did you mean 'gmail'" in err
    partial = write(tmp_path, "partial.json", {"deployment": "online"})
    code, _, err = run("plan", "--from", partial, "--to", ends[1])
    assert code == 2 and "full configuration" in err
    code, _, err = run("plan", "--from", ends[0])
    assert code == 2 and "missing --to" in err
    code, _, err = run("plan", "--to", ends[1])
    assert code == 2 and "either --from" in err
    code, _, err = run("plan", "--from", ends[0], "--batch", INVENTORY, "--to", ends[1])
    assert code == 2 and "either --from" in err


def test_from_stdin(ends: tuple[str, str]) -> None:
    code, out, _ = run("plan", "--from", "-", "--to", ends[1], "--json", stdin=json.dumps(GMAIL))
    assert code == 0 and json.loads(out)["cost"] == 76
    code, _, err = run("plan", "--from", "-", "--to", "-", stdin=json.dumps(GMAIL))
    assert code == 2 and "only one of" in err


# -- many mailboxes ----------------------------------------------------------------------------
def test_batch_is_one_organisation_plan() -> None:
    code, out, _ = run("plan", "--batch", INVENTORY, "--to", TARGET, "--json")
    assert code == 1  # a row with a typo
    data = json.loads(out)
    assert data["mailboxes"] == 9 and data["planned"] == 8 and data["unplannable"] == []
    kinds = [s["kind"] for s in data["steps"]]
    assert kinds.count("organisation") == 1
    # The deployment and version change at that one step, for all eight mailboxes at once.
    for step in data["steps"]:
        moved = {c["variable"] for a in step["actions"] for c in a["changes"]}
        if step["kind"] == "organisation":
            assert {"deployment", "version"} <= moved and step["mailboxes"] == 8
        else:
            assert not moved & {"deployment", "version", "same_tenant"}
    ids = [i for s in data["steps"] for a in s["actions"] for i in a["ids"]]
    assert "ana@contoso.com" in ids
    (skipped,) = data["skipped"]
    assert skipped["row"] == 9 and "did you mean 'exchange-2010'" in skipped["error"]
    code, out, _ = run("plan", "--batch", INVENTORY, "--to", TARGET)
    assert code == 1
    assert out.startswith("✗ Organisation plan for 9 mailboxes")
    assert "(organisation-wide, for everyone at once): 8 mailboxes" in out
    code, out, _ = run("plan", "--batch", INVENTORY, "--to", TARGET, "--markdown")
    assert code == 1 and out.count("## Step ") == len(kinds) and "ana@contoso.com" in out


def test_per_group_needs_batch(ends: tuple[str, str]) -> None:
    code, _, err = run("plan", "--from", ends[0], "--to", ends[1], "--per-group")
    assert code == 2 and "--per-group goes with --batch" in err


def test_batch_groups_mailboxes_by_plan_and_reports_bad_rows() -> None:
    code, out, _ = run("plan", "--batch", INVENTORY, "--to", TARGET, "--json", "--per-group")
    assert code == 1  # a row with a typo
    data = json.loads(out)
    assert data["mailboxes"] == 9 and data["planned"] == 8 and data["unplannable"] == 0
    assert [g["mailboxes"] for g in data["groups"]] == [3, 2, 2, 1]
    first = data["groups"][0]
    assert [e["mailbox"] for e in first["extra"]] == [
        "ana@contoso.com",
        "ben@contoso.com",
        "chloe@contoso.com",
    ]
    assert first["plan"]["steps"][0]["repair"] is True
    (skipped,) = data["skipped"]
    assert skipped["row"] == 9 and skipped["status"] == "error"
    assert "did you mean 'exchange-2010'" in skipped["error"]


def test_batch_summary_text_and_markdown() -> None:
    code, out, _ = run("plan", "--batch", INVENTORY, "--to", TARGET, "--per-group")
    assert code == 1
    assert "Plans for 9 mailboxes" in out and "8 planned in 4 groups" in out
    assert "[1] 3 mailboxes" in out and "row 9 [error]" in out
    code, out, _ = run("plan", "--batch", INVENTORY, "--to", TARGET, "--markdown", "--per-group")
    assert code == 1
    assert out.count("## Group ") == 4 and "## Skipped rows" in out
    assert "- [ ] Step 1 (repair)" in out


def test_batch_of_good_rows_exits_zero(tmp_path: Path) -> None:
    lines = Path(INVENTORY).read_text(encoding="utf-8").splitlines()
    good = tmp_path / "good.csv"
    good.write_text("\n".join(line for line in lines if "Exchnage" not in line) + "\n")
    code, out, _ = run("plan", "--batch", str(good), "--to", TARGET, "--json")
    assert code == 0 and json.loads(out)["skipped"] == []


def test_batch_defaults_fill_missing_columns(tmp_path: Path) -> None:
    rows = [{k: v for k, v in GMAIL.items() if k != "deployment"}]
    header = list(rows[0])
    body = [
        ",".join("yes" if v is True else "no" if v is False else str(v) for v in r.values())
        for r in rows
    ]
    inv = tmp_path / "inv.csv"
    inv.write_text(",".join(header) + "\n" + "\n".join(body) + "\n", encoding="utf-8")
    target = write(tmp_path, "t.json", {"email_system": "exchange-online"})
    code, out, _ = run(
        "plan", "--batch", str(inv), "--to", target, "--set", "deployment=online", "--json"
    )
    assert code == 0
    (step,) = json.loads(out)["steps"]
    assert step["kind"] == "mailboxes" and step["actions"][0]["cost"] == 76


def test_batch_bad_inputs_exit_two(tmp_path: Path) -> None:
    code, _, err = run("plan", "--batch", str(tmp_path / "missing.csv"), "--to", TARGET)
    assert code == 2 and "missing.csv" in err
    code, _, err = run("plan", "--batch", INVENTORY, "--to", TARGET, "--mermaid")
    assert code == 2 and "--mermaid draws one plan" in err


def test_api_reads_a_plain_string_as_one_item() -> None:
    """``keep="version"`` and ``avoid="VAR=VALUE"`` are one item each, not characters."""
    import syncscope

    start = json.loads((EXAMPLES / "gmail-online.json").read_text(encoding="utf-8"))
    one = syncscope.plan(
        start, {"email_system": "exchange-online"}, keep="version", avoid="deployment=on-premises"
    )
    listed = syncscope.plan(
        start,
        {"email_system": "exchange-online"},
        keep=["version"],
        avoid=["deployment=on-premises"],
    )
    assert one.feasible and one == listed
    blocked = syncscope.plan(start, {"email_system": "exchange-online"}, avoid="email_system=gmail")
    assert not blocked.feasible and "start itself has email_system=gmail" in (blocked.reason or "")
    kept = syncscope.plan(start, {"deployment": "on-premises"}, keep="deployment")
    assert not kept.feasible and "deployment is kept" in (kept.reason or "")
