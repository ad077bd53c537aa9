"""The public vocabulary: exact names and canonical values, labels, aliases and did-you-mean."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from syncscope.model import (
    ConfigurationError,
    Model,
    Value,
    format_value,
    load_model,
    merge_assignments,
    normalize_config,
    parse_assignment,
    parse_value,
    resolve_variable,
)
from syncscope.model.vocabulary import BOOL_ALIASES, fold_spelling

BOOL = (True, False)

# The public contract, written out by hand: names, order and canonical values.
CONTRACT: list[tuple[str, tuple[Value, ...]]] = [
    ("deployment", ("online", "on-premises")),
    ("version", ("8.0", "8.1", "8.2")),
    (
        "email_system",
        (
            "exchange-online",
            "exchange-2003",
            "exchange-2007",
            "exchange-2010",
            "exchange-2010-sp3",
            "exchange-2013",
            "exchange-2013-sp1",
            "exchange-2016",
            "exchange-2019",
            "gmail",
            "yahoo-mail",
            "msn",
            "outlook-com",
            "windows-live-mail",
            "other-pop3-smtp",
        ),
    ),
    ("incoming_protocol", ("ews", "pop3", "imap")),
    ("outgoing_protocol", ("ews", "smtp")),
    ("sync_appointments_contacts_tasks", BOOL),
    (
        "authentication",
        (
            "server-to-server",
            "user-or-queue-credentials",
            "profile-credentials",
            "impersonation",
            "oauth",
        ),
    ),
    ("autodiscover", BOOL),
    ("profile_type", ("exchange-online", "exchange-server", "pop3-smtp", "imap-smtp")),
    ("ports", ("default", "custom")),
    ("same_tenant", BOOL),
    ("fips_mode", BOOL),
    ("mfa", BOOL),
    ("customer_key", BOOL),
    ("outlook_on_the_web", BOOL),
    ("outlook_manual_tracking", BOOL),
    ("mass_email_campaigns", BOOL),
    ("custom_email_provider", BOOL),
    ("mixed_outlook_act_sync", BOOL),
]


def test_variables_and_canonical_values_are_the_contract(model: Model) -> None:
    assert [(v.name, v.domain) for v in model.variables] == CONTRACT


def test_yes_no_variables_are_booleans(model: Model) -> None:
    for var in model.variables:
        assert var.is_bool == (var.domain == BOOL), var.name
        for value in var.domain:
            assert isinstance(value, bool) == var.is_bool


def test_every_value_has_a_label_and_every_variable_a_weight_reason(model: Model) -> None:
    for var in model.variables:
        assert var.label and var.description and var.weight_reason, var.name
        assert var.change_weight > 0, var.name
        for spec in var.values:
            assert spec.label.strip(), (var.name, spec.id)


# Spellings the page and its readers use, each with the value it must mean.
ALIASES = [
    ("email_system", "Exchange Server 2013 SP1", "exchange-2013-sp1"),
    ("email_system", "Exchange Server 2013", "exchange-2013"),
    ("email_system", "Yahoo! Mail", "yahoo-mail"),
    ("email_system", "Outlook.com", "outlook-com"),
    ("email_system", "Windows Live Mail", "windows-live-mail"),
    ("email_system", "Exchange Online", "exchange-online"),
    ("email_system", "MSN", "msn"),
    ("incoming_protocol", "Exchange Web Services", "ews"),
    ("outgoing_protocol", "Exchange Web Services", "ews"),
    ("incoming_protocol", "POP3", "pop3"),
    ("outgoing_protocol", "SMTP", "smtp"),
    ("deployment", "on premises", "on-premises"),
    ("deployment", "Dynamics 365 (on-premises)", "on-premises"),
    ("deployment", "Microsoft Dynamics 365 (online)", "online"),
    ("authentication", "Server to Server Authentication", "server-to-server"),
    ("authentication", "Impersonation", "impersonation"),
    ("incoming_protocol", "POP", "pop3"),
    ("profile_type", "Microsoft Exchange Online", "exchange-online"),
    ("ports", "non-default", "custom"),
    ("version", "December 2016 update", "8.2"),
]


@pytest.mark.parametrize(("variable", "spelling", "value"), ALIASES)
@pytest.mark.parametrize("case", [str, str.lower, str.upper, str.swapcase])
def test_page_spellings_in_any_case(
    model: Model, variable: str, spelling: str, value: Value, case: Callable[[str], str]
) -> None:
    assert parse_value(model.variable(variable), case(spelling)) == value


def _all_spellings(model: Model) -> list[tuple[str, str, Value]]:
    out = []
    for var in model.variables:
        for spec in var.values:
            names = [format_value(spec.id), spec.label, *spec.aliases]
            if var.is_bool:
                names += list(BOOL_ALIASES[bool(spec.id)])
            out += [(var.name, name, spec.id) for name in names]
    return out


@pytest.mark.parametrize(("variable", "spelling", "value"), _all_spellings(load_model()))
def test_every_declared_spelling_reads_back(
    model: Model, variable: str, spelling: str, value: Value
) -> None:
    var = model.variable(variable)
    assert parse_value(var, spelling) == value
    assert parse_value(var, spelling.upper()) == value
    assert parse_value(var, f"  {spelling.lower()} ") == value


def test_no_two_values_share_a_spelling(model: Model) -> None:
    for var in model.variables:
        owner: dict[str, Value] = {}
        for name, spelling, value in _all_spellings(model):
            if name == var.name:
                assert owner.setdefault(fold_spelling(spelling), value) == value, spelling


@pytest.mark.parametrize("text", ["yes", "YES", "Yes", "true", "TRUE", "True", "tRuE", True])
def test_bool_yes(model: Model, text: object) -> None:
    assert parse_value(model.variable("mfa"), text) is True


@pytest.mark.parametrize("text", ["no", "NO", "No", "false", "FALSE", "False", "fAlSe", False])
def test_bool_no(model: Model, text: object) -> None:
    assert parse_value(model.variable("mfa"), text) is False


def test_json_numbers_read_as_their_text(model: Model) -> None:
    assert parse_value(model.variable("version"), 8.1) == "8.1"
    assert parse_value(model.variable("version"), 8.0) == "8.0"


@pytest.mark.parametrize(
    ("variable", "typo", "suggestion"),
    [
        ("email_system", "gmial", "gmail"),
        ("email_system", "exchange-2013-sp", "exchange-2013-sp1"),
        ("deployment", "onlin", "online"),
        ("incoming_protocol", "pop4", "pop3"),
        ("authentication", "impersonaton", "impersonation"),
        ("fips_mode", "yess", "true"),
    ],
)
def test_unknown_value_suggests_the_closest(
    model: Model, variable: str, typo: str, suggestion: str
) -> None:
    var = model.variable(variable)
    with pytest.raises(ConfigurationError) as info:
        parse_value(var, typo)
    error = info.value
    assert error.variable == variable
    assert error.value == typo
    assert suggestion in error.suggestions
    assert "did you mean" in str(error)
    assert typo in str(error)


@pytest.mark.parametrize("raw", [["gmail"], {"id": "gmail"}, None])
def test_non_text_values_are_rejected(model: Model, raw: object) -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_value(model.variable("email_system"), raw)
    assert "email_system" in str(info.value)


def test_bool_for_a_text_variable_is_rejected(model: Model) -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_value(model.variable("email_system"), True)
    assert "yes/no" in str(info.value)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("email_system", "email_system"),
        ("Email System", "email_system"),
        ("email-system", "email_system"),
        ("EMAIL_SYSTEM", "email_system"),
        ("sync-appointments-contacts-tasks", "sync_appointments_contacts_tasks"),
    ],
)
def test_variable_names_in_any_spelling(model: Model, name: str, expected: str) -> None:
    assert resolve_variable(model, name).name == expected


def test_unknown_variable_suggests_the_closest(model: Model) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_variable(model, "emial_system")
    assert info.value.variable == "emial_system"
    assert "email_system" in info.value.suggestions
    assert "did you mean 'email_system'" in str(info.value)


def test_normalize_keeps_model_order_and_leaves_gaps(model: Model) -> None:
    config = normalize_config(
        model, {"MFA": "no", "Email System": "Yahoo! Mail", "deployment": "On Premises"}
    )
    assert config == {"deployment": "on-premises", "email_system": "yahoo-mail", "mfa": False}
    assert list(config) == ["deployment", "email_system", "mfa"]


def test_normalize_rejects_a_variable_given_twice(model: Model) -> None:
    with pytest.raises(ConfigurationError) as info:
        normalize_config(model, {"email_system": "gmail", "Email System": "msn"})
    assert "given twice" in str(info.value)


def test_normalize_rejects_a_variable_given_twice_whichever_spelling_comes_first(
    model: Model,
) -> None:
    with pytest.raises(ConfigurationError) as info:
        normalize_config(model, {"Email System": "msn", "email_system": "gmail"})
    assert "given twice" in str(info.value)


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("fips_mode", 1),
        ("fips_mode", 0),
        ("fips_mode", 1.0),
        ("email_system", True),
        ("version", ["8.2"]),
        ("email_system", {"id": "gmail"}),
    ],
)
def test_normalize_checks_types_even_for_canonical_names(
    model: Model, name: str, raw: object
) -> None:
    """Canonical names take a fast path; it must not let 1 pass for true, or crash on a list."""
    with pytest.raises(ConfigurationError) as info:
        normalize_config(model, {name: raw})
    assert info.value.variable == name


def test_normalize_returns_canonical_input_unchanged(model: Model) -> None:
    config = {"deployment": "online", "version": "8.2", "fips_mode": False, "mfa": True}
    assert normalize_config(model, config) == config


def test_normalize_rejects_non_objects(model: Model) -> None:
    with pytest.raises(ConfigurationError):
        normalize_config(model, ["gmail"])  # type: ignore[arg-type]


def test_assignments(model: Model) -> None:
    assert parse_assignment(model, "incoming_protocol = POP3") == ("incoming_protocol", "pop3")
    assert parse_assignment(model, "mfa=Yes") == ("mfa", True)
    merged = merge_assignments(
        model, ["mfa=yes", "deployment=online", "mfa=no"], {"email_system": "gmail"}
    )
    assert merged == {"deployment": "online", "email_system": "gmail", "mfa": False}


@pytest.mark.parametrize("text", ["deployment", "=online", " = online", ""])
def test_malformed_assignments(model: Model, text: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_assignment(model, text)
    assert "VAR=VALUE" in str(info.value)


def test_error_to_dict(model: Model) -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_value(model.variable("email_system"), "gmial")
    data = info.value.to_dict()
    assert data["variable"] == "email_system"
    assert data["value"] == "gmial"
    assert "gmail" in data["suggestions"]  # type: ignore[operator]


@pytest.mark.parametrize("typed", ["9", "v9", "V9", "9.x", "9.X", "9.*", "version 9", 9])
def test_a_release_family_beyond_the_cover_names_the_editions_that_cover_it(
    typed: object,
) -> None:
    from syncscope.model.editions import covering

    seed = load_model()
    with pytest.raises(ConfigurationError) as info:
        normalize_config(seed, {"version": typed})
    text = str(info.value)
    assert "outside the cover of edition 'pre-9.0'" in text
    assert "unknown value" not in text and not info.value.suggestions
    for member in ("9.0", "9.1", "9.2"):
        assert f"{member}: {', '.join(covering('version', member))}" in text
    assert info.value.variable == "version" and info.value.value == str(typed)


@pytest.mark.parametrize("typed", ["9.0", "9.1", "v9.0"])
def test_a_release_beyond_the_cover_still_names_its_own_editions(typed: str) -> None:
    from syncscope.model.editions import covering

    with pytest.raises(ConfigurationError) as info:
        normalize_config(load_model(), {"version": typed})
    value = typed.lstrip("v")
    assert f"version={value} is outside the cover" in str(info.value)
    assert str(info.value).endswith(", ".join(covering("version", value)))


@pytest.mark.parametrize("typed", ["8", "10", "9.0.1"])
def test_a_family_the_cover_has_or_no_edition_knows_is_an_unknown_value(typed: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        normalize_config(load_model(), {"version": typed})
    assert "unknown value" in str(info.value)
