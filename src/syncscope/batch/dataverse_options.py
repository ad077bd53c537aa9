"""The Dataverse option values and names a mailbox export uses, and what they mean.

Every table comes from model/data/sources/facts.md ("Dataverse Web API names") and the
Dataverse table reference excerpts (related/emailserverprofile_excerpts.md);
docs/dataverse-mapping.md lists them, and a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "ACT_DELIVERY",
    "CREDENTIALS",
    "DERIVED",
    "EXCHANGE_VERSIONS",
    "EXTRA_FIELDS",
    "HOSTS",
    "INCOMING_DELIVERY",
    "OUTGOING_DELIVERY",
    "PORTS",
    "PROTOCOLS",
    "REQUIRED",
    "SERVER_TYPES",
    "SERVER_TYPE_NAMES",
]

SERVER_TYPES: Mapping[int, tuple[str, str | None]] = {
    0: ("Exchange Server", "exchange-server"),
    1: ("Other (POP3/SMTP)", "pop3-smtp"),
    2: ("Exchange Server (Hybrid)", "exchange-server"),
    3: ("Exchange Online (Hybrid)", "exchange-online"),
    4: ("IMAP/SMTP", "imap-smtp"),
}
"""``emailserverprofile.servertype`` -> (label, ``profile_type``)."""

SERVER_TYPE_NAMES: Mapping[str, str | None] = {
    "exchange online": "exchange-online",
    "exchange online (hybrid)": "exchange-online",
    "exchange server": "exchange-server",
    "exchange server (hybrid)": "exchange-server",
    "other (pop3/smtp)": "pop3-smtp",
    "pop3/smtp": "pop3-smtp",
    "imap/smtp": "imap-smtp",
}
"""``emailservertypename`` (case-insensitive) -> ``profile_type``; it wins over ``servertype``."""

PROTOCOLS: Mapping[str, tuple[str, str]] = {
    "exchange-online": ("ews", "ews"),
    "exchange-server": ("ews", "ews"),
    "pop3-smtp": ("pop3", "smtp"),
    "imap-smtp": ("imap", "smtp"),
}
"""``profile_type`` -> (``incoming_protocol``, ``outgoing_protocol``)."""

CREDENTIALS: Mapping[int, tuple[str, str | None]] = {
    0: ("Credentials Specified by a User or Queue", "user-or-queue-credentials"),
    1: ("Credentials Specified in Email Server Profile", "profile-credentials"),
    2: ("Server to Server Authentication", "server-to-server"),
    3: ("Windows Integrated Authentication", None),
    4: ("Without Credentials (Anonymous)", None),
    5: ("Gmail OAuth", None),
    6: ("Exchange Hybrid Modern Auth", None),
    7: ("OAuth", "oauth"),
}
"""``*credentialretrieval`` -> (label, ``authentication``); None: no value of the model
stands for it. ``*useimpersonation = true`` gives ``impersonation`` instead."""

EXCHANGE_VERSIONS: Mapping[int, tuple[str, str | None]] = {
    0: ("Exchange 2007", "exchange-2007"),
    1: ("Exchange 2007 SP1", "exchange-2007"),
    2: ("Exchange 2010", "exchange-2010"),
    3: ("Exchange 2010 SP1", "exchange-2010"),
    4: ("Exchange 2010 SP2", "exchange-2010"),
    5: ("Exchange 2013", None),
}
"""``exchangeversion`` -> (label, ``email_system``) for Exchange Server profiles; None:
ambiguous (Exchange 2013, 2013 SP1 and 2016 all report 5), so ``--set`` must say."""

HOSTS: Mapping[str, tuple[str, ...]] = {
    "outlook.office365.com": ("exchange-online",),
    "pop.gmail.com": ("gmail",),
    "smtp.gmail.com": ("gmail",),
    "pop.mail.yahoo.com": ("yahoo-mail",),
    "smtp.mail.yahoo.com": ("yahoo-mail",),
    "pop3.live.com": ("outlook-com", "windows-live-mail"),
}
"""Well-known server host -> the ``email_system`` values it may be (facts.md)."""

PORTS: Mapping[str, frozenset[int]] = {
    "pop3": frozenset({110, 995}),
    "imap": frozenset({143, 993}),
    "smtp": frozenset({25, 465, 587}),
    "ews": frozenset({443}),
}
"""Protocol -> its well-known port numbers (facts.md; IMAP's 143 and 993 are its IETF
registrations too); any other port is ``custom``."""

INCOMING_DELIVERY: Mapping[int, str] = {
    0: "None",
    1: "Microsoft Dynamics 365 for Outlook",
    2: "Server-Side Synchronization or Email Router",
    3: "Forward Mailbox",
}
"""``mailbox.incomingemaildeliverymethod``; 2 is server-side synchronization."""

OUTGOING_DELIVERY: Mapping[int, str] = {
    0: "None",
    1: "Microsoft Dynamics 365 for Outlook",
    2: "Server-Side Synchronization or Email Router",
}
"""``mailbox.outgoingemaildeliverymethod``; 2 is server-side synchronization."""

ACT_DELIVERY: Mapping[int, str] = {
    0: "Microsoft Dynamics 365 for Outlook",
    1: "Server-Side Synchronization",
    2: "None",
}
"""``mailbox.actdeliverymethod``; 1 is server-side synchronization."""

EXTRA_FIELDS = (
    "mailboxid",
    "name",
    "emailaddress",
    "emailserverprofile.emailserverprofileid",
    "emailserverprofile.name",
)
"""Fields carried through to the output (empty when the export lacks them)."""

DERIVED = (
    "profile_type",
    "incoming_protocol",
    "outgoing_protocol",
    "authentication",
    "autodiscover",
    "ports",
    "sync_appointments_contacts_tasks",
    "email_system",
)
"""The variables an export gives; every other one comes from ``--set``. An edition whose
page never speaks of one of them (``ports`` after 9.0) leaves it out, and so does the reader."""

REQUIRED = (
    "profile_type",
    "incoming_protocol",
    "outgoing_protocol",
    "sync_appointments_contacts_tasks",
    "email_system",
)
"""The derived variables every edition has: a model without one of them can't read an export."""
