"""JSON Lines inventories: every physical line is a row; every bad-line kind."""

from __future__ import annotations

import io
import json

import pytest
from syncscope.model import ConfigurationError, load_model

from syncscope import check
from syncscope.batch.readers import read_records

MODEL = load_model()
ORG = {
    "deployment": "online",
    "version": "8.2",
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
GMAIL = {
    "email_system": "Gmail",
    "incoming_protocol": "POP3",
    "outgoing_protocol": "SMTP",
    "sync_appointments_contacts_tasks": False,
    "authentication": "user or queue",
    "autodiscover": "no",
    "profile_type": "POP3/SMTP",
    "ports": "default",
}


def records(data: bytes, defaults: dict[str, object] | None = None):
    given = ORG if defaults is None else defaults
    return list(read_records(io.BytesIO(data), MODEL, input_format="jsonl", defaults=given))


def line(obj: object) -> bytes:
    return json.dumps(obj).encode()


def test_objects_give_configurations_and_other_keys_are_carried() -> None:
    data = line({"id": "m1", "seats": 3, "tags": ["a"], **GMAIL}) + b"\n"
    (row,) = records(data)
    assert row.status == "ok" and row.config is not None
    assert row.config["email_system"] == "gmail" and row.config["fips_mode"] is False
    assert dict(row.extra) == {"id": "m1", "seats": "3", "tags": '["a"]'}


def test_rows_are_physical_lines_blank_ones_included() -> None:
    ok = line(GMAIL)
    rows = records(ok + b"\n\n" + ok + b"\r\n \n" + ok)  # no final line end
    assert [r.row for r in rows] == [1, 2, 3, 4, 5]
    assert [r.status for r in rows] == ["ok", "error", "ok", "error", "ok"]
    assert rows[1].error == "row 2: blank line"


def test_a_final_line_end_adds_no_row() -> None:
    assert len(records(line(GMAIL) + b"\n")) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b'{"email_system": "gmail",', "row 1: bad JSON at column 26: Expecting property name"),
        (b"[1, 2]", "row 1: expected a JSON object of variable: value, got a JSON array"),
        (b'"gmail"', "row 1: expected a JSON object of variable: value, got text 'gmail'"),
        (b"\xff{}", "row 1: not UTF-8 text (byte 0xff at column 1); save the file as UTF-8"),
        (b"[" * 100000, "row 1: bad JSON: nested too deeply"),
    ],
)
def test_bad_lines_are_error_rows_and_the_run_goes_on(text: bytes, message: str) -> None:
    rows = records(text + b"\n" + line(GMAIL) + b"\n")
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
def test_wrong_types_are_error_rows(value: object, message: str) -> None:
    (row,) = records(line({**GMAIL, "version": value}))
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
def test_batch_and_check_agree_on_json_values(name: str, value: object) -> None:
    config = {**ORG, **GMAIL, name: value}
    try:
        check(config)
    except ConfigurationError as exc:
        expected: str | None = str(exc)
    else:
        expected = None
    (row,) = records(line({name: value, **{k: v for k, v in GMAIL.items() if k != name}}))
    if expected is None:
        assert row.status == "ok", row.error
    else:
        assert row.status == "error"
        assert row.error == f"row 1: key {name!r}: {expected}"


def test_null_and_empty_text_mean_not_given() -> None:
    rows = records(line({**GMAIL, "version": None}) + b"\n" + line({**GMAIL, "version": ""}))
    assert [r.status for r in rows] == ["ok", "ok"]
    assert rows[0].config is not None and rows[0].config["version"] == "8.2"  # the --set value
    no_default = {k: v for k, v in ORG.items() if k != "version"}
    (row,) = records(line({**GMAIL, "version": None}), no_default)
    assert row.error == "row 1: key 'version' is null and no --set gives version"


def test_true_and_one_are_told_apart_in_the_memo() -> None:
    rows = records(
        line({**GMAIL, "autodiscover": True}) + b"\n" + line({**GMAIL, "autodiscover": 1})
    )
    assert rows[0].status == "ok"
    assert rows[1].status == "error"


def test_a_variable_given_twice_is_an_error_row() -> None:
    (row,) = records(line({**GMAIL, "Email System": "gmail"}))
    assert row.error == "row 1: keys 'email_system' and 'Email System' both give email_system"


def test_row_values_override_defaults() -> None:
    (row,) = records(line({**GMAIL, "deployment": "on premises"}))
    assert row.config is not None and row.config["deployment"] == "on-premises"


def test_a_missing_key_names_the_variable_and_a_close_key() -> None:
    gmail = {k: v for k, v in GMAIL.items() if k != "ports"}
    (row,) = records(line({**gmail, "port": "default"}))
    assert row.error == (
        "row 1: no value for ports: the input has no such key and no --set gives it"
        " (did you mean key 'port' for ports?)"
    )
