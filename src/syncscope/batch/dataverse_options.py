"""The Dataverse option values and names a mailbox export uses, and what they mean.

Every table comes from model/data/sources/facts.md ("Dataverse Web API names");
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
    "SERVER_TYPES",
    "SERVER_TYPE_NAMES",
]

SERVER_TYPES: Mapping[int, tuple[str, str | None]] = {
    0: ("Exchange Server", "exchange-server"),
    1: ("Other (POP3/SMTP)", "pop3-smtp"),
    2: ("Exchange Server (Hybrid)", "exchange-server"),
    3: ("Exchange Online (Hybrid)", "exchange-online"),
    4: ("IMAP/SMTP", None),
}
"""``emailserverprofile.servertype`` -> (label, ``profile_type``); None: not representable."""

SERVER_TYPE_NAMES: Mapping[str, str | None] = {
    "exchange online": "exchange-online",
    "exchange online (hybrid)": "exchange-online",
    "exchange server": "exchange-server",
    "exchange server (hybrid)": "exchange-server",
    "other (pop3/smtp)": "pop3-smtp",
    "pop3/smtp": "pop3-smtp",
    "imap/smtp": None,
}
"""``emailservertypename`` (case-insensitive) -> ``profile_type``; it wins over ``servertype``."""

PROTOCOLS: Mapping[str, tuple[str, str]] = {
    "exchange-online": ("ews", "ews"),
    "exchange-server": ("ews", "ews"),
    "pop3-smtp": ("pop3", "smtp"),
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
    7: ("OAuth", None),
}
"""``*credentialretrieval`` -> (label, ``authentication``); None: not one of the seed's
four methods. ``*useimpersonation = true`` gives ``impersonation`` instead."""

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
    "smtp": frozenset({25, 465, 587}),
    "ews": frozenset({443}),
}
"""Protocol -> its well-known port numbers (facts.md); any other port is ``custom``."""

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
"""The variables an export gives; every other one comes from ``--set``."""
