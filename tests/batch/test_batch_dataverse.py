"""Dataverse Web API exports: derivation, not-applicable mailboxes, streaming, the docs table."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from syncscope.model import Value, load_model
from syncscope.solver.diagram.space import compiled
from syncscope.solver.queries.check import check

from syncscope.batch import dataverse_options as options
from syncscope.batch.dataverse_derive import derive
from syncscope.batch.errors import UnreadableInput
from syncscope.batch.jsonstream import array_items
from syncscope.batch.readers import Record, read_records

MODEL = load_model()
GOLDEN = Path(__file__).parent / "golden"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "dataverse-mapping.md"
EXO = {
    "servertype": 0,
    "emailservertypename": "Exchange Online",
    "incomingcredentialretrieval": 2,
    "outgoingcredentialretrieval": 2,
    "useautodiscover": True,
}
SSS = {"incomingemaildeliverymethod": 2, "outgoingemaildeliverymethod": 2, "actdeliverymethod": 2}


def box(profile: dict[str, object] | None = None, **fields: object) -> dict[str, object]:
    return {**SSS, "emailserverprofile": EXO if profile is None else profile, **fields}


Read = Callable[..., list[Record]]


@pytest.fixture()
def read(org: dict[str, Value]) -> Read:
    """Read a Dataverse document of ``value`` with ``org`` (or ``defaults``) as defaults."""

    def run(value: list[object], defaults: Mapping[str, Value] | None = None) -> list[Record]:
        data = json.dumps({"value": value}).encode()
        given = org if defaults is None else defaults
        return list(read_records(io.BytesIO(data), MODEL, input_format="dataverse", defaults=given))

    return run


def test_the_fixture_covers_every_server_type_and_credential_option() -> None:
    doc = json.loads((GOLDEN / "dataverse.json").read_text(encoding="utf-8"))
    profiles = [b["emailserverprofile"] for b in doc["value"] if isinstance(b, dict)]
    profiles = [p for p in profiles if isinstance(p, dict)]
    names = {p.get("emailservertypename") for p in profiles}
    assert {"Exchange Online", "Exchange Server", "Other (POP3/SMTP)", "IMAP/SMTP"} <= names
    assert {p.get("servertype") for p in profiles} >= set(options.SERVER_TYPES)
    credentials = {p.get("incomingcredentialretrieval") for p in profiles}
    assert credentials >= set(options.CREDENTIALS)
    assert any(p.get("incominguseimpersonation") is True for p in profiles)
    versions = {p.get("exchangeversion") for p in profiles}
    assert versions >= {0, 1, 4, 5, None}


@pytest.mark.parametrize("code", sorted(options.SERVER_TYPES))
def test_each_server_type_gives_its_profile_type(code: int) -> None:
    _, kind = options.SERVER_TYPES[code]
    profile = {"servertype": code, "incomingcredentialretrieval": 0, "useautodiscover": True}
    found = derive(box(profile))
    if kind is None:
        assert "profile_type" in found.gaps and "IMAP" in found.gaps["profile_type"]
    else:
        assert found.values["profile_type"] == kind
        assert (found.values["incoming_protocol"], found.values["outgoing_protocol"]) == (
            options.PROTOCOLS[kind]
        )


def test_the_server_type_name_wins_over_the_code() -> None:
    found = derive(box({**EXO, "servertype": 0}))
    assert found.values["profile_type"] == "exchange-online"
    assert found.values["email_system"] == "exchange-online"


@pytest.mark.parametrize("code", sorted(options.CREDENTIALS))
def test_each_credential_option(code: int) -> None:
    label, method = options.CREDENTIALS[code]
    profile = {**EXO, "incomingcredentialretrieval": code, "outgoingcredentialretrieval": code}
    found = derive(box(profile))
    if method is None:
        assert label in found.gaps["authentication"]
        assert "not one of the model's authentication methods" in found.gaps["authentication"]
    else:
        assert found.values["authentication"] == method


def test_impersonation_flag_gives_impersonation() -> None:
    profile = {**EXO, "incomingcredentialretrieval": 1, "incominguseimpersonation": True}
    profile["outgoingcredentialretrieval"] = 1
    profile["outgoinguseimpersonation"] = True
    assert derive(box(profile)).values["authentication"] == "impersonation"


def test_one_direction_is_enough_but_two_that_differ_are_a_gap() -> None:
    one = {**EXO, "outgoingcredentialretrieval": None}
    assert derive(box(one)).values["authentication"] == "server-to-server"
    two = {**EXO, "outgoingcredentialretrieval": 0}
    assert "authenticate differently" in derive(box(two)).gaps["authentication"]


@pytest.mark.parametrize(
    ("fields", "ports"),
    [
        ({"incomingportnumber": 995, "outgoingportnumber": 587}, "default"),
        ({"incomingportnumber": 110, "outgoingportnumber": 25}, "default"),
        ({"incomingportnumber": 995, "outgoingportnumber": 465}, "default"),
        ({"incomingportnumber": 1995, "outgoingportnumber": 587}, "custom"),
        ({"incomingportnumber": 995, "outgoingportnumber": 443}, "custom"),
        ({"incomingserverlocation": "pop.gmail.com:995", "outgoingportnumber": 25}, "default"),
        ({"incomingserverlocation": "pop.gmail.com:1110", "outgoingportnumber": 25}, "custom"),
        ({"incomingportnumber": 995}, None),
    ],
)
def test_pop3_smtp_ports_against_the_well_known_ones(fields, ports) -> None:
    profile = {"servertype": 1, "incomingcredentialretrieval": 0}
    profile["incomingserverlocation"] = "pop.gmail.com"
    found = derive(box({**profile, **fields}))
    if ports is None:
        assert "no outgoing port number and no autodiscover" in found.gaps["ports"]
    else:
        assert found.values["ports"] == ports


@pytest.mark.parametrize(
    ("fields", "ports"),
    [
        ({}, "default"),  # autodiscover on, no ports
        ({"useautodiscover": False, "incomingserverlocation": "https://mail.x/EWS"}, None),
        (
            {
                "useautodiscover": False,
                "incomingserverlocation": "https://mail.x/EWS",
                "outgoingserverlocation": "https://mail.x/EWS",
            },
            "default",
        ),
        ({"incomingportnumber": 443, "outgoingportnumber": 443}, "default"),
        ({"incomingportnumber": 8443}, "custom"),
        ({"outgoingserverlocation": "https://mail.x:444/EWS"}, "custom"),
    ],
)
def test_ews_ports(fields, ports) -> None:
    found = derive(box({**EXO, "emailservertypename": None, **fields}))
    if ports is None:
        assert "no outgoing port number and no autodiscover" in found.gaps["ports"]
    else:
        assert found.values["ports"] == ports


def test_pop3_profiles_have_no_autodiscover() -> None:
    profile = {"servertype": 1, "incomingcredentialretrieval": 0, "useautodiscover": True}
    assert derive(box(profile)).values["autodiscover"] is False


@pytest.mark.parametrize(("code", "system"), sorted(options.EXCHANGE_VERSIONS.items()))
def test_exchange_versions(code: int, system: tuple[str, str | None]) -> None:
    profile = {"servertype": 0, "incomingcredentialretrieval": 1, "exchangeversion": code}
    found = derive(box(profile))
    if system[1] is None:
        assert "2013, 2013 SP1 or 2016" in found.gaps["email_system"]
    else:
        assert found.values["email_system"] == system[1]


@pytest.mark.parametrize(("host", "systems"), sorted(options.HOSTS.items()))
def test_well_known_hosts(host: str, systems: tuple[str, ...]) -> None:
    profile = {"servertype": 1, "incomingcredentialretrieval": 0}
    found = derive(box({**profile, "incomingserverlocation": f"https://{host.upper()}/x"}))
    if len(systems) == 1:
        assert found.values["email_system"] == systems[0]
    else:
        assert found.gaps["email_system"] == f"host {host} serves {' or '.join(systems)}"


def test_an_unknown_host_is_a_gap_that_says_what_to_supply(org, read) -> None:
    profile = {"servertype": 1, "incomingcredentialretrieval": 0, "incomingportnumber": 995}
    profile |= {"outgoingportnumber": 25, "incomingserverlocation": "pop.example.net"}
    (row,) = read([box(profile)])
    assert row.status == "error"
    assert row.error == (
        "row 1 (value[0]): email_system: unknown server host pop.example.net"
        " (not in the well-known hosts); supply it with --set email_system=VALUE"
    )
    (row,) = read([box(profile)], {**org, "email_system": "other-pop3-smtp"})
    assert row.status == "ok" and row.config is not None
    assert row.config["email_system"] == "other-pop3-smtp"


def test_derived_values_win_over_set_values(org, read) -> None:
    (row,) = read([box()], {**org, "email_system": "gmail", "authentication": "impersonation"})
    assert row.config is not None
    assert row.config["email_system"] == "exchange-online"
    assert row.config["authentication"] == "server-to-server"


def test_a_set_profile_type_lets_the_settings_that_follow_from_it_be_derived(org, read) -> None:
    pop = {"incomingcredentialretrieval": 0, "incomingportnumber": 995}
    pop |= {"outgoingportnumber": 587, "incomingserverlocation": "pop.gmail.com"}
    (row,) = read([box(pop)])
    assert row.error is not None and row.error.startswith(
        "row 1 (value[0]): profile_type: field servertype is absent"
    )
    assert "(incoming_protocol, outgoing_protocol, autodiscover, ports follow from" in row.error
    (row,) = read([box(pop)], {**org, "profile_type": "pop3-smtp"})
    assert row.config is not None and row.config["incoming_protocol"] == "pop3"


IMAP = {
    "servertype": 4,
    "emailservertypename": "IMAP/SMTP",
    "incomingcredentialretrieval": 0,
    "outgoingcredentialretrieval": 0,
    "incomingportnumber": 993,
    "outgoingportnumber": 587,
    "incomingserverlocation": "imap.gmail.com",
    "outgoingserverlocation": "smtp.gmail.com",
}


BY_CODE = {k: v for k, v in IMAP.items() if k != "emailservertypename"}


@pytest.mark.parametrize("profile", [IMAP, BY_CODE], ids=["by-name", "by-code"])
def test_server_type_4_is_imap_smtp_with_imap_incoming(profile: dict[str, object]) -> None:
    found = derive(box(profile))
    assert "profile_type" not in found.gaps
    assert found.values["profile_type"] == "imap-smtp"
    protocols = (found.values["incoming_protocol"], found.values["outgoing_protocol"])
    assert protocols == ("imap", "smtp")
    assert found.values["autodiscover"] is False
    assert found.values["ports"] == "default"
    assert found.values["email_system"] == "gmail"
    pop = derive(box({**profile, "servertype": 1, "emailservertypename": "Other (POP3/SMTP)"}))
    assert pop.values["incoming_protocol"] == "pop3"


def test_imap_ports_are_imaps() -> None:
    assert derive(box({**IMAP, "incomingportnumber": 143})).values["ports"] == "default"
    assert derive(box({**IMAP, "incomingportnumber": 995})).values["ports"] == "custom"


def test_credential_option_7_is_oauth_and_3_to_6_still_ask_for_set() -> None:
    oauth = {**EXO, "incomingcredentialretrieval": 7, "outgoingcredentialretrieval": 7}
    assert derive(box(oauth)).values["authentication"] == "oauth"
    for code in (3, 4, 5, 6):
        found = derive(box({**EXO, "incomingcredentialretrieval": code}))
        assert "authentication" not in found.values
        assert f"credentialretrieval {code} " in found.gaps["authentication"]


def test_imap_rows_read_and_check_under_the_edition_that_speaks_of_imap(org) -> None:
    online = {"deployment": "online", "version": "9.2", "mfa": False, "customer_key": False}
    online |= {k: False for k in ("outlook_manual_tracking", "mass_email_campaigns")}
    online |= {k: False for k in ("custom_email_provider", "mixed_outlook_act_sync")}
    late = load_model(edition="online-2020-10")
    data = json.dumps({"value": [box(IMAP)]}).encode()
    defaults: dict[str, Value] = {**online, "same_tenant": True}
    (row,) = read_records(io.BytesIO(data), late, input_format="dataverse", defaults=defaults)
    assert row.error is None and row.config is not None
    assert row.config["profile_type"] == "imap-smtp"
    assert check(compiled(late), row.config).verdict.valid
    (row,) = read_records(io.BytesIO(data), MODEL, input_format="dataverse", defaults=org)
    assert row.error is None and row.config is not None
    assert row.config["incoming_protocol"] == "imap"
    assert not check(compiled(MODEL), row.config).verdict.valid  # IMAP came after the seed


def test_org_wide_settings_must_come_from_set(read) -> None:
    (row,) = read([box()], {"deployment": "online"})
    assert row.error is not None
    assert row.error.startswith(
        "row 1 (value[0]): no value for version, same_tenant, fips_mode, mfa, customer_key,"
    )
    assert row.error.endswith("a Dataverse export doesn't hold them; supply with --set VAR=VALUE")


@pytest.mark.parametrize(
    ("incoming", "outgoing", "act"),
    [(i, o, a) for i in (0, 1, 3) for o in (0, 1) for a in (0, 2)],
)
def test_mailboxes_without_server_side_sync_are_not_applicable(
    read, incoming, outgoing, act
) -> None:
    fields = {
        "incomingemaildeliverymethod": incoming,
        "outgoingemaildeliverymethod": outgoing,
        "actdeliverymethod": act,
    }
    (row,) = read([{**fields, "emailserverprofile": None, "mailboxid": "m"}])
    assert row.status == "not-applicable" and row.config is None
    assert row.error is not None and "doesn't use server-side synchronization" in row.error
    assert row.extra["mailboxid"] == "m"


@pytest.mark.parametrize(
    "fields",
    [
        {"incomingemaildeliverymethod": 2, "outgoingemaildeliverymethod": 0},
        {"incomingemaildeliverymethod": 0, "outgoingemaildeliverymethod": 2},
        {
            "incomingemaildeliverymethod": 0,
            "outgoingemaildeliverymethod": 0,
            "actdeliverymethod": 1,
        },
    ],
)
def test_any_server_side_direction_makes_a_mailbox_applicable(read, fields) -> None:
    (row,) = read([{**SSS, **fields, "emailserverprofile": EXO}])
    assert row.status == "ok"


def test_act_delivery_gives_the_appointments_setting(read) -> None:
    rows = read([box(actdeliverymethod=a) for a in (0, 1, 2)])
    assert [r.config["sync_appointments_contacts_tasks"] for r in rows if r.config] == [
        False,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"incomingemaildeliverymethod": 9}, "unknown option value 9 (one of 0, 1, 2, 3)"),
        ({"actdeliverymethod": "1"}, "field actdeliverymethod: expected an option value"),
        ({"outgoingemaildeliverymethod": True}, "expected an option value (a whole number)"),
    ],
)
def test_bad_option_values_are_error_rows(read, fields, message) -> None:
    (row,) = read([box(**fields)])
    assert row.status == "error" and row.error is not None and message in row.error


def test_a_missing_profile_is_an_error_that_says_how_to_expand_it(read) -> None:
    (row,) = read([{**SSS, "emailserverprofile": None}])
    assert row.error is not None
    assert "the mailbox's email server profile is absent" in row.error
    assert "$expand=emailserverprofile" in row.error


def test_extras_are_carried_with_empty_text_for_absent_fields(read) -> None:
    (row,) = read([box(mailboxid="m1", name="Ann", emailaddress=None)])
    assert dict(row.extra) == {
        "mailboxid": "m1",
        "name": "Ann",
        "emailaddress": "",
        "emailserverprofile.emailserverprofileid": "",
        "emailserverprofile.name": "",
    }


def test_non_object_elements_are_error_rows(read) -> None:
    rows = read([box(), 3, None, box()])
    assert [r.status for r in rows] == ["ok", "error", "error", "ok"]
    assert (
        rows[1].error
        == "row 2 (value[1]): expected a mailbox record (a JSON object), got a number 3"
    )


def test_streaming_in_tiny_chunks_gives_the_same_items() -> None:
    text = (GOLDEN / "dataverse.json").read_bytes()
    whole = [i.value for i in array_items(iter([text]), "doc")]
    pieces = [text[i : i + 7] for i in range(0, len(text), 7)]
    assert [i.value for i in array_items(iter(pieces), "doc")] == whole
    assert whole == json.loads(text)["value"]


def test_a_document_broken_midway_ends_with_an_error_row(org, read) -> None:
    data = (
        b'{"value": [' + json.dumps(box()).encode() + b", {broken}, " + json.dumps(box()).encode()
    )
    rows = list(read_records(io.BytesIO(data), MODEL, input_format="dataverse", defaults=org))
    assert [r.status for r in rows] == ["ok", "error"]
    assert rows[1].error is not None
    assert rows[1].error.startswith("row 2 (value[1]): malformed JSON at line 1, column")
    assert rows[1].error.endswith("the rest of the document can't be read")


def test_undecodable_bytes_spoil_only_their_element(org) -> None:
    good = json.dumps(box()).encode()
    data = b'{"value": [' + good + b', {"name": "\xff"}, ' + good + b"]}"
    rows = list(read_records(io.BytesIO(data), MODEL, input_format="dataverse", defaults=org))
    assert [r.status for r in rows] == ["ok", "error", "ok"]
    assert rows[1].error is not None and "not UTF-8 text at line 1" in rows[1].error


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "expected a JSON object"),
        (b"[]", "expected a JSON object"),
        (b'{"@odata.context": "x"}', "the document has no 'value' array"),
        (b'{"value": {}}', "'value' is not an array"),
        (b'{"value" [', "malformed JSON"),
    ],
)
def test_documents_without_a_value_array_are_unreadable(org, data: bytes, message: str) -> None:
    with pytest.raises(UnreadableInput, match=message):
        list(read_records(io.BytesIO(data), MODEL, input_format="dataverse", defaults=org))


def test_an_export_of_one_page_of_several_gets_a_note(org) -> None:
    data = json.dumps({"value": [box()], "@odata.nextLink": "https://x/next"}).encode()
    stream = read_records(io.BytesIO(data), MODEL, input_format="dataverse", defaults=org)
    assert len(list(stream)) == 1
    assert stream.notes() and "@odata.nextLink" in stream.notes()[0]
    data = json.dumps({"value": [box()]}).encode()
    stream = read_records(io.BytesIO(data), MODEL, input_format="dataverse", defaults=org)
    list(stream)
    assert stream.notes() == ()


def _table(rows: list[tuple[object, ...]]) -> list[str]:
    return [
        "| " + " | ".join(f"`{c}`" if c is not None else "—" for c in row) + " |" for row in rows
    ]


def test_the_docs_table_matches_the_code() -> None:
    text = DOCS.read_text(encoding="utf-8")
    expected: list[str] = []
    expected += _table([(k, label, kind) for k, (label, kind) in options.SERVER_TYPES.items()])
    expected += _table([(name, kind) for name, kind in options.SERVER_TYPE_NAMES.items()])
    expected += _table([(k, label, m) for k, (label, m) in options.CREDENTIALS.items()])
    expected += _table([(k, label, s) for k, (label, s) in options.EXCHANGE_VERSIONS.items()])
    expected += _table([(h, " or ".join(s)) for h, s in options.HOSTS.items()])
    expected += _table([(p, ", ".join(map(str, sorted(v)))) for p, v in options.PORTS.items()])
    missing = [row for row in expected if row not in text]
    assert not missing, "docs/dataverse-mapping.md lacks:\n" + "\n".join(missing)
