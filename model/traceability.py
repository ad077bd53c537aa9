"""The traceability table: each sentence of the seed page, mapped to rules, advice or a reason.

The table lives in ``data/traceability.toml``. Loading checks that every quote
is verbatim (whitespace folded) in its document and that every rule and advice
id exists, and that every rule sourced from that document is mapped.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ModelError
from .loader import fold_whitespace, load_model
from .schema import Model

__all__ = [
    "TraceEntry",
    "Traceability",
    "builtin_traceability_path",
    "fragments",
    "load_traceability",
    "uncovered",
]

_ENTRY_KEYS = ("quote", "section", "rules", "advice", "reason")
_TOP_KEYS = ("document", "entries")
# A leading bullet or list number, and the Markdown an edition's text keeps: quote and
# table-cell markers, heading hashes, and dashes (some bullets lack the space after them).
_BULLET = re.compile(r"^\s*(?:[>|]\s*)*(?:(?:•|\d+\.|#+)\s+|-\s*)?")
_SENTENCE_END = re.compile(r"(?<=[.?])\s+(?=[A-Z0-9©])")


@dataclass(frozen=True, slots=True)
class TraceEntry:
    """One sentence (or table row, heading, bullet) of a document and what it maps to."""

    quote: str
    """The text, verbatim up to whitespace."""
    section: str
    """Where it stands in the document."""
    rules: tuple[str, ...] = ()
    """Ids of the rules that encode it (a normative sentence)."""
    advice: tuple[str, ...] = ()
    """Ids of the advice that carries it."""
    reason: str = ""
    """Why the sentence is not normative (set only when it maps to nothing)."""

    @property
    def normative(self) -> bool:
        """Whether the sentence states support, non-support or a recommendation."""
        return bool(self.rules)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "quote": self.quote,
            "section": self.section,
            "rules": list(self.rules),
            "advice": list(self.advice),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Traceability:
    """Every sentence of one document, in document order, with its mapping."""

    document: str
    """The id of the document the quotes come from."""
    file: str
    """Where the table was read from."""
    entries: tuple[TraceEntry, ...]

    def mapped_rules(self) -> frozenset[str]:
        """Ids of every rule some sentence maps to."""
        return frozenset(r for e in self.entries for r in e.rules)

    def entries_for(self, rule_id: str) -> tuple[TraceEntry, ...]:
        """The sentences that map to ``rule_id``, in document order."""
        return tuple(e for e in self.entries if rule_id in e.rules)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {"document": self.document, "entries": [e.to_dict() for e in self.entries]}


def builtin_traceability_path() -> Path:
    """Return the path of the built-in traceability table (for the seed)."""
    return Path(str(resources.files("syncscope.model").joinpath("data", "traceability.toml")))


def load_traceability(path: str | Path | None = None, model: Model | None = None) -> Traceability:
    """Load and validate a traceability table against ``model``.

    Parameters
    ----------
    path : str or Path, optional
        The TOML file; the built-in table for the seed by default.
    model : Model, optional
        The rule set the table refers to; the built-in seed by default.

    Raises
    ------
    ModelError
        Naming the file and, for each problem, the entry at fault: a quote not
        found in the document, an unknown rule or advice id, an entry that maps
        to nothing and gives no reason, a duplicate quote, or a rule of the
        document that no sentence maps to.

    Examples
    --------
    >>> trace = load_traceability()
    >>> trace.document
    'seed'
    >>> [e.quote for e in trace.entries_for("exo.ports")][-1]
    'Using non-default network ports'
    >>> trace.entries_for("unsupported.mfa")[-1].section
    'Unsupported email service configurations'
    """
    target = Path(path) if path is not None else builtin_traceability_path()
    model = model if model is not None else load_model()
    return _TraceLoader(target, model).load()


class _TraceLoader:
    def __init__(self, path: Path, model: Model) -> None:
        self.path = path
        self.model = model
        self.problems: list[str] = []

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def load(self) -> Traceability:
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ModelError(str(self.path), [f"cannot read: {exc.strerror}"]) from None
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ModelError(str(self.path), [f"not valid TOML: {exc}"]) from None
        for key in data:
            if key not in _TOP_KEYS:
                self.fail(f"unknown key {key!r}")
        doc_id = data.get("document")
        if not isinstance(doc_id, str) or doc_id not in self.model.documents:
            known = ", ".join(sorted(self.model.documents))
            raise ModelError(
                str(self.path), [f"document {doc_id!r} is not a document of the model ({known})"]
            )
        text = fold_whitespace(self.model.documents[doc_id].text)
        raw_entries = data.get("entries")
        if not isinstance(raw_entries, list) or not raw_entries:
            self.fail("no [[entries]] declared")
            raw_entries = []
        entries = []
        seen: set[str] = set()
        for i, raw in enumerate(raw_entries):
            entry = self.entry(i + 1, raw if isinstance(raw, Mapping) else {}, text)
            if entry is None:
                continue
            if fold_whitespace(entry.quote) in seen:
                self.fail(f"entry #{i + 1}: duplicate quote {entry.quote!r}")
                continue
            seen.add(fold_whitespace(entry.quote))
            entries.append(entry)
        trace = Traceability(doc_id, str(self.path), tuple(entries))
        if not self.problems:
            for rule in self.model.rules:
                if rule.source.document == doc_id and rule.id not in trace.mapped_rules():
                    self.fail(f"rule {rule.id}: quoted from {doc_id!r} but no sentence maps to it")
        if self.problems:
            raise ModelError(str(self.path), self.problems)
        return trace

    def entry(self, number: int, raw: Mapping[str, Any], text: str) -> TraceEntry | None:
        quote = raw.get("quote")
        where = f"entry #{number}"
        if not isinstance(quote, str) or not quote.strip():
            self.fail(f"{where}: missing quote")
            return None
        where = f"entry #{number} ({_short(quote)})"
        problems = len(self.problems)
        for key in raw:
            if key not in _ENTRY_KEYS:
                self.fail(f"{where}: unknown key {key!r}")
        if fold_whitespace(quote) not in text:
            self.fail(f"{where}: quote not found in document")
        section = raw.get("section")
        if not isinstance(section, str) or not section.strip():
            self.fail(f"{where}: missing section")
        rules = self.ids(where, raw.get("rules", []), "rule", {r.id for r in self.model.rules})
        advice = self.ids(where, raw.get("advice", []), "advice", {a.id for a in self.model.advice})
        reason = raw.get("reason", "")
        if not isinstance(reason, str):
            self.fail(f"{where}: reason must be text")
            reason = ""
        if rules or advice:
            if reason:
                self.fail(f"{where}: a mapped sentence takes no 'not normative' reason")
        elif not reason.strip():
            self.fail(f"{where}: maps to no rule or advice and gives no reason")
        if len(self.problems) > problems:
            return None
        return TraceEntry(quote, str(section), rules, advice, reason)

    def ids(self, where: str, raw: object, kind: str, known: set[str]) -> tuple[str, ...]:
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            self.fail(f"{where}: {kind} ids must be a list of text")
            return ()
        for item in raw:
            if item not in known:
                self.fail(f"{where}: unknown {kind} id {item!r}")
        return tuple(raw)


def _short(text: str, width: int = 50) -> str:
    folded = fold_whitespace(text)
    return repr(folded if len(folded) <= width else folded[: width - 1] + "…")


def fragments(text: str) -> tuple[str, ...]:
    """Split a document into the pieces a traceability table must cover.

    Each non-blank line loses a leading bullet or list number and is split
    into sentences (a period or question mark, then a capital, digit or ©).
    Headings, table cells and bullets come out as their own fragments.

    Examples
    --------
    >>> fragments("Note\\n\\n  • Gmail\\n\\n  2. Yahoo! Mail\\nIt is 9.0. For more, see X.")
    ('Note', 'Gmail', 'Yahoo! Mail', 'It is 9.0.', 'For more, see X.')
    """
    out: list[str] = []
    for line in text.splitlines():
        folded = fold_whitespace(_BULLET.sub("", line))
        if folded:
            out.extend(part for part in _SENTENCE_END.split(folded) if part)
    return tuple(out)


def uncovered(trace: Traceability, text: str) -> tuple[str, ...]:
    """The fragments of ``text`` that no entry's quote covers where they stand.

    A fragment is covered when it lies inside some occurrence of some quote in
    the whitespace-folded document, so a quote covers only the places it is
    taken from, not every repetition of a short word elsewhere.

    Examples
    --------
    >>> trace = Traceability("d", "-", (TraceEntry("Yes No", "t", reason="cells"),))
    >>> uncovered(trace, "Yes\\nNo\\nMaybe")
    ('Maybe',)
    """
    folded = fold_whitespace(text)
    spans = []
    for entry in trace.entries:
        quote = fold_whitespace(entry.quote)
        start = folded.find(quote)
        while start >= 0:
            spans.append((start, start + len(quote)))
            start = folded.find(quote, start + 1)
    missing = []
    cursor = 0
    for piece in fragments(text):
        start = folded.find(piece, cursor)
        if start < 0:  # pragma: no cover - fragments are cut from the same text
            raise ValueError(f"fragment {piece!r} not found in order")
        end = start + len(piece)
        cursor = end
        if not any(a <= start and end <= b for a, b in spans):
            missing.append(piece)
    return tuple(missing)
