"""Deriving the model's settings from one Dataverse mailbox record.

A value that can't be derived is never guessed: it is a gap that says why, and a
``--set`` value may fill it. The option tables are in :mod:`.dataverse_options`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from syncscope.model import Value

from .cells import describe_type
from .dataverse_options import (
    ACT_DELIVERY,
    CREDENTIALS,
    DERIVED,
    EXCHANGE_VERSIONS,
    HOSTS,
    INCOMING_DELIVERY,
    OUTGOING_DELIVERY,
    PORTS,
    PROTOCOLS,
    SERVER_TYPE_NAMES,
    SERVER_TYPES,
)

__all__ = ["FOLLOWS", "Derivation", "Gap", "derive", "gap_texts"]


class Gap:
    """A value that can't be derived, and why; ``bad`` when the data is wrong, not absent."""

    __slots__ = ("bad", "why")

    def __init__(self, why: str, *, bad: bool = False) -> None:
        self.why = why
        self.bad = bad


_ABSENT = object()


def _option(obj: Mapping[str, object], field: str, table: Mapping[int, object]) -> int | Gap:
    raw = obj.get(field, _ABSENT)
    if raw is _ABSENT or raw is None:
        what = "absent" if raw is _ABSENT else "null"
        return Gap(f"field {field} is {what} (add it to $select)")
    if isinstance(raw, bool) or not isinstance(raw, int):
        return Gap(
            f"field {field}: expected an option value (a whole number), got {describe_type(raw)}",
            bad=True,
        )
    if raw not in table:
        known = ", ".join(str(k) for k in table)
        return Gap(f"field {field}: unknown option value {raw} (one of {known})", bad=True)
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


FOLLOWS = "follows from the profile type"
"""The gap reason of the settings that follow from an open profile type."""


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
    problems = tuple(g.why for g in (incoming, outgoing, act) if isinstance(g, Gap) and g.bad)
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
        absent = "; ".join(g.why for g in (incoming, outgoing, act) if isinstance(g, Gap))
        why = f"can't tell whether the mailbox uses server-side synchronization: {absent}"
        return Derivation({}, {}, (why,))
    out: dict[str, Value | Gap] = {}
    out["sync_appointments_contacts_tasks"] = act if isinstance(act, Gap) else act == 1
    profile = mailbox.get("emailserverprofile")
    if isinstance(profile, Mapping):
        _derive_profile(profile, out, given)
    else:
        what = "absent" if profile is None else describe_type(profile)
        gap = Gap(
            f"the mailbox's email server profile is {what}"
            " (expand it: $expand=emailserverprofile($select=...))"
        )
        out.update({name: gap for name in DERIVED if name not in out})
    values = {k: v for k, v in out.items() if not isinstance(v, Gap)}
    gaps = {k: v.why for k, v in out.items() if isinstance(v, Gap)}
    return Derivation(values, gaps)


def _profile_type(profile: Mapping[str, object]) -> str | Gap:
    name = profile.get("emailservertypename")
    if isinstance(name, str) and name.strip().casefold() in SERVER_TYPE_NAMES:
        kind = SERVER_TYPE_NAMES[name.strip().casefold()]
        if kind is None:
            return Gap(f"server type {name!r} has no counterpart in the model")
        return kind
    code = _option(profile, "servertype", SERVER_TYPES)
    if isinstance(code, Gap):
        return code
    label, kind = SERVER_TYPES[code]
    if kind is None:
        return Gap(f"servertype {code} ({label}) has no counterpart in the model")
    return kind


def _derive_profile(
    profile: Mapping[str, object], out: dict[str, Value | Gap], given: Mapping[str, Value]
) -> None:
    derived = _profile_type(profile)
    out["profile_type"] = derived
    kind: str | Gap = derived
    if isinstance(derived, Gap) and isinstance(given.get("profile_type"), str):
        kind = str(given["profile_type"])
    if isinstance(kind, Gap) or kind not in PROTOCOLS:
        gap = Gap(FOLLOWS)
        out["incoming_protocol"] = out["outgoing_protocol"] = out["autodiscover"] = gap
    else:
        out["incoming_protocol"], out["outgoing_protocol"] = PROTOCOLS[kind]
        out["autodiscover"] = _autodiscover(profile, kind)
    out["authentication"] = _authentication(profile)
    out["ports"] = _ports(profile, out)
    out["email_system"] = _email_system(profile, kind)


def _autodiscover(profile: Mapping[str, object], kind: str) -> bool | Gap:
    if kind in ("pop3-smtp", "imap-smtp"):
        return False  # the option exists only on Exchange profiles (facts.md)
    raw = profile.get("useautodiscover", _ABSENT)
    if isinstance(raw, bool):
        return raw
    if raw is _ABSENT or raw is None:
        what = "absent" if raw is _ABSENT else "null"
        return Gap(f"field useautodiscover is {what} (add it to $select)")
    return Gap(f"field useautodiscover: expected true or false, got {describe_type(raw)}")


def _authentication(profile: Mapping[str, object]) -> str | Gap:
    found: dict[str, str] = {}
    for side in ("incoming", "outgoing"):
        flag = profile.get(f"{side}useimpersonation")
        if flag is True:
            found[side] = "impersonation"
            continue
        code = _option(profile, f"{side}credentialretrieval", CREDENTIALS)
        if isinstance(code, Gap):
            if not code.bad:
                continue  # absent: the other direction may tell
            return code
        label, method = CREDENTIALS[code]
        if method is None:
            return Gap(
                f"{side}credentialretrieval {code} ({label}) is not one of the model's"
                " authentication methods"
            )
        found[side] = method
    if not found:
        return Gap(
            "fields incomingcredentialretrieval and outgoingcredentialretrieval are absent"
            " (add them to $select)"
        )
    methods = set(found.values())
    if len(methods) > 1:
        return Gap(
            f"incoming ({found['incoming']}) and outgoing ({found['outgoing']}) authenticate"
            " differently; the model has one authentication setting"
        )
    return methods.pop()


def _ports(profile: Mapping[str, object], out: Mapping[str, Value | Gap]) -> str | Gap:
    sides = (("incoming", out.get("incoming_protocol")), ("outgoing", out.get("outgoing_protocol")))
    autodiscover = out.get("autodiscover")
    gaps: list[str] = []
    for side, protocol in sides:
        if not isinstance(protocol, str):
            return Gap(FOLLOWS)
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
        return Gap("; ".join(gaps))
    return "default"


def _email_system(profile: Mapping[str, object], kind: str | Gap) -> str | Gap:
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
        return Gap(f"the server hosts disagree: {hosts}")
    if choices:
        systems = choices.pop()
        if len(systems) == 1:
            return systems[0]
        host = next(iter(known))
        return Gap(f"host {host} serves {' or '.join(systems)}")
    if isinstance(kind, Gap) or kind not in PROTOCOLS:
        return Gap(FOLLOWS)
    if kind == "exchange-online":
        return "exchange-online"
    if kind == "exchange-server":
        code = _option(profile, "exchangeversion", EXCHANGE_VERSIONS)
        if isinstance(code, Gap):
            return code
        label, system = EXCHANGE_VERSIONS[code]
        if system is None:
            return Gap(
                f"exchangeversion {code} ({label}) stands for Exchange Server 2013,"
                " 2013 SP1 or 2016"
            )
        return system
    if unknown:
        return Gap(f"unknown server host {unknown[0]} (not in the well-known hosts)")
    what = "IMAP/SMTP" if kind == "imap-smtp" else "POP3/SMTP"
    return Gap(f"the {what} profile has no server location")


def gap_texts(gaps: Mapping[str, str]) -> list[str]:
    """One message per reason, naming every setting it leaves open, in ``DERIVED`` order.

    Settings that follow from an open profile type are named with it.
    """
    order = [n for n in DERIVED if n in gaps] + [n for n in gaps if n not in DERIVED]
    follows = [n for n in order if gaps[n] == FOLLOWS]
    by_reason: dict[str, list[str]] = {}
    for name in order:
        if gaps[name] != FOLLOWS:
            by_reason.setdefault(gaps[name], []).append(name)
    texts = []
    for why, names in by_reason.items():
        how = f"it with --set {names[0]}=VALUE" if len(names) == 1 else "them with --set VAR=VALUE"
        text = f"{', '.join(names)}: {why}; supply {how}"
        if "profile_type" in names and follows:
            text += f" ({', '.join(follows)} follow from the profile type)"
        texts.append(text)
    return texts
