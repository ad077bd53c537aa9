"""Reading a Dataverse Web API export: mailbox records with their email server profile.

Each element of the export's ``value`` array is one row (row = index + 1). The
settings the model asks about are derived from documented fields and option
values (model/data/sources/facts.md, "Dataverse Web API names"), with the tables
below; docs/dataverse-mapping.md lists them. A value that can't be derived is never
guessed: the row is an error that says what to supply with ``--set``, and a
``--set`` value fills exactly that gap. Settings an export doesn't hold at all
(deployment, version, FIPS, MFA, ...) come from ``--set``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import urlsplit

from syncscope.model import ConfigurationError, Model, Value, parse_value

from .cells import describe_type
from .errors import UnreadableInput
from .jsonstream import Item, array_items
from .record import ERROR, NOT_APPLICABLE, OK, Record
from .source import Input

__all__ = [
    "ACT_DELIVERY",
    "CREDENTIALS",
    "EXCHANGE_VERSIONS",
    "EXTRA_FIELDS",
    "HOSTS",
    "INCOMING_DELIVERY",
    "OUTGOING_DELIVERY",
    "PORTS",
    "PROTOCOLS",
    "SERVER_TYPES",
    "SERVER_TYPE_NAMES",
    "DataverseRecords",
    "Derivation",
    "derive",
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


class _Gap:
    """A value that can't be derived, and why; ``bad`` when the data is wrong, not absent."""

    __slots__ = ("bad", "why")

    def __init__(self, why: str, *, bad: bool = False) -> None:
        self.why = why
        self.bad = bad


_ABSENT = object()


def _option(obj: Mapping[str, object], field: str, table: Mapping[int, object]) -> int | _Gap:
    raw = obj.get(field, _ABSENT)
    if raw is _ABSENT or raw is None:
        what = "absent" if raw is _ABSENT else "null"
        return _Gap(f"field {field} is {what} (add it to $select)")
    if isinstance(raw, bool) or not isinstance(raw, int):
        return _Gap(
            f"field {field}: expected an option value (a whole number), got {describe_type(raw)}",
            bad=True,
        )
    if raw not in table:
        known = ", ".join(str(k) for k in table)
        return _Gap(f"field {field}: unknown option value {raw} (one of {known})", bad=True)
    return raw


def _host(location: object) -> str | None:
    """The host name of a server location (a URL or a bare host, maybe with a port).

    Examples
    --------
    >>> _host("https://Outlook.Office365.com/EWS/Exchange.asmx"), _host("pop.gmail.com:995")
    ('outlook.office365.com', 'pop.gmail.com')
    """
    if not isinstance(location, str) or not location.strip():
        return None
    text = location.strip()
    try:
        parts = urlsplit(text if "://" in text else "//" + text)
        host = parts.hostname
    except ValueError:
        return None
    return host.rstrip(".") if host else None


def _url_port(location: object) -> int | None:
    if not isinstance(location, str) or not location.strip():
        return None
    text = location.strip()
    try:
        return urlsplit(text if "://" in text else "//" + text).port
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Derivation:
    """What one mailbox record says about the model's settings."""

    values: Mapping[str, Value]
    """Derived settings (canonical ids of the seed's vocabulary)."""
    gaps: Mapping[str, str]
    """Settings that can't be derived, with the reason; ``--set`` may fill them."""
    problems: tuple[str, ...] = ()
    """Faults of the record itself (an unknown option value...): always an error."""
    not_applicable: str | None = None
    """Why the mailbox is out of scope (no server-side synchronization), if it is."""


_FOLLOWS = "follows from the profile type"


def derive(mailbox: Mapping[str, object], given: Mapping[str, Value] | None = None) -> Derivation:
    """Derive the model's settings from one mailbox record.

    ``given`` holds ``--set`` values; where the profile type can't be derived, a
    given one is used to derive the settings that follow from it.

    Examples
    --------
    >>> box = {"incomingemaildeliverymethod": 2, "outgoingemaildeliverymethod": 2,
    ...        "actdeliverymethod": 1, "emailserverprofile": {"servertype": 1,
    ...        "incomingcredentialretrieval": 0, "incomingportnumber": 995,
    ...        "outgoingportnumber": 587, "incomingserverlocation": "pop.gmail.com"}}
    >>> dict(derive(box).values)  # doctest: +NORMALIZE_WHITESPACE
    {'sync_appointments_contacts_tasks': True, 'profile_type': 'pop3-smtp',
     'incoming_protocol': 'pop3', 'outgoing_protocol': 'smtp',
     'autodiscover': False, 'authentication': 'user-or-queue-credentials',
     'ports': 'default', 'email_system': 'gmail'}
    >>> derive({**box, "actdeliverymethod": 7}).problems
    ('field actdeliverymethod: unknown option value 7 (one of 0, 1, 2)',)
    """
    given = given or {}
    incoming = _option(mailbox, "incomingemaildeliverymethod", INCOMING_DELIVERY)
    outgoing = _option(mailbox, "outgoingemaildeliverymethod", OUTGOING_DELIVERY)
    act = _option(mailbox, "actdeliverymethod", ACT_DELIVERY)
    problems = tuple(g.why for g in (incoming, outgoing, act) if isinstance(g, _Gap) and g.bad)
    if problems:
        return Derivation({}, {}, problems)
    uses = incoming == 2 or outgoing == 2 or act == 1
    if not uses:
        if isinstance(incoming, int) and isinstance(outgoing, int) and isinstance(act, int):
            return Derivation(
                {},
                {},
                not_applicable=(
                    "the mailbox doesn't use server-side synchronization"
                    f" (incoming: {INCOMING_DELIVERY[incoming]};"
                    f" outgoing: {OUTGOING_DELIVERY[outgoing]};"
                    f" appointments, contacts and tasks: {ACT_DELIVERY[act]})"
                ),
            )
        absent = "; ".join(g.why for g in (incoming, outgoing, act) if isinstance(g, _Gap))
        why = f"can't tell whether the mailbox uses server-side synchronization: {absent}"
        return Derivation({}, {}, (why,))
    out: dict[str, Value | _Gap] = {}
    out["sync_appointments_contacts_tasks"] = act if isinstance(act, _Gap) else act == 1
    profile = mailbox.get("emailserverprofile")
    if isinstance(profile, Mapping):
        _derive_profile(profile, out, given)
    else:
        what = "absent" if profile is None else describe_type(profile)
        gap = _Gap(
            f"the mailbox's email server profile is {what}"
            " (expand it: $expand=emailserverprofile($select=...))"
        )
        out.update({name: gap for name in DERIVED if name not in out})
    values = {k: v for k, v in out.items() if not isinstance(v, _Gap)}
    gaps = {k: v.why for k, v in out.items() if isinstance(v, _Gap)}
    return Derivation(values, gaps)


def _profile_type(profile: Mapping[str, object]) -> str | _Gap:
    name = profile.get("emailservertypename")
    if isinstance(name, str) and name.strip().casefold() in SERVER_TYPE_NAMES:
        kind = SERVER_TYPE_NAMES[name.strip().casefold()]
        if kind is None:
            return _Gap(f"server type {name!r} has no counterpart in the model (no IMAP)")
        return kind
    code = _option(profile, "servertype", SERVER_TYPES)
    if isinstance(code, _Gap):
        return code
    label, kind = SERVER_TYPES[code]
    if kind is None:
        return _Gap(f"servertype {code} ({label}) has no counterpart in the model (no IMAP)")
    return kind


def _derive_profile(
    profile: Mapping[str, object], out: dict[str, Value | _Gap], given: Mapping[str, Value]
) -> None:
    derived = _profile_type(profile)
    out["profile_type"] = derived
    kind: str | _Gap = derived
    if isinstance(derived, _Gap) and isinstance(given.get("profile_type"), str):
        kind = str(given["profile_type"])
    if isinstance(kind, _Gap) or kind not in PROTOCOLS:
        gap = _Gap(_FOLLOWS)
        out["incoming_protocol"] = out["outgoing_protocol"] = out["autodiscover"] = gap
    else:
        out["incoming_protocol"], out["outgoing_protocol"] = PROTOCOLS[kind]
        out["autodiscover"] = _autodiscover(profile, kind)
    out["authentication"] = _authentication(profile)
    out["ports"] = _ports(profile, out)
    out["email_system"] = _email_system(profile, kind)


def _autodiscover(profile: Mapping[str, object], kind: str) -> bool | _Gap:
    if kind == "pop3-smtp":
        return False  # the option exists only on Exchange profiles (facts.md)
    raw = profile.get("useautodiscover", _ABSENT)
    if isinstance(raw, bool):
        return raw
    if raw is _ABSENT or raw is None:
        what = "absent" if raw is _ABSENT else "null"
        return _Gap(f"field useautodiscover is {what} (add it to $select)")
    return _Gap(f"field useautodiscover: expected true or false, got {describe_type(raw)}")


def _authentication(profile: Mapping[str, object]) -> str | _Gap:
    found: dict[str, str] = {}
    for side in ("incoming", "outgoing"):
        flag = profile.get(f"{side}useimpersonation")
        if flag is True:
            found[side] = "impersonation"
            continue
        code = _option(profile, f"{side}credentialretrieval", CREDENTIALS)
        if isinstance(code, _Gap):
            if not code.bad:
                continue  # absent: the other direction may tell
            return code
        label, method = CREDENTIALS[code]
        if method is None:
            return _Gap(
                f"{side}credentialretrieval {code} ({label}) is not one of the page's four"
                " authentication methods"
            )
        found[side] = method
    if not found:
        return _Gap(
            "fields incomingcredentialretrieval and outgoingcredentialretrieval are absent"
            " (add them to $select)"
        )
    methods = set(found.values())
    if len(methods) > 1:
        return _Gap(
            f"incoming ({found['incoming']}) and outgoing ({found['outgoing']}) authenticate"
            " differently; the model has one authentication setting"
        )
    return methods.pop()


def _ports(profile: Mapping[str, object], out: Mapping[str, Value | _Gap]) -> str | _Gap:
    sides = (("incoming", out.get("incoming_protocol")), ("outgoing", out.get("outgoing_protocol")))
    autodiscover = out.get("autodiscover")
    gaps: list[str] = []
    for side, protocol in sides:
        if not isinstance(protocol, str):
            return _Gap(_FOLLOWS)
        raw = profile.get(f"{side}portnumber")
        location = profile.get(f"{side}serverlocation")
        port: int | None
        if raw is None:
            port = _url_port(location)
        elif isinstance(raw, int) and not isinstance(raw, bool):
            port = raw
        else:
            gaps.append(
                f"field {side}portnumber: expected a whole number, got {describe_type(raw)}"
            )
            continue
        if port is not None:
            if port not in PORTS[protocol]:
                return "custom"
            continue
        if autodiscover is True:
            continue  # autodiscover finds the server on its default port
        if (
            protocol == "ews"
            and isinstance(location, str)
            and location.lower().startswith("https://")
        ):
            continue  # an https URL without a port uses 443
        gaps.append(f"no {side} port number and no autodiscover")
    if gaps:
        return _Gap("; ".join(gaps))
    return "default"


def _email_system(profile: Mapping[str, object], kind: str | _Gap) -> str | _Gap:
    known: dict[str, tuple[str, ...]] = {}
    unknown: list[str] = []
    for side in ("incoming", "outgoing"):
        host = _host(profile.get(f"{side}serverlocation"))
        if host is None:
            continue
        if host in HOSTS:
            known[host] = HOSTS[host]
        else:
            unknown.append(host)
    choices = set(known.values())
    if len(choices) > 1:
        hosts = " and ".join(f"{h} ({' or '.join(s)})" for h, s in known.items())
        return _Gap(f"the server hosts disagree: {hosts}")
    if choices:
        systems = choices.pop()
        if len(systems) == 1:
            return systems[0]
        host = next(iter(known))
        return _Gap(f"host {host} serves {' or '.join(systems)}")
    if isinstance(kind, _Gap) or kind not in PROTOCOLS:
        return _Gap(_FOLLOWS)
    if kind == "exchange-online":
        return "exchange-online"
    if kind == "exchange-server":
        code = _option(profile, "exchangeversion", EXCHANGE_VERSIONS)
        if isinstance(code, _Gap):
            return code
        label, system = EXCHANGE_VERSIONS[code]
        if system is None:
            return _Gap(
                f"exchangeversion {code} ({label}) stands for Exchange Server 2013,"
                " 2013 SP1 or 2016"
            )
        return system
    if unknown:
        return _Gap(f"unknown server host {unknown[0]} (not in the well-known hosts)")
    return _Gap("the POP3/SMTP profile has no server location")


class DataverseRecords:
    """The mailboxes of a Dataverse Web API export as :class:`Record` values."""

    format = "dataverse"
    extra_columns: tuple[str, ...] | None = EXTRA_FIELDS

    def __init__(self, source: Input, model: Model, defaults: Mapping[str, Value]) -> None:
        lacking = [name for name in DERIVED if name not in model.names]
        if lacking:
            raise UnreadableInput(
                f"{source.label}: reading a Dataverse export needs the variables"
                f" {', '.join(lacking)}, which the model doesn't have"
            )
        self._model = model
        self._defaults = dict(defaults)
        self.others: list[str] = []
        """The document's other top-level members (e.g. ``@odata.nextLink``)."""
        self._items = array_items(source.chunks(), source.label, "value", self.others)
        first = next(self._items, None)  # reads up to the array: fails early if it can't
        self._first = first
        org = [n for n in model.names if n not in DERIVED and n not in self._defaults]
        self._missing = (
            f"no value for {', '.join(org)}: a Dataverse export doesn't hold"
            f" {'it' if len(org) == 1 else 'them'}; supply with --set VAR=VALUE"
            if org
            else None
        )
        self._values: dict[tuple[str, Value], Value | _Gap] = {}

    def notes(self) -> tuple[str, ...]:
        """Remarks about the export: more pages to fetch (``@odata.nextLink``)."""
        if "@odata.nextLink" in self.others:
            return (
                "the export holds one page of several (@odata.nextLink is set):"
                " the mailboxes of the other pages are not in this input",
            )
        return ()

    def __iter__(self) -> Iterator[Record]:
        return self._rows()

    def _rows(self) -> Iterator[Record]:
        empty: Mapping[str, str] = MappingProxyType({})
        items = self._items
        pending = self._first
        self._first = None
        while pending is not None:
            item: Item = pending
            row = item.index + 1
            where = f"row {row} (value[{item.index}])"
            if item.error is not None:
                yield Record(row, empty, None, ERROR, f"{where}: {item.error}")
            elif not isinstance(item.value, Mapping):
                yield Record(
                    row,
                    empty,
                    None,
                    ERROR,
                    f"{where}: expected a mailbox record (a JSON object),"
                    f" got {describe_type(item.value)}",
                )
            else:
                yield self._record(row, where, item.value)
            pending = next(items, None)

    def _record(self, row: int, where: str, mailbox: Mapping[str, object]) -> Record:
        extra = MappingProxyType({name: _text(mailbox, name) for name in EXTRA_FIELDS})
        found = derive(mailbox, self._defaults)
        if found.not_applicable is not None:
            return Record(row, extra, None, NOT_APPLICABLE, f"{where}: {found.not_applicable}")
        problems = list(found.problems)
        if found.problems:
            return Record(row, extra, None, ERROR, f"{where}: " + "; ".join(problems))
        if self._missing:
            problems.append(self._missing)
        config: dict[str, Value] = {}
        gaps = dict(found.gaps)
        for name, raw in found.values.items():
            value = self._canonical(name, raw)
            if isinstance(value, _Gap):
                gaps[name] = value.why
            else:
                config[name] = value
        for name in [n for n in gaps if n in self._defaults]:
            config[name] = self._defaults[name]
            del gaps[name]
        problems.extend(_gap_texts(gaps))
        if problems:
            return Record(row, extra, None, ERROR, f"{where}: " + "; ".join(problems))
        for name in self._model.names:
            if name not in config:
                config[name] = self._defaults[name]
        merged = {name: config[name] for name in self._model.names}
        return Record(row, extra, MappingProxyType(merged), OK, None)

    def _canonical(self, name: str, value: Value) -> Value | _Gap:
        key = (name, value)
        hit = self._values.get(key)
        if hit is None:
            try:
                hit = parse_value(self._model.variable(name), value)
            except ConfigurationError as exc:
                hit = _Gap(f"derived {value!r}, which the model doesn't accept: {exc}")
            self._values[key] = hit
        return hit


def _gap_texts(gaps: Mapping[str, str]) -> list[str]:
    """One message per reason, naming every setting it leaves open, in :data:`DERIVED` order.

    Settings that follow from an open profile type are named with it.
    """
    order = [n for n in DERIVED if n in gaps] + [n for n in gaps if n not in DERIVED]
    follows = [n for n in order if gaps[n] == _FOLLOWS]
    by_reason: dict[str, list[str]] = {}
    for name in order:
        if gaps[name] != _FOLLOWS:
            by_reason.setdefault(gaps[name], []).append(name)
    texts = []
    for why, names in by_reason.items():
        how = f"it with --set {names[0]}=VALUE" if len(names) == 1 else "them with --set VAR=VALUE"
        text = f"{', '.join(names)}: {why}; supply {how}"
        if "profile_type" in names and follows:
            text += f" ({', '.join(follows)} follow from the profile type)"
        texts.append(text)
    return texts


def _text(mailbox: Mapping[str, object], dotted: str) -> str:
    obj: object = mailbox
    for part in dotted.split("."):
        if not isinstance(obj, Mapping):
            return ""
        obj = obj.get(part)
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, bool):
        return "true" if obj else "false"
    return str(obj)
