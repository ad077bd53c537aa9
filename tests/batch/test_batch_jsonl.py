"""JSON Lines inventories: every physical line is a row; every bad-line kind."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping

import pytest
from syncscope.model import ConfigurationError, Value, load_model

from syncscope import check
from syncscope.batch.readers import Record, read_records

MODEL = load_model()
Read = Callable[..., list[Record]]


@pytest.fixture()
def records(org: dict[str, Value]) -> Read:
    """Read JSON Lines bytes with ``org`` (or the given ``defaults``) as defaults."""

    def read(data: bytes, defaults: Mapping[str, Value] | None = None) -> list[Record]:
        given = org if defaults is None else defaults
        return list(read_records(io.BytesIO(data), MODEL, input_format="jsonl", defaults=given))

    return read


def line(obj: object) -> bytes:
    return json.dumps(obj).encode()


def test_objects_give_configurations_and_other_keys_are_carried(gmail, records) -> None:
    data = line({"id": "m1", "seats": 3, "tags": ["a"], **gmail}) + b"\n"
    (row,) = records(data)
    assert row.status == "ok" and row.config is not None
    assert row.config["email_system"] == "gmail" and row.config["fips_mode"] is False
    assert dict(row.extra) == {"id": "m1", "seats": "3", "tags": '["a"]'}


def test_rows_are_physical_lines_blank_ones_included(gmail, records) -> None:
    ok = line(gmail)
    rows = records(ok + b"\n\n" + ok + b"\r\n \n" + ok)  # no final line end
    assert [r.row for r in rows] == [1, 2, 3, 4, 5]
    assert [r.status for r in rows] == ["ok", "error", "ok", "error", "ok"]
    assert rows[1].error == "row 2: blank line"


def test_a_final_line_end_adds_no_row(gmail, records) -> None:
    assert len(records(line(gmail) + b"\n")) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b'{"email_system": "gmail",', "row 1: bad JSON at column 26: Expecting property name"),
        (b"[1, 2]", "row 1: expected a JSON object of variable: value, got a JSON array"),
        (b'"gmail"', "row 1: expected a JSON object of variable: value, got text 'gmail'"),
        (b"\xff{}", "row 1: not UTF-8 text (byte 0xff at column 1); save the file as UTF-8"),
        (b"[" * 100000, "row 1: nested deeper than 64 levels of arrays and objects at column 65"),
    ],
)
def test_bad_lines_are_error_rows_and_the_run_goes_on(
    gmail, records, text: bytes, message: str
) -> None:
    rows = records(text + b"\n" + line(gmail) + b"\n")
    assert [r.status for r in rows] == ["error", "ok"]
    assert rows[0].error is not None and rows[0].error.startswith(message)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (5, "key 'version': version expects text, got the number 5"),
        (82, "key 'version': version expects text, got the number 82"),
        (["8.2"], "key 'version': version expects text, got a JSON array"),
        ({"v": 1}, "key 'version': version expects text, got a JSON object"),
        (True, "key 'version': version takes one of 8.0, 8.1, 8.2, not a yes/no value true"),
        ("8.3", "key 'version': unknown value '8.3' for version"),
    ],
)
def test_wrong_types_are_error_rows(gmail, records, value: object, message: str) -> None:
    (row,) = records(line({**gmail, "version": value}))
    assert row.status == "error"
    assert row.error is not None and message in row.error


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("version", 8.2),
        ("version", 8),
        ("version", 5),
        ("fips_mode", 1),
        ("fips_mode", 0.0),
        ("ports", True),
        ("email_system", ["gmail"]),
        ("deployment", {"v": 1}),
    ],
)
def test_batch_and_check_agree_on_json_values(
    gmail, org, records, name: str, value: object
) -> None:
    config = {**org, **gmail, name: value}
    try:
        check(config)
    except ConfigurationError as exc:
        expected: str | None = str(exc)
    else:
        expected = None
    (row,) = records(line({name: value, **{k: v for k, v in gmail.items() if k != name}}))
    if expected is None:
        assert row.status == "ok", row.error
    else:
        assert row.status == "error"
        assert row.error == f"row 1: key {name!r}: {expected}"


def test_null_and_empty_text_mean_not_given(gmail, org, records) -> None:
    rows = records(line({**gmail, "version": None}) + b"\n" + line({**gmail, "version": ""}))
    assert [r.status for r in rows] == ["ok", "ok"]
    assert rows[0].config is not None and rows[0].config["version"] == "8.2"  # the --set value
    no_default = {k: v for k, v in org.items() if k != "version"}
    (row,) = records(line({**gmail, "version": None}), no_default)
    assert row.error == "row 1: key 'version' is null and no --set gives version"


def test_true_and_one_are_told_apart_in_the_memo(gmail, records) -> None:
    rows = records(
        line({**gmail, "autodiscover": True}) + b"\n" + line({**gmail, "autodiscover": 1})
    )
    assert rows[0].status == "ok"
    assert rows[1].status == "error"


def test_a_variable_given_twice_is_an_error_row(gmail, records) -> None:
    (row,) = records(line({**gmail, "Email System": "gmail"}))
    assert row.error == "row 1: keys 'email_system' and 'Email System' both give email_system"


def test_row_values_override_defaults(gmail, records) -> None:
    (row,) = records(line({**gmail, "deployment": "on premises"}))
    assert row.config is not None and row.config["deployment"] == "on-premises"


def test_a_missing_key_names_the_variable_and_a_close_key(gmail, records) -> None:
    gmail = {k: v for k, v in gmail.items() if k != "ports"}
    (row,) = records(line({**gmail, "port": "default"}))
    assert row.error == (
        "row 1: no value for ports: the input has no such key and no --set gives it"
        " (did you mean key 'port' for ports?)"
    )
