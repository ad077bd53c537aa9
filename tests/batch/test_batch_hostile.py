"""Hostile inputs to ``syncscope batch``: each is an error row that keeps rows out ==
rows in, or a clear exit 2 before anything is read; the output is always UTF-8."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from syncscope.model import load_model

from syncscope.batch import jsonstream
from syncscope.batch.readers import read_records

MODEL = load_model()
SYNCSCOPE = str(Path(sys.executable).parent / "syncscope")
EXO = {
    "servertype": 0,
    "emailservertypename": "Exchange Online",
    "incomingcredentialretrieval": 2,
    "outgoingcredentialretrieval": 2,
    "useautodiscover": True,
}
SSS = {"incomingemaildeliverymethod": 2, "outgoingemaildeliverymethod": 2, "actdeliverymethod": 2}


def box(**fields: object) -> bytes:
    return json.dumps({**SSS, "emailserverprofile": EXO, **fields}).encode()


def export(*items: bytes, tail: bytes = b"") -> bytes:
    return b'{"@odata.context": "x", "value": [' + b", ".join(items) + b"]" + tail + b"}"


def jsonl(*lines: bytes) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def rows_of(out) -> list[dict[str, object]]:
    text = out.stdout.encode("utf-8")  # would fail on a lone surrogate
    return [json.loads(line) for line in text.decode("utf-8").splitlines()]


def messages(rows: list[dict[str, object]]) -> list[str]:
    return [str(r["messages"][0]) for r in rows]  # type: ignore[index]


# -- numbers and nesting ---------------------------------------------------------


def test_a_5000_digit_integer_in_a_jsonl_line_is_an_error_row(run_batch) -> None:
    data = jsonl(b'{"id": "a"}', b'{"id": ' + b"1" * 5000 + b"}", b'{"id": "c"}')
    out = run_batch(["-", "--input-format", "jsonl"], stdin=data)
    assert out.exception is None and out.code == 1
    rows = rows_of(out)
    assert [r["row"] for r in rows] == [1, 2, 3]
    assert messages(rows)[1] == "row 2: a number of 5,000 digits is too big (at most 100); not read"
    assert [r["extra"] for r in rows] == [{"id": "a"}, {}, {"id": "c"}]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (b"NaN", "NaN is not a JSON number"),
        (b"-Infinity", "-Infinity is not a JSON number"),
        (b"1e400", "the number 1e400 is out of range"),
    ],
)
def test_non_json_numbers_are_error_rows(run_batch, value: bytes, problem: str) -> None:
    data = jsonl(b'{"id": ' + value + b"}", b'{"id": 7}')
    out = run_batch(["-", "--input-format", "jsonl"], stdin=data)
    rows = rows_of(out)
    assert messages(rows)[0] == f"row 1: {problem}; not read"
    assert rows[1]["extra"] == {"id": "7"}


def test_arrays_nested_100000_deep_in_a_jsonl_line_are_an_error_row(run_batch) -> None:
    deep = b'{"id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    fine = b'{"id": ' + b"[" * 63 + b"]" * 63 + b', "note": "[[[[' + b"[" * 100 + b'"}'
    out = run_batch(["-", "--input-format", "jsonl"], stdin=jsonl(deep, fine))
    rows = rows_of(out)
    assert [r["row"] for r in rows] == [1, 2]
    assert messages(rows)[0] == (
        "row 1: nested deeper than 64 levels of arrays and objects at column 71; not read"
    )
    assert rows[1]["extra"] == {"id": "[" * 63 + "]" * 63, "note": "[[[[" + "[" * 100}


def test_a_5000_digit_integer_in_a_dataverse_item_is_an_error_row_and_the_rest_is_read(
    run_batch,
) -> None:
    data = export(box(name="a"), b'{"name": ' + b"9" * 5000 + b"}", box(name="c"))
    out = run_batch(["-", "--input-format", "dataverse"], stdin=data)
    rows = rows_of(out)
    assert [r["row"] for r in rows] == [1, 2, 3]
    assert messages(rows)[1].startswith(
        "row 2 (value[1]): a number of 5,000 digits is too big (at most 100)"
    )
    assert [r["extra"].get("name") for r in rows] == ["a", None, "c"]  # type: ignore[union-attr]


def test_arrays_nested_100000_deep_in_a_dataverse_item_are_an_error_row(run_batch) -> None:
    deep = b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    out = run_batch(["-", "--input-format", "dataverse"], stdin=export(box(), deep, box()))
    rows = rows_of(out)
    assert [r["row"] for r in rows] == [1, 2, 3]
    assert "row 2 (value[1]): nested deeper than 64 levels" in messages(rows)[1]
    assert [r["verdict"] for r in rows][2] == rows[0]["verdict"]


def test_unclosed_nesting_at_the_end_of_a_dataverse_document_is_one_error_row(run_batch):
    data = b'{"value": [' + box() + b", " + b"[" * 100_000
    out = run_batch(["-", "--input-format", "dataverse"], stdin=data)
    rows = rows_of(out)
    assert [r["row"] for r in rows] == [1, 2]
    assert "nested deeper than 64 levels" in messages(rows)[1]
    assert "the document ends inside it" in messages(rows)[1]


# -- lone surrogates -------------------------------------------------------------


@pytest.mark.parametrize("to_file", [False, True])
def test_a_lone_surrogate_in_a_jsonl_value_is_escaped_in_json(run_batch, tmp_path, to_file):
    data = jsonl(b'{"id": "a"}', b'{"id": "x\\ud800y"}', b'{"id": "c"}')
    target = tmp_path / "out.jsonl"
    args = ["-", "--input-format", "jsonl", "--require-complete"]
    args += ["--out", str(target)] if to_file else []
    out = run_batch(args, stdin=data)
    assert out.exception is None and out.code == 1, out.stderr
    raw = target.read_bytes() if to_file else out.stdout.encode("utf-8")
    lines = raw.decode("utf-8").splitlines()  # strict: valid UTF-8
    assert len(lines) == 3
    assert '"x\\ud800y"' in lines[1]  # the JSON escape: the same string, nothing lost
    assert json.loads(lines[1])["extra"] == {"id": "x\ud800y"}


def test_a_lone_surrogate_is_replaced_in_csv(run_batch) -> None:
    data = jsonl(b'{"id": "a"}', b'{"id": "x\\ud800y", "\\udcff": 1}')
    args = ["-", "--input-format", "jsonl", "--format", "csv", "--require-complete"]
    out = run_batch(args, stdin=data)
    lines = out.stdout.encode("utf-8").decode("utf-8").splitlines()
    assert len(lines) == 3
    # The extra column is JSON text, so it keeps the escape.
    assert lines[2].startswith('2,"{""id"": ""x\\ud800y"", ""\\udcff"": ""1""}",error')


def test_a_lone_surrogate_key_never_writes_a_raw_byte(run_batch) -> None:
    out = run_batch(["-", "--input-format", "jsonl"], stdin=jsonl(b'{"\\udcff": "a"}'))
    raw = out.stdout.encode("utf-8")
    assert b"\xff" not in raw and b'"\\udcff": "a"' in raw
    assert json.loads(raw)["extra"] == {"\udcff": "a"}


def test_a_lone_surrogate_in_a_dataverse_value_keeps_every_row(run_batch, tmp_path) -> None:
    data = export(box(name="a"), box(name="x\ud800"), box(name="c"))
    target = tmp_path / "out.csv"
    out = run_batch(["-", "--input-format", "dataverse", "--out", str(target)], stdin=data)
    assert out.exception is None and out.code == 1, out.stderr
    lines = target.read_bytes().decode("utf-8").splitlines()
    assert len(lines) == 4  # header + 3 rows
    assert ",x\ufffd," in lines[2]


def test_a_bare_surrogate_writer_call_gives_utf8(tmp_path) -> None:
    from syncscope.batch.runner import BatchRow
    from syncscope.batch.writer import CsvWriter

    out = io.StringIO()
    row = BatchRow(1, {"id": "\udcff"}, "error", None, (), (), ("m \ud800",), None)
    CsvWriter(out, ("id",), fix=False).write(row)
    text = out.getvalue().encode("utf-8").decode("utf-8")
    assert text.splitlines()[1] == "1,\ufffd,error,,m \ufffd"


# -- Dataverse documents that lost rows ------------------------------------------


def test_concatenated_export_pages_are_read_as_pages(run_batch) -> None:
    first = export(box(name="a"), box(name="b"), tail=b', "@odata.nextLink": "https://x/2"')
    second = export(box(name="c"))
    out = run_batch(["-", "--input-format", "dataverse"], stdin=first + b"\n" + second + b"\n")
    rows = rows_of(out)
    assert [r["row"] for r in rows] == [1, 2, 3]
    assert [r["extra"]["name"] for r in rows] == ["a", "b", "c"]  # type: ignore[index]
    assert "row 3 (page 2, value[0])" in messages(rows)[2]
    assert "note: the input holds 2 export pages" in out.stderr
    assert "@odata.nextLink" not in out.stderr  # the last page has no next link


def test_pages_run_together_without_white_space_are_read_too(run_batch) -> None:
    data = export(box(name="a")) + export(box(name="b")) + export(box(name="c"))
    out = run_batch(["-", "--input-format", "dataverse"], stdin=data)
    assert [r["extra"]["name"] for r in rows_of(out)] == ["a", "b", "c"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("after", "problem"),
    [
        (b"garbage", "after the end of the document, found 'g'"),
        (b'{"other": 1}', "document 2 of the input: the document has no 'value' array"),
    ],
)
def test_text_after_an_export_is_an_error_row_not_dropped(run_batch, after, problem) -> None:
    out = run_batch(["-", "--input-format", "dataverse"], stdin=export(box()) + b"\n" + after)
    assert out.code == 1
    rows = rows_of(out)
    assert [r["row"] for r in rows] == [1, 2]
    assert problem in messages(rows)[1]


def test_an_export_cut_after_its_array_is_an_error_row(run_batch) -> None:
    out = run_batch(["-", "--input-format", "dataverse"], stdin=b'{"value": [' + box() + b"]")
    rows = rows_of(out)
    assert len(rows) == 2 and "expected ',' or '}' after the array" in messages(rows)[1]


def test_a_70_mb_item_is_read(org) -> None:
    data = export(box(name="a"), box(name="x" * 70_000_000), box(name="c"))
    rows = list(read_records(io.BytesIO(data), MODEL, input_format="dataverse", defaults=org))
    assert [r.row for r in rows] == [1, 2, 3]
    assert len(rows[1].extra["name"]) == 70_000_000
    assert rows[0].status == rows[1].status == rows[2].status == "ok"


def test_an_item_over_the_limit_is_refused_by_size_and_skipped(org, monkeypatch) -> None:
    monkeypatch.setattr(jsonstream, "MAX_ITEM", 1 << 20)
    data = export(box(name="a"), box(name="x" * 3_000_000), box(name="c"))
    rows = list(read_records(io.BytesIO(data), MODEL, input_format="dataverse", defaults=org))
    assert [r.status for r in rows] == ["ok", "error", "ok"]
    assert rows[1].error is not None
    assert "an element longer than 1 Mi characters (from line 1, column" in rows[1].error


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "dataverse"])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16", "utf-32"])
def test_utf16_with_or_without_a_byte_order_mark_is_decoded(
    run_batch, org_args, fmt, codec
) -> None:
    text = {
        "csv": "id,email_system\r\nm1,gmail\r\nm2,Yahoo! Mail\r\nm3,é\r\n",
        "jsonl": '{"id": "a", "email_system": "gmail"}\n{"id": "b"}\n',
        "dataverse": '{\n "value": [\n  {"name": "a"}\n ]\n}\n',
    }[fmt]
    args = ["-", *org_args, "--format", "jsonl"]
    wide = run_batch(args, stdin=text.encode(codec))  # utf-16/utf-32: with a byte-order mark
    plain = run_batch(args, stdin=text.encode("utf-8"))
    assert wide.exception is None and wide.code == plain.code
    rows = {"csv": 3, "jsonl": 2, "dataverse": 1}[fmt]
    assert wide.stdout == plain.stdout and wide.stdout.count("\n") == rows


def test_a_workbook_is_named_with_the_export_advice(run_batch, tmp_path: Path) -> None:
    book = tmp_path / "inventory.xlsx"
    book.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + bytes(200))
    out = run_batch([str(book)])
    assert out.code == 2 and out.stdout == ""
    assert "this is an Excel workbook (.xlsx), not text" in out.stderr
    assert "Save As > CSV UTF-8" in out.stderr


# -- what is not a regular file ---------------------------------------------------


def _cli(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([SYNCSCOPE, "batch", *args], capture_output=True, timeout=30, **kwargs)  # type: ignore[call-overload]


def test_a_fifo_as_the_input_is_refused_and_never_hangs(tmp_path: Path) -> None:
    fifo = tmp_path / "inventory.csv"
    os.mkfifo(fifo)
    done = _cli([str(fifo)])  # no writer ever opens it: blocking would time out
    assert done.returncode == 2
    assert done.stderr.decode() == (
        f"error: {fifo}: not a regular file (it is a FIFO); give a file, or '-' for stdin\n"
    )


def test_a_device_as_the_input_is_refused(run_batch) -> None:
    out = run_batch(["/dev/zero"])
    assert out.code == 2 and "/dev/zero: not a regular file (it is a device)" in out.stderr


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_fifo_or_device_as_out_is_refused_before_reading(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "rows.csv"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target = Path("/dev/null")
    proc = subprocess.Popen(
        [SYNCSCOPE, "batch", "-", "--out", str(target)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _, err = proc.communicate(timeout=30)  # stdin stays open: reading would hang
    what = "a FIFO" if kind == "fifo" else "a device"
    assert proc.returncode == 2
    assert f"--out {target}: cannot write: not a regular file (it is {what})" in err.decode()


def test_an_empty_out_is_refused_before_reading(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [SYNCSCOPE, "batch", "-", "--out", ""],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert err.decode() == "error: --out '': cannot write: the file name is empty\n"
    assert list(tmp_path.iterdir()) == []


def test_out_naming_the_file_stdin_reads_is_refused(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory.csv"
    data = b"id,email_system\nm1,gmail\n"
    inventory.write_bytes(data)
    with inventory.open("rb") as stdin:
        done = _cli(["-", "--out", str(inventory)], stdin=stdin)
    assert done.returncode == 2
    assert done.stderr.decode() == (
        f"error: --out {inventory} is the input (stdin reads it); the input is never overwritten\n"
    )
    assert inventory.read_bytes() == data


def test_out_naming_a_hard_link_of_the_input_is_refused(run_batch, tmp_path: Path) -> None:
    inventory = tmp_path / "inventory.csv"
    inventory.write_bytes(b"id,email_system\nm1,gmail\n")
    os.link(inventory, tmp_path / "report.csv")
    out = run_batch([str(inventory), "--out", str(tmp_path / "report.csv")])
    assert out.code == 2 and "is the input; the input is never overwritten" in out.stderr


def test_a_signal_right_after_the_rename_reports_the_complete_file(
    run_batch, tmp_path, all_args, monkeypatch
) -> None:
    source = tmp_path / "inv.csv"
    source.write_bytes(b"id,email_system\nm1,Gmail\nm2,MSN\n")
    target = tmp_path / "out.csv"
    real_replace = os.replace

    def replace_then_signal(src: str, dst: str) -> None:
        real_replace(src, dst)
        os.kill(os.getpid(), signal.SIGTERM)  # held back until the rename is recorded

    monkeypatch.setattr(os, "replace", replace_then_signal)
    out = run_batch([str(source), *all_args, "--out", str(target)])
    assert out.exception is None and out.code == 143
    assert out.stderr == (
        f"error: terminated after the output was complete: {target} is written in full\n"
    )
    assert len(target.read_text().splitlines()) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inv.csv", "out.csv"]
