"""Inputs as people have them: --config in JSON or TOML, --defaults, and batch inventories
with semicolons, tabs, UTF-16 and Excel workbooks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from syncscope.model import format_value, load_model, normalize_config

from syncscope.cli import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
GMAIL = normalize_config(load_model(), json.loads((EXAMPLES / "gmail-online.json").read_text()))
MAILBOX = ("email_system", "incoming_protocol", "outgoing_protocol", "profile_type")
ORG = {name: value for name, value in GMAIL.items() if name not in MAILBOX}
ORG_TOML = "".join(
    f"{name} = {json.dumps(value if isinstance(value, bool) else format_value(value))}\n"
    for name, value in ORG.items()
)


def run(*args: str, stdin: str | bytes | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, env={"COLUMNS": "1000"})


def write(folder: Path, name: str, data: str | bytes) -> str:
    path = folder / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return str(path)


# -- --config in TOML -------------------------------------------------------------------------


def test_config_reads_toml_by_extension_and_by_content(tmp_path: Path) -> None:
    toml = ORG_TOML + 'email_system = "Gmail"\nincoming_protocol = "POP3"\n'
    by_json = run("check", "--config", str(EXAMPLES / "gmail-online.json"), "--json")
    by_name = run("check", "--config", write(tmp_path, "mine.toml", toml), "--json")
    by_content = run("check", "--config", "-", "--json", stdin=toml)
    for result in (by_name, by_content):
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["configuration"]["email_system"] == "gmail"
        assert data["configuration"]["deployment"] == "online"
    assert json.loads(by_json.stdout)["verdict"] == json.loads(by_name.stdout)["verdict"]


def test_bad_toml_is_bad_input_naming_the_file(tmp_path: Path) -> None:
    result = run("check", "--config", write(tmp_path, "mine.toml", "email_system = \n"), "--json")
    assert result.exit_code == 2
    assert "mine.toml" in result.stderr and json.loads(result.stdout)["error"]["kind"] == "input"


@pytest.mark.parametrize("name", ["inventory.csv", "inventory.txt", "-"])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_a_csv_given_as_a_configuration_is_named_as_such(
    tmp_path: Path, name: str, sep: str
) -> None:
    text = sep.join(["deployment", "email_system"]) + "\n" + sep.join(["online", "gmail"]) + "\n"
    source = name if name == "-" else write(tmp_path, name, text)
    shown = "<stdin>" if name == "-" else source
    stdin = text if name == "-" else None
    advice = "give an inventory to `syncscope batch`"
    for args, option, where in (
        (["check", "--config", source], "--config", advice),
        (["check", "--defaults", source, "--set", "deployment=online"], "--defaults", advice),
        (
            ["plan", "--from", source, "--to", str(EXAMPLES / "target-online.json")],
            "--from",
            "give an inventory to `plan --batch` (or `syncscope batch`)",
        ),
    ):
        result = run(*args, stdin=stdin)
        assert result.exit_code == 2, result.output
        assert result.stderr.strip() == (
            f"error: {shown}: looks like CSV: {option} takes a JSON or TOML configuration; {where}"
        )
        assert "malformed TOML" not in result.output


def test_text_that_is_neither_toml_nor_csv_is_still_malformed_toml(tmp_path: Path) -> None:
    for text in ("email_system = \n", "deployment,email_system\nonline\n"):
        result = run("check", "--config", write(tmp_path, "mine.conf", text))
        assert result.exit_code == 2
        assert "mine.conf: malformed TOML" in result.stderr
        assert "looks like CSV" not in result.stderr


def test_plan_ends_read_toml_too(tmp_path: Path) -> None:
    start = write(
        tmp_path,
        "start.toml",
        "".join(ORG_TOML) + 'email_system = "Gmail"\n'
        'incoming_protocol = "POP3"\noutgoing_protocol = "SMTP"\n'
        'profile_type = "POP3/SMTP"\n',
    )
    target = write(tmp_path, "target.toml", 'email_system = "exchange-online"\n')
    result = run("plan", "--from", start, "--to", target, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["start"]["email_system"] == "gmail"
    assert data["steps"][-1]["configuration"]["email_system"] == "exchange-online"


# -- --defaults -------------------------------------------------------------------------------


def test_defaults_supply_every_configuration_and_set_wins(tmp_path: Path) -> None:
    org = write(tmp_path, "org.toml", ORG_TOML)
    mailbox = json.dumps({name: format_value(GMAIL[name]) for name in MAILBOX})
    result = run("check", "--defaults", org, "--config", "-", "--json", stdin=mailbox)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["configuration"] == {name: GMAIL[name] for name in data["configuration"]}
    assert len(data["configuration"]) == len(GMAIL)  # complete from the defaults
    # A configuration's own value wins over the defaults, and --set over both.
    own = json.dumps({**json.loads(mailbox), "mfa": True})
    data = json.loads(run("check", "--defaults", org, "--config", "-", "--json", stdin=own).stdout)
    assert data["configuration"]["mfa"] is True
    data = json.loads(
        run(
            "check", "--defaults", org, "--config", "-", "--set", "mfa=no", "--json", stdin=own
        ).stdout
    )
    assert data["configuration"]["mfa"] is False


def test_defaults_reach_every_command_that_takes_set(tmp_path: Path) -> None:
    org = write(tmp_path, "org.json", json.dumps({"deployment": "online", "fips_mode": True}))
    domains = json.loads(run("domains", "--defaults", org, "--json").stdout)
    assert domains["fixed"] == {"deployment": "online", "fips_mode": True}
    counts = json.loads(run("list", "--count", "--json", "--defaults", org).stdout)
    assert (
        counts["total"]
        == json.loads(
            run(
                "list", "--count", "--json", "--set", "deployment=online", "--set", "fips_mode=yes"
            ).stdout
        )["total"]
    )
    config = json.loads(run("init", "--defaults", org).stdout)
    assert config["deployment"] == "online" and config["fips_mode"] is True
    # --set wins over a default without counting as a conflict.
    config = json.loads(run("init", "--defaults", org, "--set", "fips_mode=no").stdout)
    assert config["fips_mode"] is False


def test_defaults_fill_every_batch_row(tmp_path: Path) -> None:
    org = write(tmp_path, "org.toml", ORG_TOML)
    inventory = write(
        tmp_path,
        "inv.csv",
        "id,email_system,incoming_protocol,outgoing_protocol,"
        "profile_type\nm1,Gmail,POP3,SMTP,POP3/SMTP\nm2,MSN,POP3,SMTP,POP3/SMTP\n",
    )
    result = run("batch", inventory, "--defaults", org, "--format", "jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["verdict"] for r in rows] == ["supported", "unsupported"]
    assert rows[0]["configuration"]["deployment"] == "online"


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        ('deployment = "moon"\n', "org.toml", "org.toml: unknown value 'moon' for deployment"),
        ("[1, 2]", "org.json", "org.json: expected an object"),
        ("emial_system = 1\n", "org.toml", "org.toml: unknown variable 'emial_system'"),
    ],
)
def test_bad_defaults_are_named(tmp_path: Path, text: str, name: str, message: str) -> None:
    result = run("check", "--defaults", write(tmp_path, name, text), "--json")
    assert result.exit_code == 2
    assert message in result.stderr
    assert json.loads(result.stdout)["error"]["message"].startswith("--defaults ")


# -- inventories ------------------------------------------------------------------------------

ROWS = [
    ("id", "email_system", "incoming_protocol", "outgoing_protocol", "profile_type"),
    ("m1", "Gmail", "POP3", "SMTP", "POP3/SMTP"),
    ("m2", "Yahoo! Mail", "POP3", "SMTP", "POP3/SMTP"),
    ("m3", "MSN", "POP3", "SMTP", "POP3/SMTP"),
]


def _inventory(sep: str) -> str:
    return "".join(sep.join(row) + "\r\n" for row in ROWS)


def _batch(tmp_path: Path, name: str, data: str | bytes, *args: str) -> Result:
    org = write(tmp_path, "org.toml", ORG_TOML)
    return run("batch", write(tmp_path, name, data), "--defaults", org, "--format", "jsonl", *args)


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolons_and_tabs_are_sniffed(tmp_path: Path, sep: str) -> None:
    comma = _batch(tmp_path, "comma.csv", _inventory(","))
    other = _batch(tmp_path, "other.csv", _inventory(sep))
    assert other.exit_code == comma.exit_code == 1
    assert other.stdout == comma.stdout
    assert [json.loads(x)["verdict"] for x in other.stdout.splitlines()] == [
        "supported",
        "supported",
        "unsupported",
    ]


def test_delimiter_overrides_the_sniffing(tmp_path: Path) -> None:
    # A note column full of semicolons outnumbers the commas: sniffed as semicolons.
    text = (
        "note;a;b;c;d;e,email_system,incoming_protocol,outgoing_protocol,profile_type\n"
        "1;2;3;4;5;6,Gmail,POP3,SMTP,POP3/SMTP\n"
    )
    sniffed = _batch(tmp_path, "notes.csv", text, "--require-complete")
    assert json.loads(sniffed.stdout)["verdict"] == "error"
    given = _batch(tmp_path, "notes.csv", text, "--delimiter", "comma")
    row = json.loads(given.stdout)
    assert row["extra"] == {"note;a;b;c;d;e": "1;2;3;4;5;6"} and row["verdict"] == "supported"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_decoded(tmp_path: Path, codec: str) -> None:
    plain = _batch(tmp_path, "plain.csv", _inventory(","))
    wide = _batch(tmp_path, "wide.csv", _inventory("\t").encode(codec))  # Excel's "Unicode text"
    assert wide.exit_code == plain.exit_code and wide.stdout == plain.stdout


def test_an_excel_workbook_is_named_with_the_export_advice(tmp_path: Path) -> None:
    for name, data in [
        ("inventory.xlsx", b"PK\x03\x04\x14\x00\x06\x00" + bytes(100)),
        ("inventory.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)),
    ]:
        result = _batch(tmp_path, name, data)
        assert result.exit_code == 2
        error = json.loads(result.stdout)["error"]
        assert error["kind"] == "unreadable-input"
        assert "Excel" in error["message"] and "CSV UTF-8" in error["message"]


# -- every file option reads text as batch does ---------------------------------------------

GMAIL_JSON = json.dumps({"deployment": "online", "email_system": "gmail"})
WIDE = ["utf-16", "utf-16-le", "utf-16-be", "utf-32"]


@pytest.mark.parametrize("codec", WIDE)
def test_config_in_utf16_is_decoded_as_batch_decodes_it(tmp_path: Path, codec: str) -> None:
    plain = run("check", "--config", write(tmp_path, "plain.json", GMAIL_JSON), "--json")
    assert plain.exit_code == 0
    for name, data in [("wide.json", GMAIL_JSON), ("wide.toml", ORG_TOML)]:
        path = write(tmp_path, name, (data + "\n").encode(codec))
        result = run("check", "--config", path, "--json")
        assert result.exit_code in (0, 1), result.stderr
        expected = run("check", "--config", write(tmp_path, "u8" + name, data), "--json")
        assert result.stdout == expected.stdout
    stdin = run("check", "--config", "-", "--json", stdin=(GMAIL_JSON + "\n").encode(codec))
    assert stdin.stdout == plain.stdout


@pytest.mark.parametrize("codec", WIDE)
def test_every_file_option_decodes_utf16(tmp_path: Path, codec: str) -> None:
    start, target = EXAMPLES / "onprem-exchange-2010.json", EXAMPLES / "target-online.json"
    wide_to = write(tmp_path, "to.json", target.read_text(encoding="utf-8").encode(codec))
    wide_from = write(tmp_path, "from.json", start.read_text(encoding="utf-8").encode(codec))
    plain = run("plan", "--from", str(start), "--to", str(target), "--json")
    assert plain.exit_code == 0
    assert run("plan", "--from", wide_from, "--to", wide_to, "--json").stdout == plain.stdout
    org = write(tmp_path, "org.toml", ORG_TOML.encode(codec))
    expected = run("check", "--defaults", write(tmp_path, "o.toml", ORG_TOML), "--json")
    assert run("check", "--defaults", org, "--json").stdout == expected.stdout
    weights = write(tmp_path, "w.toml", "ports = 0.5\n[email_system]\ndefault = 7\n".encode(codec))
    args = ["nearest", "--set", "deployment=online", "--set", "email_system=msn", "--json"]
    plain_weights = write(tmp_path, "w8.toml", "ports = 0.5\n[email_system]\ndefault = 7\n")
    result = run(*args, "--weights", weights)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == run(*args, "--weights", plain_weights).stdout
    assert json.loads(result.stdout)["cost"] == 7


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("inv.xlsx", b"PK\x03\x04\x14\x00\x06\x00" + bytes(100)),
        ("mine.json", b"PK\x03\x04\x14\x00\x06\x00" + bytes(100)),
        ("inv.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)),
    ],
)
def test_a_workbook_given_as_a_file_option_is_named_as_such(
    tmp_path: Path, name: str, data: bytes
) -> None:
    path = write(tmp_path, name, data)
    start = str(EXAMPLES / "onprem-exchange-2010.json")
    for args in (
        ["check", "--config", path],
        ["explain", "--config", path],
        ["check", "--defaults", path],
        ["plan", "--from", start, "--to", path],
        ["nearest", "--set", "deployment=online", "--weights", write(tmp_path, "w.json", data)],
    ):
        result = run(*args, "--json")
        assert result.exit_code == 2, args
        error = json.loads(result.stdout)["error"]
        assert error["kind"] in ("unreadable-input", "configuration"), args
        assert "Excel" in error["message"] and "workbook" in error["message"], args
        assert "not UTF-8" not in error["message"]
    config = run("check", "--config", path).stderr
    assert "a configuration is a JSON or TOML file" in config and "syncscope batch" in config


def test_text_that_is_not_utf8_names_the_byte(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.json", '{"email_system": "gmail é"}'.encode("latin-1"))
    result = run("check", "--config", path)
    assert result.exit_code == 2
    assert "latin.json: not UTF-8 text (byte 24)" in result.stderr


# -- partial rows -----------------------------------------------------------------------------


def test_partial_rows_follow_check(tmp_path: Path) -> None:
    import syncscope

    text = (
        "id,deployment,email_system,fips_mode\n"
        "m1,online,Gmail,\n"  # what check says of the same partial settings
        "m2,online,MSN,yes\n"  # unsupported whatever the rest
        "m3,,,\n"  # nothing known: the best any configuration reaches
    )
    source = write(tmp_path, "partial.csv", text)
    result = run("batch", source, "--format", "jsonl", "--fix")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    for row, given in zip(
        rows,
        [
            {"deployment": "online", "email_system": "gmail"},
            {"deployment": "online", "email_system": "msn", "fips_mode": True},
            {},
        ],
        strict=True,
    ):
        expected = syncscope.check(given)
        assert row["configuration"] == expected.configuration
        assert row["verdict"] == expected.verdict.id
        assert row["rules"] == [f.rule.id for f in expected.findings]
        if expected.required:
            assert row["messages"][-1].startswith("every valid completion has: ")
        assert (row["fix"] == []) is expected.valid
    assert rows[1]["verdict"] == "unsupported" and rows[1]["fix"]
    assert result.exit_code == 1
    strict = run("batch", source, "--format", "jsonl", "--require-complete")
    assert [json.loads(x)["verdict"] for x in strict.stdout.splitlines()] == ["error"] * 3
    assert "no value for" in strict.stdout
