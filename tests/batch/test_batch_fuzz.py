"""hypothesis: random bytes and random CSVs never crash ``syncscope batch``; rows out == rows in."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from syncscope.model import load_model

from syncscope.batch.source import wide_text, workbook
from syncscope.cli import cli

MODEL = load_model()
SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def run(data: bytes, *args: str) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(cli, ["batch", "-", "--format", "jsonl", *args], input=data)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a crash: show its traceback
    assert result.exit_code in (0, 1, 2), result.stderr
    text = result.stdout_bytes.decode("utf-8")
    rows = [json.loads(line) for line in text.split("\n")[:-1]]  # each row ends with LF
    assert text == "" or text.endswith("\n")
    if result.exit_code == 2:
        # With --format jsonl, the error is also data: one JSON object on stdout.
        assert [set(row) for row in rows] == [{"error"}] and result.stderr.startswith("error: ")
        assert rows[0]["error"]["kind"] in ("unreadable-input", "input", "configuration")
    else:
        assert [r["row"] for r in rows] == list(range(1, len(rows) + 1))
        assert result.stderr.startswith(f"{len(rows)} row")
    return result.exit_code, rows, result.stderr


def physical_lines(data: bytes) -> list[bytes]:
    """Lines as the readers define them: split at LF; no line after a final LF."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data:
        return []
    pieces = data.split(b"\n")
    return pieces[:-1] if pieces[-1] == b"" else pieces


def csv_records(data: bytes) -> int:
    """How many CSV records the data holds, by a byte-at-a-time reading of the rules:
    a field that starts with a quote is quoted; inside, two quotes are one and a lone
    quote closes it; a record goes on over line ends while a quoted field is open."""
    records = 0
    open_quote = False
    for line in physical_lines(data):
        if not open_quote:
            records += 1
            at_field_start = True
        i = 0
        while i < len(line):
            c = line[i : i + 1]
            if open_quote:
                if c == b'"':
                    if line[i + 1 : i + 2] == b'"':
                        i += 1
                    else:
                        open_quote = False
            elif at_field_start and c == b'"':
                open_quote = True
                at_field_start = False
            else:
                at_field_start = c == b","
            i += 1
    return records


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes_as_csv(data: bytes) -> None:
    code, rows, _ = run(data, "--input-format", "csv")
    if code != 2:
        assert len(rows) == csv_records(data) - 1  # the first record is the header


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes_as_jsonl(data: bytes) -> None:
    code, rows, _ = run(data, "--input-format", "jsonl")
    first = data.split(b"\n", 1)[0] + b"\n"
    # Wide text (with a byte-order mark or without) is decoded first; a workbook is refused.
    wide = data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))
    if not (wide or wide_text(first) or workbook(data)):
        assert code != 2
        assert len(rows) == len(physical_lines(data))


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes_as_dataverse_or_detected(data: bytes) -> None:
    run(data, "--input-format", "dataverse")
    run(data)


@SETTINGS
@given(st.lists(st.text(alphabet='{}[]":, \n\r\tabc01-', max_size=60), max_size=8))
def test_random_json_like_text_as_dataverse(parts: list[str]) -> None:
    run(('{"value": [' + ", ".join(parts) + "]}").encode(), "--input-format", "dataverse")


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
VALUES = st.sampled_from(["gmail", "Gmail", "POP3", "yes", "no", "", " ", "online", "x"])
KINDS = st.sampled_from(["good", "blank", "short", "long", "stray", "quoted", "bytes"])


@st.composite
def inventories(draw: st.DrawFn) -> tuple[bytes, int]:
    variables = draw(st.lists(st.sampled_from(MODEL.names), min_size=1, max_size=6, unique=True))
    names = draw(st.permutations([*variables, "id", "note"]))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(names)
    chunks = [out.getvalue().encode()]
    n_rows = draw(st.integers(0, 12))
    for _ in range(n_rows):
        kind = draw(KINDS)
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\n")
        cells = [draw(VALUES) if n not in ("id", "note") else draw(TEXT) for n in names]
        if kind == "good":
            writer.writerow(cells)
        elif kind == "blank":
            out.write("\n")
        elif kind == "short":
            writer.writerow(cells[:-1] or ["x", "y"])
        elif kind == "long":
            writer.writerow([*cells, "extra"])
        elif kind == "stray":
            out.write("a" + '"' + "b," * (len(names) - 1) + "\n")
        elif kind == "quoted":
            writer.writerow([f'line one\r\nline two, with "quotes"\n{c}' for c in cells])
        if kind == "bytes":
            chunks.append(b"\xff\xfe," * (len(names) - 1) + b"\x80\n")
        else:
            chunks.append(out.getvalue().encode("utf-8"))
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return bom + b"".join(chunks), n_rows


@SETTINGS
@given(inventories(), st.booleans())
def test_random_csvs_give_one_row_per_record(inventory: tuple[bytes, int], fix: bool) -> None:
    data, n_rows = inventory
    args = ["--input-format", "csv", "--set", "deployment=online"] + (["--fix"] if fix else [])
    code, rows, _ = run(data, *args)
    assert code in (0, 1)
    assert len(rows) == n_rows
    assert all(
        r["verdict"] in {"supported", "discouraged", "untested", "unsupported", "error"}
        for r in rows
    )
