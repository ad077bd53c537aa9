"""``syncscope batch``: exit codes, output formats, stderr summary, --out, stdin."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

INVENTORY = b"id,email_system\nm1,Gmail\nm2,Yahoo! Mail\nm3,MSN\nm4,Gmail\n"


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_exit_0_when_every_row_is_valid(run_batch, tmp_path, all_args) -> None:
    src = write(tmp_path, "ok.csv", b"id,email_system\nm1,Gmail\nm2,yahoo-mail\n")
    out = run_batch([src, *all_args])
    assert out.exception is None and out.code == 0
    assert [r["verdict"] for r in out.csv_rows()] == ["supported", "supported"]


def test_exit_1_when_a_row_is_unsupported(run_batch, tmp_path, all_args) -> None:
    out = run_batch([write(tmp_path, "inv.csv", INVENTORY), *all_args])
    assert out.code == 1
    assert [r["verdict"] for r in out.csv_rows()] == [
        "supported",
        "supported",
        "unsupported",
        "supported",
    ]


def test_exit_1_when_a_row_is_an_error(run_batch, tmp_path, all_args) -> None:
    out = run_batch([write(tmp_path, "inv.csv", b"id,email_system\nm1,Gmail\n\n"), *all_args])
    assert out.code == 1
    assert [r["verdict"] for r in out.csv_rows()] == ["supported", "error"]


def test_exit_1_for_untested(run_batch, tmp_path, all_args, as_sets) -> None:
    src = write(tmp_path, "inv.csv", b"id,email_system\nm1,other POP3\n")
    pairs = [p for p in all_args[1::2] if not p.startswith("deployment=")]
    others = [arg for pair in pairs for arg in ("--set", pair)]
    out = run_batch([src, *others, *as_sets({"deployment": "on-premises"})])
    assert out.code == 1
    assert out.csv_rows()[0]["verdict"] == "untested"


def test_not_applicable_rows_do_not_fail_the_run(run_batch, tmp_path, as_sets) -> None:
    box = {
        "incomingemaildeliverymethod": 1,
        "outgoingemaildeliverymethod": 1,
        "actdeliverymethod": 0,
    }
    src = write(tmp_path, "export.json", json.dumps({"value": [box, box]}).encode())
    out = run_batch([src])
    assert out.code == 0
    assert [r["verdict"] for r in out.jsonl_rows()] == ["not-applicable", "not-applicable"]
    assert "0 error" in out.stderr and "2 not-applicable" in out.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv"], "error: missing.csv: cannot read: No such file or directory"),
        (["."], "error: .: is a folder, not a file"),
        (["empty.csv"], "empty input"),
        (["ok.csv", "--set", "deploymnt=online"], "unknown variable 'deploymnt'"),
        (["ok.csv", "--set", "deployment=onlin"], "unknown value 'onlin' for deployment"),
        (["ok.csv", "--out", "nowhere/out.csv"], "the folder 'nowhere' does not exist"),
        (["ok.csv", "--out", "ok.csv"], "is the input; the input is never overwritten"),
    ],
)
def test_exit_2_when_the_input_cannot_be_read(run_batch, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "empty.csv", b"")
    write(tmp_path, "ok.csv", INVENTORY)
    out = run_batch(args)
    assert out.exception is None
    assert out.code == 2
    assert message in out.stderr
    assert out.stdout == ""
    assert (tmp_path / "ok.csv").read_bytes() == INVENTORY


def test_an_unknown_input_format_is_a_usage_error(run_batch, tmp_path) -> None:
    out = run_batch([write(tmp_path, "a.csv", INVENTORY), "--input-format", "xml"])
    assert out.code == 2 and "xml" in out.stderr


def test_stdout_holds_only_data_and_stderr_the_summary(run_batch, tmp_path, all_args) -> None:
    out = run_batch([write(tmp_path, "inv.csv", INVENTORY), *all_args, "--format", "jsonl"])
    rows = out.jsonl_rows()
    assert [r["row"] for r in rows] == [1, 2, 3, 4]
    lines = out.stderr.splitlines()
    assert lines[0] == (
        "4 rows: 3 supported, 0 limited, 0 discouraged, 0 untested, 1 unsupported,"
        " 0 not-applicable, 0 error"
    )
    assert lines[1] == "3 distinct configurations"
    assert lines[2] == "most frequent rules (2 of 2):"
    assert lines[3].split()[:3] == ["1", "✗", "table.email-system"]  # the verdict's symbol
    assert lines[4].strip().startswith("“")  # the quote
    assert "unsupported.fips" in out.stderr


def test_jsonl_rows_follow_the_contract(run_batch, tmp_path, all_args) -> None:
    out = run_batch(
        [write(tmp_path, "inv.csv", INVENTORY), *all_args, "--format", "jsonl", "--fix"]
    )
    row = out.jsonl_rows()[2]
    assert list(row) == sorted(row)
    assert row["row"] == 3 and row["extra"] == {"id": "m3"} and row["verdict"] == "unsupported"
    assert row["rules"] == ["table.email-system", "unsupported.fips"]
    assert len(row["messages"]) == 2
    assert row["configuration"]["email_system"] == "msn"
    assert row["fix"] == [{"variable": "email_system", "from": "msn", "to": "gmail"}]
    assert out.jsonl_rows()[0]["fix"] == []


def test_csv_rows_follow_the_contract(run_batch, tmp_path, all_args) -> None:
    out = run_batch([write(tmp_path, "inv.csv", INVENTORY), *all_args, "--fix"])
    header = next(csv.reader(io.StringIO(out.stdout)))
    assert header == ["row", "id", "verdict", "rules", "messages", "fix"]
    row = out.csv_rows()[2]
    assert row["rules"] == "table.email-system; unsupported.fips"
    assert row["messages"].count(" | ") == 1
    assert row["fix"] == "email_system: msn -> gmail"


def test_without_fix_there_is_no_fix_column(run_batch, tmp_path, all_args) -> None:
    out = run_batch([write(tmp_path, "inv.csv", INVENTORY), *all_args])
    assert "fix" not in out.csv_rows()[0]
    out = run_batch([write(tmp_path, "inv.csv", INVENTORY), *all_args, "--format", "jsonl"])
    assert "fix" not in out.jsonl_rows()[0]


def test_extra_columns_are_carried_through_unchanged(run_batch, tmp_path, all_args) -> None:
    data = (
        b"id,name,email_system,note\n"
        b'007," Bond, James ",Gmail,"says ""hi""\r\ntwice"\n'
        b"008,,Gmail,\xc3\xa9t\xc3\xa9\n"
    )
    out = run_batch([write(tmp_path, "inv.csv", data), *all_args])
    rows = out.csv_rows()
    assert [(r["id"], r["name"], r["note"]) for r in rows] == [
        ("007", " Bond, James ", 'says "hi"\r\ntwice'),
        ("008", "", "été"),
    ]


def test_rows_out_equal_rows_in_for_every_bad_row_kind(run_batch, tmp_path, all_args) -> None:
    data = (
        b"id,email_system,ports\n"
        b"m1,Gmail,default\n"  # fine
        b"m2,Gmial,default\n"  # unknown value
        b"m3,Gmail\n"  # wrong field count
        b'm4,Gm"ail,default\n'  # stray quote
        b"m5,Gmail,\xff\n"  # undecodable
        b"\n"  # blank
        b"m6,Gmail,default\r\n"  # CRLF
        b'm7,"Gmail",default\n'  # quoted
        b'm8,Gmail,"def\nault"\n'  # quoted line end: one row, an unknown value
    )
    out = run_batch([write(tmp_path, "inv.csv", data), *all_args])
    rows = out.csv_rows()
    assert [int(r["row"]) for r in rows] == list(range(1, 10))
    assert [r["verdict"] for r in rows] == [
        "supported",
        "error",
        "error",
        "error",
        "error",
        "error",
        "supported",
        "supported",
        "error",
    ]
    assert "9 rows" in out.stderr


def test_stdin_with_a_dash(run_batch, all_args) -> None:
    out = run_batch(["-", *all_args], stdin=INVENTORY)
    assert out.code == 1 and len(out.csv_rows()) == 4


def test_format_detection_from_content_on_stdin(run_batch, all_args) -> None:
    line = json.dumps({"id": "m1", "email_system": "gmail"}).encode()
    out = run_batch(["-", *all_args], stdin=line + b"\n" + line + b"\n")
    assert out.code == 0 and [r["row"] for r in out.jsonl_rows()] == [1, 2]
    doc = json.dumps({"value": []}, indent=2).encode()
    out = run_batch(["-"], stdin=doc)
    assert out.code == 0 and out.stdout == "" and out.stderr.startswith("0 rows")


def test_input_format_overrides_the_extension(run_batch, tmp_path, all_args) -> None:
    line = json.dumps({"id": "m1", "email_system": "gmail"}).encode()
    src = write(tmp_path, "inventory.txt", line + b"\n")
    out = run_batch([src, *all_args, "--input-format", "jsonl", "--format", "csv"])
    assert out.code == 0
    assert out.csv_rows()[0]["extra"] == '{"id": "m1"}'


def test_out_writes_the_file_and_nothing_on_stdout(run_batch, tmp_path, all_args) -> None:
    target = tmp_path / "result.jsonl"
    out = run_batch([write(tmp_path, "inv.csv", INVENTORY), *all_args, "--out", str(target)])
    assert out.stdout == ""
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and json.loads(lines[0])["row"] == 1  # format from the extension
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inv.csv", "result.jsonl"]


def test_out_replaces_an_existing_file_only_at_the_end(run_batch, tmp_path, all_args) -> None:
    target = tmp_path / "result.csv"
    target.write_text("old\n")
    out = run_batch([write(tmp_path, "inv.csv", INVENTORY), *all_args, "--out", str(target)])
    assert out.code == 1
    assert target.read_text().startswith("row,id,verdict")


def test_an_unreadable_input_leaves_no_output_file(run_batch, tmp_path) -> None:
    target = tmp_path / "result.csv"
    out = run_batch([write(tmp_path, "empty.csv", b""), "--out", str(target)])
    assert out.code == 2
    assert list(tmp_path.iterdir()) == [tmp_path / "empty.csv"]


def test_a_model_option_is_honoured(run_batch, tmp_path, all_args) -> None:
    out = run_batch([write(tmp_path, "inv.csv", INVENTORY), *all_args])
    assert out.code == 1  # the built-in model; the group's --model is exercised by other commands
    from click.testing import CliRunner
    from syncscope.model import builtin_path

    from syncscope.cli import cli

    result = CliRunner().invoke(
        cli, ["--model", str(builtin_path()), "batch", str(tmp_path / "inv.csv"), *all_args]
    )
    assert result.exit_code == 1 and result.stdout == out.stdout
