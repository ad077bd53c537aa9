"""``syncscope list``: the compact table, the streams, the counts, and exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from syncscope.model.synthetic import random_model
from syncscope.solver.diagram.space import Space

import syncscope
from syncscope.cli import cli
from syncscope.cli.listing import render_matrix


def run(*args: str, columns: str | None = "120") -> tuple[int, str, str]:
    """Run the CLI with ``COLUMNS`` (piped output is 80 wide when it is unset)."""
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": columns})
    return result.exit_code, result.stdout, result.stderr


def test_default_view_is_the_compact_table() -> None:
    code, out, err = run("list")
    assert code == 0, err
    assert out.startswith(
        "Supported or discouraged configurations: 24,512 of 44,236,800 combinations, in 7 rows."
    )
    header = out.splitlines()[2]
    for column in ("deployment", "version", "email system", "incoming", "configs"):
        assert column in header
    assert " any " in out
    assert "exchange-2013-sp1" in out and "windows-live-mail" in out
    assert "exchange-2010" not in out and "other-pop3-smtp" not in out
    assert "mass_email_campaigns=false, custom_email_provider=false." in " ".join(out.split())
    for size in ("64", "256", "4,608", "3,072", "1,536", "13,824", "1,152"):
        assert f" {size}\n" in out


def test_table_fits_the_default_width_and_a_narrow_one() -> None:
    _, out, _ = run("list")
    assert max(len(line) for line in out.splitlines()) <= 120
    assert "and" in out.splitlines()[2].split()
    _, piped, _ = run("list", columns=None)
    assert max(len(line) for line in piped.splitlines()) <= 80 < max(map(len, out.splitlines()))
    model = syncscope.load_model()
    narrow = render_matrix(syncscope.api.space.table(), model, model.size, width=80)
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert "    authentication: server-to-server" in narrow.splitlines()


def test_filtered_table_names_the_fixed_values() -> None:
    code, out, _ = run("list", "--set", "deployment=online", "--set", "email=Gmail")
    assert code == 2  # "email" is not a variable name
    code, out, _ = run("list", "--set", "deployment=online", "--set", "email_system=Gmail")
    assert code == 0
    assert out.startswith(
        "Supported or discouraged configurations with deployment=online, email_system=gmail: 768 of"
    )


def test_json_table_is_the_matrix() -> None:
    code, out, _ = run("list", "--json", "--set", "email_system=yahoo")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"fixed", "verdicts", "count", "rows"}
    assert data["fixed"] == {"email_system": "yahoo-mail"}
    assert data["verdicts"] == ["supported", "discouraged"]
    assert data["count"] == sum(r["configurations"] for r in data["rows"])
    assert data["count"] == syncscope.count({"email_system": "yahoo-mail"}).valid
    assert all(r["version"] == "any" for r in data["rows"])


def test_count_json_contract() -> None:
    code, out, _ = run("list", "--count", "--json")
    assert code == 0
    assert json.loads(out) == {
        "supported": 19_440,
        "limited": 0,
        "discouraged": 5_072,
        "untested": 768,
        "unsupported": 44_211_520,
        "valid": 24_512,
        "total": 44_236_800,
    }
    code, out, _ = run("list", "--count", "--json", "--set", "deployment=online")
    data = json.loads(out)
    assert code == 0
    assert data == syncscope.count({"deployment": "online"}).to_dict()
    assert data["total"] == 44_236_800 // 2
    assert data["valid"] == data["supported"] + data["limited"] + data["discouraged"]


def test_count_human_table() -> None:
    code, out, _ = run("list", "--count", "--set", "email_system=gmail")
    assert code == 0
    assert out.splitlines()[0] == "Configurations matching email_system=gmail:"
    assert "valid" in out and "total" in out and "2,949,120" in out
    assert "limited" not in out  # the seed's page has no limited support


def test_jsonl_streams_every_valid_configuration(space: Space) -> None:
    code, out, _ = run("list", "--jsonl")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 24_512
    configs = [json.loads(line) for line in lines]
    assert configs == list(syncscope.configurations())
    assert all(list(c) == list(space.model.names) for c in configs[:50])
    assert isinstance(configs[0]["fips_mode"], bool)


def test_jsonl_with_sets_and_verdicts() -> None:
    code, out, _ = run("list", "--jsonl", "--verdict", "untested", "--set", "version=8.2")
    assert code == 0
    configs = [json.loads(line) for line in out.splitlines()]
    assert len(configs) == syncscope.count({"version": "8.2"}).untested == 256
    assert {c["email_system"] for c in configs} == {"other-pop3-smtp"}
    assert all(syncscope.check(c).verdict.id == "untested" for c in configs[:20])
    code, out, _ = run(
        "list", "--jsonl", "--verdict", "discouraged", "--verdict", "SUPPORTED", "--set", "mfa=yes"
    )
    assert code == 0
    assert len(out.splitlines()) == syncscope.count({"mfa": True}).valid


def test_csv_header_and_rows(space: Space) -> None:
    code, out, _ = run("list", "--csv", "--set", "deployment=online")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == list(space.model.names)
    assert len(rows) - 1 == syncscope.count({"deployment": "online"}).valid
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert {r["deployment"] for r in body} == {"online"}
    assert {r["mfa"] for r in body} <= {"true", "false"}
    expected = [
        {k: ("true" if v else "false") if isinstance(v, bool) else v for k, v in c.items()}
        for c in syncscope.configurations({"deployment": "online"})
    ]
    assert body == expected


def test_impossible_set_reports_the_conflict_and_exits_1() -> None:
    code, out, err = run("list", "--set", "deployment=online", "--set", "email_system=msn")
    assert code == 1
    assert out == ""
    assert "unsupported.fips" in err and "deployment=online, email_system=msn" in err
    code, out, err = run("list", "--jsonl", "--set", "email_system=exchange-2010")
    assert code == 1 and out == ""
    assert "table.email-system" in err
    code, out, _ = run("list", "--json", "--set", "deployment=online", "--set", "email=msn")
    assert code == 2
    code, out, _ = run("list", "--json", "--set", "deployment=online", "--set", "email_system=msn")
    assert code == 1
    data = json.loads(out)
    assert data["conflict"]["rules"] == ["unsupported.fips"]
    assert [r["rule"] for r in data["conflict"]["reasons"]] == ["unsupported.fips"]
    assert data["conflict"]["settings"] == {"deployment": "online", "email_system": "msn"}
    assert data["counts"]["valid"] == 0


def test_nothing_of_a_verdict_is_not_called_a_conflict() -> None:
    code, out, err = run("list", "--verdict", "untested", "--set", "deployment=online")
    assert code == 1 and out == ""
    assert "no untested configuration matches deployment=online" in err


def test_count_of_an_impossible_set_still_answers() -> None:
    code, out, _ = run("list", "--count", "--json", "--set", "email_system=exchange-2003")
    assert code == 0
    assert json.loads(out)["valid"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--verdict", "valid"], "unknown verdict 'valid'"),
        (["--jsonl", "--csv"], "choose one output"),
        (["--csv", "--count"], "choose one output"),
        (["--set", "deployment"], "expected VAR=VALUE"),
        (["--set", "deployment=cloudy"], "unknown value 'cloudy'"),
    ],
)
def test_bad_input_exits_2(args: list[str], message: str) -> None:
    code, out, err = run("list", *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out


def test_list_of_another_model(tmp_path: Path) -> None:
    del tmp_path  # the group's --model takes a TOML file; synthetic models go through the API
    model = random_model(8, seed=3)
    table = syncscope.api.space.table(model=model)
    assert table.count == syncscope.count(model=model).valid
    assert len(list(syncscope.configurations(model=model))) == table.count


def test_jsonl_into_a_closed_pipe_is_quiet() -> None:
    exe = Path(sys.executable).with_name("syncscope")
    proc = subprocess.run(
        f"'{exe}' list --jsonl | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert json.loads(proc.stdout)["deployment"] == "online"


def test_count_human_table_honours_verdict() -> None:
    code, out, _ = run(
        "list", "--count", "--verdict", "untested", "--verdict", "unsupported", "--set=version=8.2"
    )
    assert code == 0
    counts = syncscope.count({"version": "8.2"})
    lines = [line.split() for line in out.splitlines()[1:] if not line.strip().startswith("-")]
    assert lines == [
        ["?", "untested", f"{counts.untested:,}"],
        ["✗", "unsupported", f"{counts.unsupported:,}"],
        ["untested", "or", "unsupported", f"{counts.untested + counts.unsupported:,}"],
        ["total", f"{counts.total:,}"],
    ]
    assert "valid" not in out and "discouraged" not in out


def test_count_json_filters_by_verdict() -> None:
    code, out, _ = run("list", "--count", "--json", "--verdict", "untested")
    assert code == 0
    data = json.loads(out)
    every = json.loads(run("list", "--count", "--json")[1])
    assert data == {
        "untested": every["untested"],
        "matching": every["untested"],
        "total": every["total"],
    }


def test_one_row_is_singular() -> None:
    code, out, _ = run("list", "--set", "email_system=exchange-online", "--set", "customer_key=yes")
    assert code == 0
    assert "in 1 row." in " ".join(out.split())
