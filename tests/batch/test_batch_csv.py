"""CSV inventories: what a row is, every bad-row kind, defaults, carried-through columns."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import pytest
from syncscope.model import Model, Value, load_model

from syncscope.batch.errors import UnreadableInput
from syncscope.batch.readers import Record, read_records

MODEL = load_model()
Read = Callable[..., list[Record]]


@pytest.fixture()
def records(full: dict[str, Value]) -> Read:
    """Read CSV bytes with ``full`` (every variable but email_system) as defaults."""

    def read(data: bytes, defaults: Mapping[str, Value] | None = None, model: Model = MODEL):
        given = full if defaults is None else defaults
        return list(read_records(io.BytesIO(data), model, input_format="csv", defaults=given))

    return read


def test_a_plain_inventory_gives_one_record_per_line(records) -> None:
    rows = records(b"id,email_system\nm1,Gmail\nm2,yahoo-mail\n")
    assert [(r.row, r.status, dict(r.extra)) for r in rows] == [
        (1, "ok", {"id": "m1"}),
        (2, "ok", {"id": "m2"}),
    ]
    assert rows[0].config is not None and rows[0].config["email_system"] == "gmail"
    assert list(rows[0].config) == list(MODEL.names)  # complete, in model order


def test_bom_and_crlf_are_handled(records) -> None:
    rows = records(b"\xef\xbb\xbfid,email_system\r\nm1,Gmail\r\nm2,MSN\r\n")
    assert [r.status for r in rows] == ["ok", "ok"]
    assert dict(rows[0].extra) == {"id": "m1"}  # the BOM is not part of the first name


def test_a_final_line_without_a_line_end_is_a_row(records) -> None:
    assert len(records(b"id,email_system\nm1,Gmail\nm2,Gmail")) == 2


def test_quoted_fields_with_line_ends_count_as_one_row(records) -> None:
    data = b'id,email_system,note\nm1,Gmail,"two\r\nlines"\nm2,Gmail,"a ""quote"", and, commas"\n'
    rows = records(data)
    assert [r.row for r in rows] == [1, 2]
    assert rows[0].extra["note"] == "two\r\nlines"  # carried through unchanged
    assert rows[1].extra["note"] == 'a "quote", and, commas'
    assert rows[0].status == rows[1].status == "ok"


def test_blank_lines_are_error_rows(records) -> None:
    rows = records(b"id,email_system\nm1,Gmail\n\n   \nm2,Gmail\n\n")
    assert [r.status for r in rows] == ["ok", "error", "error", "ok", "error"]
    assert rows[1].error == "row 2 (line 3): blank line"
    assert rows[2].error == "row 3 (line 4): blank line"


def test_a_blank_line_is_an_error_even_with_a_single_column(full, records) -> None:
    rows = records(b"email_system\ngmail\n\n \ngmail\n", {**full, "email_system": "gmail"})
    assert [r.status for r in rows] == ["ok", "error", "error", "ok"]


def test_unknown_value_names_row_column_value_and_close_match(records) -> None:
    (row,) = records(b"id,Email System\nm1,Gmial\n")
    assert row.status == "error" and row.config is None
    assert row.error is not None
    assert row.error.startswith("row 1 (line 2): column 'Email System': unknown value 'Gmial'")
    assert row.error.endswith("did you mean 'gmail'?")
    assert dict(row.extra) == {"id": "m1"}


def test_every_bad_cell_of_a_row_is_reported(full, records) -> None:
    (row,) = records(b"deployment,email_system\nonlin,gmial\n", {k: v for k, v in full.items()})
    assert row.error is not None
    assert "column 'deployment': unknown value 'onlin'" in row.error
    assert "column 'email_system': unknown value 'gmial'" in row.error


def test_a_missing_column_makes_every_row_an_error_naming_it(full, records) -> None:
    defaults = {k: v for k, v in full.items() if k != "ports"}
    rows = records(b"id,emial_system,prots\nm1,gmail,default\nm2,gmail,default\n", defaults)
    assert len(rows) == 2
    for row in rows:
        assert row.status == "error"
        assert row.error is not None
        assert "no value for email_system, ports: the input has no such column" in row.error
        assert row.error.endswith(
            "(did you mean column 'emial_system' for email_system, column 'prots' for ports?)"
        )
        assert dict(row.extra) == {
            "id": row.extra["id"],
            "emial_system": "gmail",
            "prots": "default",
        }


def test_set_defaults_fill_missing_columns_and_empty_cells_and_rows_win(records) -> None:
    data = b"id,email_system,deployment\nm1,MSN,\nm2,MSN,on-premises\n"
    rows = records(data)
    assert rows[0].config is not None and rows[0].config["deployment"] == "online"
    assert rows[1].config is not None and rows[1].config["deployment"] == "on-premises"


def test_an_empty_cell_without_default_is_an_error(full, records) -> None:
    defaults = {k: v for k, v in full.items() if k != "deployment"}
    (row,) = records(b"email_system,deployment\ngmail, \n", defaults)
    assert row.error == "row 1 (line 2): column 'deployment' is empty and no --set gives deployment"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b"m1,Gmail,x,y", "malformed CSV: 4 fields where the header has 2"),
        (b"m1", "malformed CSV: 1 field where the header has 2"),
        (b'm1,Gm"ail', "malformed CSV: a stray quote in field 2"),
        (b'"m1"x,Gmail', "malformed CSV: text after the closing quote of field 1"),
    ],
)
def test_malformed_lines_are_error_rows_and_the_run_goes_on(
    records, line: bytes, problem: str
) -> None:
    rows = records(b"id,email_system\n" + line + b"\nm2,Gmail\n")
    assert [r.status for r in rows] == ["error", "ok"]
    assert rows[0].error is not None and problem in rows[0].error
    assert rows[0].error.startswith("row 1 (line 2): ")
    assert rows[1].row == 2


def test_an_unclosed_quote_runs_to_the_end_as_one_error_row(records) -> None:
    rows = records(b'id,email_system\nm1,Gmail\nm2,"Gmail\nm3,Gmail\nm4,Gmail\n')
    assert [r.status for r in rows] == ["ok", "error"]
    assert rows[1].error is not None
    assert rows[1].error.startswith("row 2 (lines 3–5): malformed CSV:")
    assert "never closes" in rows[1].error


def test_undecodable_bytes_spoil_one_row_only(records) -> None:
    rows = records(b'id,email_system\nm\xff1,Gmail\nm2,Gmail\nm3,"Gm\nai\xfe"\n')
    assert [r.status for r in rows] == ["error", "ok", "error"]
    assert rows[0].error == (
        "row 1 (line 2): not UTF-8 text (byte 0xff at column 2); save the file as UTF-8"
    )
    assert rows[2].error is not None and "line 5 is not UTF-8 text (byte 0xfe" in rows[2].error


def test_a_lone_carriage_return_is_not_a_line_end(records) -> None:
    rows = records(b"id,email_system\nm1,Gmail\rm2,Gmail\n")
    assert len(rows) == 1 and rows[0].status == "error"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty input"),
        (b"\n\nid,email_system\n", "line 1 is blank"),
        (b"id,id,email_system\n", "column 'id' appears twice in the header (columns 1 and 2)"),
        (b"Email System,email_system\n", "columns 'Email System' and 'email_system' both give"),
        (b'id,"email_system\n', "the header opens a quote that never closes"),
        (b"\xff\xfei\x00d", "the text is not valid UTF-16"),  # a byte short
        (b"PK\x03\x04\x14\x00\x06\x00", "this is an Excel workbook (.xlsx), not text; export it"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "an Excel 97-2003 workbook (.xls)"),
        (b"id\xff,email_system\n", "the header can't be read: not UTF-8 text"),
        (b"id,email_system\rm1,Gmail\r", "not CR alone"),
    ],
)
def test_an_input_without_a_readable_header_is_unreadable(
    records, data: bytes, message: str
) -> None:
    with pytest.raises(UnreadableInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        records(data)


def test_empty_header_names_become_numbered_columns(records) -> None:
    (row,) = records(b"id,email_system,\nm1,Gmail,x\n")
    assert dict(row.extra) == {"id": "m1", "column 3": "x"}


def test_same_cells_share_one_configuration_object(records) -> None:
    rows = records(b"id,email_system\nm1,Gmail\nm2,Gmail\nm3,gmail\n")
    assert rows[0].config is rows[1].config  # memoised per distinct cells
    assert rows[2].config == rows[0].config
