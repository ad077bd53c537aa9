"""Policy overlays: an organisation's own rules, in the rule-set TOML form, on top of an edition.

An overlay file holds ``[[rules]]`` (and optionally ``[policy] title``). Its
rules quote no page: ``source = {document = "policy", section = ..., quote =
...}`` takes free text, and every rule id gets the prefix ``policy.``. The
overlay is validated like a rule set, against the shared vocabulary: an
unknown variable or value, or rules that together with the edition leave
nothing valid, raise :class:`ModelError` naming the file and the rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import ModelError
from .loader import _admits_valid, _conflict, _list, _Loader, _read_toml, _table
from .schema import Clause, Document, Model, Rule, Source, Value, Variable

__all__ = ["POLICY_DOCUMENT", "POLICY_PREFIX", "apply_overlays", "overlay_rules"]

POLICY_DOCUMENT = "policy"
"""The document every overlay rule's source names."""
POLICY_PREFIX = "policy."
"""The prefix of every overlay rule's id, so a finding never passes for the page's."""

_OVERLAY_KEYS = ("policy", "rules")
_POLICY_KEYS = ("title",)


class _PolicyLoader(_Loader):
    """Reads an overlay's rules: the sources are free text, not quotes of a page."""

    def __init__(self, path: Path, label: str) -> None:
        super().__init__(path)
        self.label = label

    def source(
        self,
        where: str,
        entry: Mapping[str, Any],
        documents: Mapping[str, Document],
        condition: Callable[[Mapping[str, Any]], Clause] | None = None,
    ) -> Source | None:
        """A policy's source: one free-text quote (``condition`` is unused: none has a ``when``)."""
        self.keys(f"{where} source", entry, ("document", "section", "quote"))
        doc_id = entry.get("document", POLICY_DOCUMENT)
        if doc_id != POLICY_DOCUMENT:
            self.fail(f"{where}: an overlay's source names document 'policy', not {doc_id!r}")
            return None
        section = entry.get("section", "")
        quote = entry.get("quote", "")
        if not isinstance(section, str) or not isinstance(quote, str):
            self.fail(f"{where}: section and quote are text")
            return None
        heading = f"your policy ({self.label})" + (f": {section}" if section.strip() else "")
        return Source(POLICY_DOCUMENT, heading, quote)


def _vocabulary() -> dict[str, Variable]:
    """Every variable of the shared vocabulary, with every value."""
    from importlib import resources

    path = Path(str(resources.files("syncscope.model").joinpath("data", "vocabulary.toml")))
    _, data = _read_toml(path, "the vocabulary")
    loader = _Loader(path)
    found = {v.name: v for v in loader.variables(data.get("variables", {}))}
    loader.raise_if_failed()
    return found


def _read(path: Path) -> tuple[bytes, str, tuple[Rule, ...]]:
    """The overlay's bytes, title and rules over the whole vocabulary."""
    raw, data = _read_toml(path, "the policy overlay")
    loader = _PolicyLoader(path, path.name)
    loader.keys("the policy overlay", data, _OVERLAY_KEYS)
    header = _table(data.get("policy", {}))
    loader.keys("[policy]", header, _POLICY_KEYS)
    entries = []
    for item in _list(data.get("rules", [])):
        entry = dict(_table(item))
        rule_id = entry.get("id")
        if isinstance(rule_id, str) and rule_id and not rule_id.startswith(POLICY_PREFIX):
            entry["id"] = POLICY_PREFIX + rule_id
        entry.setdefault("source", {})
        entries.append(entry)
    rules = loader.rules(entries, _vocabulary(), {})
    loader.raise_if_failed()
    return raw, str(header.get("title", path.stem)), rules


def _restrict(rule: Rule, model: Model) -> Rule | None:
    """``rule`` over the edition's variables and cover; None when it names a variable the
    edition leaves out (that setting does not exist there)."""
    if any(name not in model.names for name in rule.variables):
        return None
    domains = {var.name: frozenset(var.domain) for var in model.variables}

    def clause(part: Clause) -> Clause:
        return MappingProxyType({n: vs & domains[n] for n, vs in part.items()})

    when = tuple(clause(alt) for alt in rule.when)
    # An alternative that lists only values beyond the cover never holds there.
    kept = tuple(alt for alt in when if all(alt.values()))
    if when and not kept:
        return None
    tuples: frozenset[tuple[Value, ...]] = frozenset(
        t for t in rule.tuples if all(v in domains[n] for n, v in zip(rule.scope, t, strict=True))
    )
    return replace(rule, when=kept, clause=clause(rule.clause), tuples=tuples)


def apply_overlays(model: Model, paths: Sequence[str | Path]) -> Model:
    """``model`` with the rules of every overlay in ``paths`` added, in order.

    Raises
    ------
    ModelError
        Naming the overlay file: an unknown variable or value, a rule id
        given twice, or rules that, with the edition's, leave no valid
        configuration (the rules of that conflict are named).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from syncscope.model import load_model
    >>> policy = pathlib.Path(tempfile.mkdtemp()) / "no-gmail.toml"
    >>> _ = policy.write_text('''
    ... [[rules]]
    ... id = "no-gmail"
    ... level = "unsupported"
    ... message = "We do not connect Gmail mailboxes."
    ... forbid = { email_system = "gmail" }
    ... source = { section = "Email systems", quote = "Mail stays in our tenant." }
    ... ''')
    >>> model = apply_overlays(load_model(), [policy])
    >>> rule = model.rule("policy.no-gmail")
    >>> rule.source.document, rule.source.section
    ('policy', 'your policy (no-gmail.toml): Email systems')
    """
    if not paths:
        return model
    digest = hashlib.sha256(model.digest.encode())
    rules = list(model.rules)
    titles = []
    for entry in paths:
        path = Path(entry)
        raw, title, read = _read(path)
        digest.update(raw)
        titles.append(f"{title} ({path.name})")
        problems = []
        for rule in read:
            if any(r.id == rule.id for r in rules):
                problems.append(f"rule {rule.id}: the id is already taken")
                continue
            restricted = _restrict(rule, model)
            if restricted is not None:
                rules.append(restricted)
        if problems:
            raise ModelError(str(path), problems)
        trial = replace(model, rules=tuple(rules))
        if not _admits_valid(trial, trial.rules):
            culprits = ", ".join(f"rule {r}" for r in _conflict(trial))
            raise ModelError(
                str(path),
                [
                    f"with edition {model.edition or model.name!r} the policy leaves no valid "
                    f"configuration; these rules together rule out every one: {culprits}"
                ],
            )
    documents = dict(model.documents)
    documents[POLICY_DOCUMENT] = Document(POLICY_DOCUMENT, "your policy: " + "; ".join(titles), "")
    return replace(
        model,
        name=f"{model.name}+policy",
        digest=digest.hexdigest(),
        rules=tuple(rules),
        documents=MappingProxyType(documents),
    )


def overlay_rules(model: Model) -> Iterable[Rule]:
    """The rules of ``model`` that come from overlays."""
    return (r for r in model.rules if r.source.document == POLICY_DOCUMENT)
