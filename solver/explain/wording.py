"""Explanations in words, in the style of PubGrub: "Because A and B, C is impossible."

Sentences are built only from the user's own settings, the rules' messages and
their verbatim quotes, never from values the solver inferred.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from syncscope.model import Level, Model, Rule, Value

from ..queries.conditions import Condition
from ..results import Change, format_number
from .conflicts import Conflict

if TYPE_CHECKING:
    from ..queries.check import Outcome

__all__ = ["Fix", "Wording", "join"]


@dataclass(frozen=True, slots=True)
class Fix:
    """A fix to word: its changes, its cost (None when not costed) and its advice in words."""

    changes: tuple[Change, ...]
    cost: float | None = None
    advice: tuple[str, ...] = ()


_WORD = re.compile(r"[A-Za-z][\w-]*")


def join(items: Sequence[str], last: str = "and") -> str:
    """Join phrases as English does.

    Examples
    --------
    >>> join(["Gmail"]), join(["Gmail", "POP3"]), join(["a", "b", "c"], "or")
    ('Gmail', 'Gmail and POP3', 'a, b or c')
    """
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


@dataclass(frozen=True, slots=True)
class Wording:
    """The phrases of one model: how to name a setting and how to cite a rule."""

    model: Model
    proper: frozenset[str]
    """Words the model's texts capitalize mid-sentence (names), kept capitalized."""
    shared_labels: frozenset[str]
    """Value labels that more than one variable uses (qualified with the variable)."""

    @classmethod
    def of(cls, model: Model) -> Wording:
        """The wording of ``model`` (memoised per rule set)."""
        with _lock:
            hit = _memo.get(model.digest)
        if hit is not None:
            return hit
        texts = [d.text for d in model.documents.values()]
        texts += [r.message for r in model.rules]
        texts += [v.label for v in model.variables]
        texts += [s.label for v in model.variables for s in v.values]
        proper = set()
        for text in texts:
            proper.update(re.findall(r"(?<=[a-z0-9,;:)] )([A-Z][\w-]*)", text))
        seen: dict[str, str] = {}
        shared = set()
        for var in model.variables:
            if var.is_bool:
                continue
            for spec in var.values:
                if seen.setdefault(spec.label, var.name) != var.name:
                    shared.add(spec.label)
        wording = cls(model, frozenset(proper), frozenset(shared))
        with _lock:
            _memo[model.digest] = wording
        return wording

    # -- phrases -----------------------------------------------------------
    def setting(self, name: str, value: Value) -> str:
        """A setting as the page would name it.

        Examples
        --------
        >>> from syncscope.model import load_model
        >>> wording = Wording.of(load_model())
        >>> wording.setting("authentication", "impersonation")
        'Impersonation'
        >>> wording.setting("autodiscover", False)
        'Auto Discover Server Location set to No'
        >>> wording.setting("incoming_protocol", "ews")
        'Incoming protocol Exchange Web Services'
        """
        var = self.model.variable(name)
        label = var.label_of(value)
        if var.is_bool:
            return f"{var.label} set to {label}"
        if label in self.shared_labels:
            return f"{var.label} {label}"
        return label

    def choices(self, settings: Mapping[str, Value]) -> str:
        """Settings named and joined with "and"."""
        return join([self.setting(n, v) for n, v in settings.items()])

    def cite(self, rule: Rule, given: Mapping[str, Value] | None = None) -> str:
        """A rule as a clause: its message, then its quotes (those about ``given``).

        Examples
        --------
        >>> from syncscope.model import load_model
        >>> model = load_model()
        >>> print(Wording.of(model).cite(model.rule("exo.ports")))
        Dynamics 365 (online) with Exchange Online needs the default network ports
        (“Using non-default network ports”)
        """
        message = rule.message.strip().rstrip(".")
        match = _WORD.match(message)
        if match and self._common(match.group()):
            message = message[0].lower() + message[1:]
        quotes = "; ".join(f"“{q.strip()}”" for q in rule.source.quotes_for(given or {}))
        return f"{message} ({quotes})"

    def _common(self, word: str) -> bool:
        """Whether a sentence-initial word is an ordinary word (lower-cased mid-sentence)."""
        return word not in self.proper and not any(c.isupper() or c.isdigit() for c in word[1:])

    # -- sentences ---------------------------------------------------------
    def conflict(
        self,
        conflict: Conflict,
        level: Level,
        given: Mapping[str, Value] | None = None,
        *,
        verbose: bool = True,
    ) -> str:
        """One conflict as a derivation from the rules to the user's choices.

        ``given`` is everything the user set (the conflict's settings by
        default). Rules the user's own settings can break are quoted first, as
        the reason; with ``verbose``, a rule that only another value of one of
        the user's settings would break is quoted after, saying which values
        would not help.

        Examples
        --------
        >>> from types import MappingProxyType
        >>> from syncscope.model import load_model
        >>> model = load_model()
        >>> settings = MappingProxyType({"deployment": "online",
        ...     "email_system": "exchange-online", "authentication": "impersonation"})
        >>> conflict = Conflict(settings, (model.rule("exo.impersonation"),))
        >>> print(Wording.of(model).conflict(conflict, Level.UNSUPPORTED))
        Because Dynamics 365 (online) with Exchange Online supports only server-to-server
        authentication, not impersonation (“Using Impersonation”), and you chose Impersonation,
        this setup is unsupported.
        """
        own, others, chosen = self.split(conflict, given)
        settings = dict(conflict.settings)
        given = settings if given is None else {**given, **settings}
        blocking = [n for n in chosen if n not in settings]
        if len(own) == 1:
            rule = own[0]
            guard = {name for alt in rule.when for name in alt}
            shown = {n: v for n, v in chosen.items() if n not in guard} or chosen
            text = (
                f"Because {self.cite(rule, given)}, and you chose {self.choices(shown)},"
                f" this setup is {level.id}."
            )
        else:
            cited = [self.cite(r, given) for r in own]
            reasons = " and ".join(cited) if len(cited) == 2 else "; ".join(cited[:-1])
            if len(cited) > 2:
                reasons += f"; and {cited[-1]}"
            together = "together are" if len(chosen) > 1 else "is"
            text = f"Because {reasons}, {self.choices(chosen)} {together} {level.id}."
        for rule in others if verbose else ():
            names = [n for n in blocking if n in rule.variables]
            fixed = {n: v for n, v in given.items() if n not in names}
            ways = dict.fromkeys(
                self.choices({n: found[n] for n in names})
                for found in _breakers(self.model, rule, fixed)
            )
            quoted = self.cite(rule, given)
            text += f" Choosing {join(list(ways), 'or')} instead would not help: {quoted}."
        return text

    def split(
        self, conflict: Conflict, given: Mapping[str, Value] | None = None
    ) -> tuple[list[Rule], list[Rule], dict[str, Value]]:
        """The conflict's rules the user's settings can break, the others, and what to name.

        The settings named are the conflict's own plus the user's settings that
        keep the other rules from applying, in model order.

        Examples
        --------
        >>> from types import MappingProxyType
        >>> from syncscope.model import load_model
        >>> model = load_model()
        >>> conflict = Conflict(MappingProxyType({"email_system": "other-pop3-smtp"}),
        ...     (model.rule("table.email-system"), model.rule("important.other-pop3-smtp")))
        >>> own, others, chosen = Wording.of(model).split(
        ...     conflict, {"deployment": "on-premises", "email_system": "other-pop3-smtp"})
        >>> [r.id for r in own], [r.id for r in others], chosen
        (['important.other-pop3-smtp'], ['table.email-system'], \
{'deployment': 'on-premises', 'email_system': 'other-pop3-smtp'})
        """
        settings = dict(conflict.settings)
        given = settings if given is None else {**given, **settings}
        own = [r for r in conflict.rules if next(_breakers(self.model, r, given), None)]
        others = [r for r in conflict.rules if r not in own]
        if not own:  # not a conflict of ``given``: quote it as it stands
            own, others, given = list(conflict.rules), [], settings
        names = self.model.names
        chosen = {
            n: given[n]
            for n in names
            if n in settings or (n in given and any(n in r.variables for r in others))
        }
        return own, others, chosen

    def valid(
        self,
        verdict: Level,
        given: Mapping[int, int],
        outcomes: Sequence[Outcome] = (),
        *,
        conditions: Sequence[Condition] = (),
    ) -> str:
        """The sentence for a valid configuration; a partial one says what the unknowns decide.

        ``conditions`` (:mod:`syncscope.solver.queries.conditions`) when given,
        else ``outcomes`` (conditions of one setting each).

        Examples
        --------
        >>> from syncscope.model import load_model
        >>> from syncscope.solver.queries.check import Outcome
        >>> from syncscope.solver.queries.conditions import Condition
        >>> wording = Wording.of(load_model())
        >>> wording.valid(Level.SUPPORTED, {0: 0}, [
        ...     Outcome("sync_appointments_contacts_tasks", True, Level.DISCOURAGED)])
        'These settings are supported; discouraged if Appointments, contacts, and tasks \
synchronization set to Yes.'
        >>> wording.valid(Level.SUPPORTED, {0: 0}, conditions=[Condition({
        ...     "sync_appointments_contacts_tasks": True, "mixed_outlook_act_sync": True},
        ...     Level.DISCOURAGED)])  # doctest: +ELLIPSIS
        'These settings are supported; discouraged if Appointments, ... set to Yes and ...'
        """
        if len(given) == len(self.model.variables):
            return f"This setup is {verdict.id}."
        head = f"These settings are {verdict.id}"
        found = list(conditions) or [Condition({o.variable: o.value}, o.verdict) for o in outcomes]
        by_level: dict[Level, list[list[str]]] = {}
        for condition in found:
            phrases = [self.setting(k, v) for k, v in condition.settings.items()]
            by_level.setdefault(condition.verdict, []).append(phrases)
        tails = []
        for level, each in by_level.items():
            if all(len(c) == 1 for c in each):
                tails.append(f"{level.id} if {join([c[0] for c in each], 'or')}")
            else:
                tails.append(f"{level.id} if " + ", or if ".join(join(c, "and") for c in each))
        return "; ".join([head, *tails]) + "."

    def fix(self, fix: Fix) -> str:
        """A fix as one line: its changes with their target values, its cost and advice.

        Examples
        --------
        >>> from syncscope.model import load_model
        >>> wording = Wording.of(load_model())
        >>> wording.fix(Fix((Change("email_system", "msn", "gmail"),), 2.0))
        '- email_system: msn -> gmail (cost 2)'
        """
        changes = ", ".join(str(c) for c in fix.changes)
        cost = "" if fix.cost is None else f" (cost {format_number(fix.cost)})"
        advice = f" — {'; '.join(fix.advice)}" if fix.advice else ""
        return f"- {changes}{cost}{advice}"

    def invalid(
        self,
        conflicts: Iterable[tuple[Conflict, Level]],
        diagnoses: Sequence[Sequence[str]],
        *,
        more: int,
        given: Mapping[str, Value] | None = None,
        fixes: Sequence[Fix] = (),
        hidden: int = 0,
        fixes_more: bool = False,
        verbose: bool = False,
    ) -> str:
        """Paragraphs for an invalid configuration: each cause, the fixes by cost, the ways out.

        ``diagnoses`` are listed when given (the verbose view); ``hidden`` fixes
        are counted, not listed; ``fixes_more`` says that others exist, uncounted.

        Examples
        --------
        >>> from syncscope.model import load_model
        >>> wording = Wording.of(load_model())
        >>> wording.invalid([], [("email_system",)], more=0)
        'To make it valid, change email_system.'
        >>> wording.invalid([], [("deployment", "email_system"), ("authentication",)], more=0)
        'To make it valid, change one of these sets: {deployment, email_system}; {authentication}.'
        >>> print(wording.invalid([], [], more=0, fixes=[
        ...     Fix((Change("email_system", "msn", "gmail"),), 2.0)], hidden=3))
        Fixes, cheapest first:
        - email_system: msn -> gmail (cost 2)
        (3 more fixes cost more.)
        """
        paragraphs = [self.conflict(c, level, given, verbose=verbose) for c, level in conflicts]
        if more:
            shown = "minimal conflict" if more == 1 else "minimal conflicts"
            paragraphs.append(f"({more} more {shown} not shown.)")
        if fixes:
            lines = ["Fixes, cheapest first:", *(self.fix(f) for f in fixes)]
            if hidden:
                cost = "fix costs" if hidden == 1 else "fixes cost"
                lines.append(f"({hidden} more {cost} more.)")
            elif fixes_more:
                lines.append("(Other fixes cost as much or more.)")
            paragraphs.append("\n".join(lines))
        if len(diagnoses) == 1:
            paragraphs.append(f"To make it valid, change {join(list(diagnoses[0]))}.")
        elif diagnoses:
            ways = "; ".join("{" + ", ".join(d) + "}" for d in diagnoses)
            paragraphs.append(f"To make it valid, change one of these sets: {ways}.")
        return "\n\n".join(paragraphs)

    def discouraged(
        self,
        causes: Sequence[Conflict],
        verdict: Level,
        remedies: Sequence[Fix],
        diagnoses: Sequence[Sequence[str]],
        *,
        given: Mapping[str, Value] | None = None,
    ) -> str:
        """Paragraphs for a valid configuration against a recommendation: each recommendation,
        then what would remove it (one-setting changes, else the sets to change).

        Examples
        --------
        >>> from types import MappingProxyType
        >>> from syncscope.model import load_model
        >>> model = load_model()
        >>> wording = Wording.of(model)
        >>> cause = Conflict(MappingProxyType({"sync_appointments_contacts_tasks": True,
        ...     "mixed_outlook_act_sync": True}), (model.rule("note.mixed-act-sync"),))
        >>> text = wording.discouraged([cause], Level.DISCOURAGED, [Fix((Change(
        ...     "mixed_outlook_act_sync", True, False),))], [("mixed_outlook_act_sync",)])
        >>> print(text.splitlines()[-2]); print(text.splitlines()[-1])
        To remove the recommendation:
        - mixed_outlook_act_sync: true -> false
        """
        paragraphs = [self.conflict(c, verdict, given, verbose=False) for c in causes]
        if remedies:
            lines = ["To remove the recommendation:", *(self.fix(f) for f in remedies)]
            paragraphs.append("\n".join(lines))
        if len({n for d in diagnoses for n in d}) and not remedies:
            ways = "; ".join("{" + ", ".join(d) + "}" for d in diagnoses)
            paragraphs.append(f"To remove the recommendation, change one of these sets: {ways}.")
        return "\n\n".join(paragraphs)


def _breakers(model: Model, rule: Rule, fixed: Mapping[str, Value]) -> Iterator[dict[str, Value]]:
    """Assignments of the rule's variables that agree with ``fixed`` and break the rule."""
    names = rule.variables
    domains = [(fixed[n],) if n in fixed else model.variable(n).domain for n in names]
    for values in itertools.product(*domains):
        assignment = dict(zip(names, values, strict=True))
        if rule.broken(assignment):
            yield assignment


_lock = threading.Lock()
_memo: dict[str, Wording] = {}
