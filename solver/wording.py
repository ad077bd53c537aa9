"""Explanations in words, in the style of PubGrub: "Because A and B, C is impossible."

Sentences are built only from the user's own settings, the rules' messages and
their verbatim quotes, never from values the solver inferred.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from syncscope.model import Level, Model, Rule, Value

from .conflicts import Conflict

__all__ = ["Wording", "join"]

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

    def cite(self, rule: Rule) -> str:
        """A rule as a clause: its message, then its quote.

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
        return f"{message} (“{rule.source.quote.strip()}”)"

    def _common(self, word: str) -> bool:
        """Whether a sentence-initial word is an ordinary word (lower-cased mid-sentence)."""
        return word not in self.proper and not any(c.isupper() or c.isdigit() for c in word[1:])

    # -- sentences ---------------------------------------------------------
    def conflict(self, conflict: Conflict, level: Level) -> str:
        """One conflict as a derivation from the rules to the user's choices.

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
        settings = dict(conflict.settings)
        if len(conflict.rules) == 1:
            rule = conflict.rules[0]
            guard = {name for alt in rule.when for name in alt}
            chosen = {n: v for n, v in settings.items() if n not in guard} or settings
            text = (
                f"Because {self.cite(rule)}, and you chose {self.choices(chosen)},"
                f" this setup is {level.id}."
            )
        else:
            cited = [self.cite(r) for r in conflict.rules]
            reasons = " and ".join(cited) if len(cited) == 2 else "; ".join(cited[:-1])
            if len(cited) > 2:
                reasons += f"; and {cited[-1]}"
            together = "together are" if len(settings) > 1 else "is"
            text = f"Because {reasons}, {self.choices(settings)} {together} {level.id}."
        return text

    def valid(self, verdict: Level, given: Mapping[int, int]) -> str:
        """The sentence for a valid configuration."""
        if len(given) == len(self.model.variables):
            head = f"This setup is valid ({verdict.id})"
        else:
            head = f"These settings are valid: some completion is {verdict.id}"
        return head + "; there is nothing to explain."

    def invalid(
        self,
        conflicts: Iterable[tuple[Conflict, Level]],
        diagnoses: Sequence[Sequence[str]],
        *,
        more: int,
    ) -> str:
        """Paragraphs for an invalid configuration: each conflict, then the ways out."""
        paragraphs = [self.conflict(c, level) for c, level in conflicts]
        if more:
            paragraphs.append(f"({more} more minimal conflict(s) not shown.)")
        if len(diagnoses) == 1:
            paragraphs.append(f"To make it valid, change {join(list(diagnoses[0]))}.")
        elif diagnoses:
            ways = "; ".join(" + ".join(d) for d in diagnoses)
            paragraphs.append(f"To make it valid, change any one of: {ways}.")
        return "\n\n".join(paragraphs)


_lock = threading.Lock()
_memo: dict[str, Wording] = {}
