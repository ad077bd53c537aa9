"""The baseline: the seed page written by hand as a python-constraint2 problem.

This is how a user would model the page with ``python-constraint2`` (import name
``constraint``): one variable per setting with its values typed out, and one
``FunctionConstraint`` per blocking statement of the page, each a plain Python
function over the settings it mentions. Nothing here is read from the rule set;
the benchmarks compare syncscope against this model and a test checks that both
agree on every valid configuration.

Only statements that make a configuration invalid (unsupported or untested) are
constraints. The page's recommendation against mixing Outlook and server-side
synchronization of appointments, contacts and tasks makes a configuration
"discouraged", which is still valid, so it does not constrain anything here.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import constraint

__all__ = ["DOMAINS", "build_problem", "count_valid", "enumerate_valid", "valid_domains"]

EXCHANGE_ONLINE = "exchange-online"
EXCHANGE_SERVERS = (
    "exchange-2003",
    "exchange-2007",
    "exchange-2010",
    "exchange-2013",
    "exchange-2013-sp1",
    "exchange-2016",
)
TABLE_EXCHANGE = ("exchange-online", "exchange-2013", "exchange-2013-sp1", "exchange-2016")
POP3_SYSTEMS = ("gmail", "yahoo-mail", "msn", "outlook-com", "windows-live-mail", "other-pop3-smtp")
NOT_FIPS = ("msn", "outlook-com", "windows-live-mail")
BOOL = [True, False]

LATER_SYSTEMS = ("exchange-2010-sp3", "exchange-2019")
"""Email systems of the shared vocabulary that the pre-9.0 page never lists."""
PAGE_AUTHENTICATION = (
    "server-to-server",
    "user-or-queue-credentials",
    "profile-credentials",
    "impersonation",
)

DOMAINS: dict[str, list[Any]] = {
    "deployment": ["online", "on-premises"],
    "version": ["8.0", "8.1", "8.2"],
    "email_system": [
        EXCHANGE_ONLINE,
        "exchange-2003",
        "exchange-2007",
        "exchange-2010",
        "exchange-2010-sp3",
        "exchange-2013",
        "exchange-2013-sp1",
        "exchange-2016",
        "exchange-2019",
        *POP3_SYSTEMS,
    ],
    "incoming_protocol": ["ews", "pop3", "imap"],
    "outgoing_protocol": ["ews", "smtp"],
    "sync_appointments_contacts_tasks": BOOL,
    "authentication": [*PAGE_AUTHENTICATION, "oauth"],
    "autodiscover": BOOL,
    "profile_type": ["exchange-online", "exchange-server", "pop3-smtp", "imap-smtp"],
    "ports": ["default", "custom"],
    "same_tenant": BOOL,
    "fips_mode": BOOL,
    "mfa": BOOL,
    "customer_key": BOOL,
    "outlook_on_the_web": BOOL,
    "outlook_manual_tracking": BOOL,
    "mass_email_campaigns": BOOL,
    "custom_email_provider": BOOL,
    "mixed_outlook_act_sync": BOOL,
}
"""Every setting and its values, in the order of the shared vocabulary (model/data/vocabulary.toml).

The values after the page's own (Exchange 2010 SP3 and 2019, IMAP, the IMAP/SMTP
profile, OAuth) came after this page; by its closed world they are unsupported."""

SUPPORTED_SYSTEMS = {
    "on-premises": {
        "exchange-online",
        "exchange-2013",
        "exchange-2013-sp1",
        "exchange-2016",
        "gmail",
        "yahoo-mail",
        "msn",
        "outlook-com",
        "windows-live-mail",
        "other-pop3-smtp",
    },
    "online": {"exchange-online", "exchange-2013-sp1", "exchange-2016", "gmail", "yahoo-mail"},
}


def _profile_for(email_system: str) -> str:
    if email_system == EXCHANGE_ONLINE:
        return "exchange-online"
    if email_system in EXCHANGE_SERVERS:
        return "exchange-server"
    return "pop3-smtp"


def _add_rules(problem: constraint.Problem) -> None:
    add = problem.addConstraint

    # The page's closed world: what it never lists is not supported.
    add(lambda e: e not in LATER_SYSTEMS, ["email_system"])
    add(lambda i: i != "imap", ["incoming_protocol"])
    add(lambda p: p != "imap-smtp", ["profile_type"])
    add(lambda a: a in PAGE_AUTHENTICATION, ["authentication"])

    # The table: which email systems each deployment lists.
    add(lambda d, e: e in SUPPORTED_SYSTEMS[d], ["deployment", "email_system"])
    # Exchange rows use EWS both ways; POP3/SMTP rows use POP3 in and SMTP out.
    add(
        lambda e, i, o: e not in TABLE_EXCHANGE or (i == "ews" and o == "ews"),
        ["email_system", "incoming_protocol", "outgoing_protocol"],
    )
    add(
        lambda e, i, o: e not in POP3_SYSTEMS or (i == "pop3" and o == "smtp"),
        ["email_system", "incoming_protocol", "outgoing_protocol"],
    )
    # Appointments, contacts and tasks only with the Exchange rows.
    add(
        lambda s, e: not s or e in TABLE_EXCHANGE,
        ["sync_appointments_contacts_tasks", "email_system"],
    )

    # Important notes.
    add(
        lambda d, e: not (d == "on-premises" and e == "other-pop3-smtp"),
        ["deployment", "email_system"],
    )
    add(
        lambda d, e, owa: not (d == "on-premises" and e == EXCHANGE_ONLINE and owa),
        ["deployment", "email_system", "outlook_on_the_web"],
    )
    add(lambda e, p: p == _profile_for(e), ["email_system", "profile_type"])
    add(
        lambda t, i, o: not t or (i == "ews" and o == "ews"),
        ["outlook_manual_tracking", "incoming_protocol", "outgoing_protocol"],
    )
    add(
        lambda k, d, e, v: (
            not k or (d == "online" and e == EXCHANGE_ONLINE and v in ("8.1", "8.2"))
        ),
        ["customer_key", "deployment", "email_system", "version"],
    )

    # Exchange Online with Dynamics 365 (online): one constraint per listed setting.
    def exo(d: str, e: str) -> bool:
        return d == "online" and e == EXCHANGE_ONLINE

    add(
        lambda d, e, a: not (exo(d, e) and a == "user-or-queue-credentials"),
        ["deployment", "email_system", "authentication"],
    )
    add(
        lambda d, e, a: not (exo(d, e) and a == "profile-credentials"),
        ["deployment", "email_system", "authentication"],
    )
    add(
        lambda d, e, a: not (exo(d, e) and a == "impersonation"),
        ["deployment", "email_system", "authentication"],
    )
    add(lambda d, e, ad: not (exo(d, e) and not ad), ["deployment", "email_system", "autodiscover"])
    add(
        lambda d, e, p: not (exo(d, e) and p != "exchange-online"),
        ["deployment", "email_system", "profile_type"],
    )
    add(lambda d, e, p: not (exo(d, e) and p == "custom"), ["deployment", "email_system", "ports"])
    add(lambda d, e, t: not (exo(d, e) and not t), ["deployment", "email_system", "same_tenant"])

    # Unsupported scenarios.
    add(
        lambda i, o: (i, o) not in {("ews", "smtp"), ("pop3", "ews")},
        ["incoming_protocol", "outgoing_protocol"],
    )
    add(lambda m: not m, ["mass_email_campaigns"])
    add(lambda c: not c, ["custom_email_provider"])
    add(lambda e: e not in ("exchange-2003", "exchange-2007"), ["email_system"])
    add(
        lambda d, f, e: not ((d == "online" or f) and e in NOT_FIPS),
        ["deployment", "fips_mode", "email_system"],
    )
    add(
        lambda d, e, m: (
            not (
                m
                and (
                    (d == "online" and e in EXCHANGE_SERVERS)
                    or (d == "on-premises" and e == EXCHANGE_ONLINE)
                )
            )
        ),
        ["deployment", "email_system", "mfa"],
    )

    # Product facts on authentication methods and profile types.
    add(
        lambda a, p: a != "server-to-server" or p == "exchange-online",
        ["authentication", "profile_type"],
    )
    add(
        lambda a, p: not (a == "impersonation" and p == "pop3-smtp"),
        ["authentication", "profile_type"],
    )


def build_problem(fixed: dict[str, Any] | None = None) -> constraint.Problem:
    """The valid configurations as a ``constraint.Problem``, with ``fixed`` settings pinned.

    ``fixed`` maps variable names to canonical values (booleans as ``True``/``False``).
    """
    fixed = dict(fixed or {})
    for name, value in fixed.items():
        if name not in DOMAINS:
            raise KeyError(f"unknown variable {name!r}")
        if value not in DOMAINS[name]:
            raise ValueError(f"{value!r} is not a value of {name}")
    problem = constraint.Problem()
    for name, values in DOMAINS.items():
        problem.addVariable(name, [fixed[name]] if name in fixed else list(values))
    _add_rules(problem)
    return problem


def enumerate_valid(fixed: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every valid configuration that matches ``fixed`` (``getSolutions``)."""
    solutions: list[dict[str, Any]] = build_problem(fixed).getSolutions()
    return solutions


def count_valid(fixed: dict[str, Any] | None = None) -> int:
    """How many valid configurations match ``fixed``, by enumerating them."""
    return len(enumerate_valid(fixed))


def valid_domains(fixed: dict[str, Any] | None = None) -> dict[str, list[Any]]:
    """For each variable, the values some valid configuration matching ``fixed`` takes.

    Computed from one enumeration; values are listed in declared order.
    """
    seen: dict[str, set[Any]] = defaultdict(set)
    for solution in enumerate_valid(fixed):
        for name, value in solution.items():
            seen[name].add(value)
    return {name: [v for v in values if v in seen[name]] for name, values in DOMAINS.items()}
