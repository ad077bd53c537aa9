"""Load a TOML rule set, validate every part of it, and return a frozen ``Model``."""

from __future__ import annotations

import difflib
import functools
import hashlib
import os
import re
import stat
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import ModelError
from .schema import Advice, Clause, Document, Level, Model, Rule, Source, Value, ValueSpec, Variable
from .vocabulary import BOOL_ALIASES, fold_spelling

__all__ = ["builtin_path", "fold_whitespace", "load_model"]

_BODIES = ("require", "forbid", "allowed", "forbidden")
_WS = re.compile(r"\s+")
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")

# The keys each table may hold; anything else is a typo that would silently change meaning.
_TOP_KEYS = ("model", "documents", "variables", "rules", "advice")
_MODEL_KEYS = ("name", "title")
_DOCUMENT_KEYS = ("id", "title", "path")
_VARIABLE_KEYS = (
    "type",
    "label",
    "description",
    "labels",
    "values",
    "change_weight",
    "weight_reason",
)
_VALUE_KEYS = ("id", "label", "aliases")
_RULE_KEYS = ("id", "level", "message", "when", "source", *_BODIES)
_TUPLE_KEYS = ("vars", "tuples")
_SOURCE_KEYS = ("document", "section", "quote")
_ADVICE_KEYS = ("id", "applies_to", "message", "sources")


def fold_whitespace(text: str) -> str:
    """Collapse runs of whitespace to one space, as quotes are compared.

    Examples
    --------
    >>> fold_whitespace("Yes\\n\\nNo\\n\\n  POP3/SMTP")
    'Yes No POP3/SMTP'
    """
    return _WS.sub(" ", text).strip()


def builtin_path() -> Path:
    """Return the path of the built-in rule set (the seed page)."""
    return Path(str(resources.files("syncscope.model").joinpath("data", "seed.toml")))


def _read_regular(path: Path) -> bytes:
    """Read a file that must be a regular file: a FIFO or a device would block or never end."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a regular file")
        return fh.read()


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, stamp: tuple[int, int]) -> Model:
    return _Loader(Path(path)).load()


def load_model(path: str | Path | None = None) -> Model:
    """Load and validate a rule set; the built-in seed model by default.

    Raises
    ------
    ModelError
        Naming the file and, for each problem, the rule or variable at fault.

    Examples
    --------
    >>> model = load_model()
    >>> model.names[:3]
    ('deployment', 'version', 'email_system')
    >>> model.size
    15335424
    """
    target = os.fspath(path) if path is not None else str(builtin_path())
    try:
        info = os.stat(target)
    except OSError as exc:
        raise ModelError(target, [f"cannot read the rule set: {exc.strerror}"]) from None
    return _load_cached(target, (info.st_mtime_ns, info.st_size))


class _Loader:
    """One pass over one file, collecting every problem before raising."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def raise_if_failed(self) -> None:
        if self.problems:
            raise ModelError(str(self.path), self.problems)

    def keys(self, where: str, entry: Mapping[str, Any], known: Iterable[str]) -> None:
        """Report keys a table should not have, with the closest known key."""
        allowed = list(known)
        for key in entry:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.fail(f"{where}: unknown key {key!r}{hint}")

    def load(self) -> Model:
        try:
            raw_bytes = _read_regular(self.path)
            data = tomllib.loads(raw_bytes.decode("utf-8"))
        except OSError as exc:
            raise ModelError(
                str(self.path), [f"cannot read the rule set: {exc.strerror}"]
            ) from None
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ModelError(str(self.path), [f"not valid TOML: {exc}"]) from None
        self.keys("the rule set", data, _TOP_KEYS)
        header = _table(data.get("model", {}))
        self.keys("[model]", header, _MODEL_KEYS)
        documents = self.documents(data.get("documents", []))
        variables = self.variables(data.get("variables", {}))
        self.raise_if_failed()
        by_name = {v.name: v for v in variables}
        rules = self.rules(data.get("rules", []), by_name, documents)
        advice = self.advice(data.get("advice", []), documents)
        self.raise_if_failed()
        digest = hashlib.sha256(raw_bytes)
        for doc in documents.values():
            digest.update(doc.text.encode("utf-8"))
        model = Model(
            name=str(header.get("name", self.path.stem)),
            title=str(header.get("title", self.path.stem)),
            file=str(self.path),
            digest=digest.hexdigest(),
            variables=variables,
            rules=rules,
            documents=MappingProxyType(documents),
            advice=advice,
        )
        if not _admits_valid(model, model.rules):
            culprits = ", ".join(f"rule {r}" for r in _conflict(model))
            self.fail(
                "the rule set admits no valid configuration (supported or discouraged); "
                f"these rules together rule out every configuration: {culprits}"
            )
        self.raise_if_failed()
        return model

    # -- documents -------------------------------------------------------
    def documents(self, raw: object) -> dict[str, Document]:
        out: dict[str, Document] = {}
        for i, item in enumerate(_list(raw)):
            entry = _table(item)
            doc_id = str(entry.get("id", ""))
            where = f"document {doc_id or i + 1}"
            self.keys(where, entry, _DOCUMENT_KEYS)
            if not doc_id:
                self.fail(f"{where}: missing id")
                continue
            if doc_id in out:
                self.fail(f"{where}: duplicate document id")
                continue
            rel = entry.get("path")
            if not isinstance(rel, str):
                self.fail(f"{where}: missing path")
                continue
            try:
                raw = _read_regular(self.path.parent / rel).decode("utf-8")
                text = raw.replace("\r\n", "\n").replace("\r", "\n")  # as text mode reads
            except OSError as exc:
                self.fail(f"{where}: cannot read {rel}: {exc.strerror}")
                continue
            out[doc_id] = Document(doc_id, str(entry.get("title", doc_id)), text)
        return out

    # -- variables -------------------------------------------------------
    def variables(self, raw: object) -> tuple[Variable, ...]:
        if not isinstance(raw, Mapping) or not raw:
            self.fail("no [variables] declared")
            return ()
        out = []
        for name, item in raw.items():
            if not _NAME.match(str(name)):
                self.fail(
                    f"variable {name!r}: names are lower-case letters, digits and underscores"
                )
                continue
            var = self.variable(str(name), _table(item))
            if var is not None:
                out.append(var)
        return tuple(out)

    def variable(self, name: str, entry: Mapping[str, Any]) -> Variable | None:
        where = f"variable {name}"
        self.keys(where, entry, _VARIABLE_KEYS)
        kind = entry.get("type", "enum")
        if kind not in ("enum", "bool"):
            self.fail(f"{where}: unknown type {kind!r} (enum or bool)")
        is_bool = kind == "bool"
        specs: list[ValueSpec] = []
        raw_values = _list(entry.get("values", []))
        if is_bool and raw_values:
            self.fail(f"{where}: a bool variable takes no values list (its domain is true, false)")
            raw_values = []
        if is_bool:
            labels = _table(entry.get("labels", {}))
            specs = [
                ValueSpec(True, str(labels.get("true", "Yes"))),
                ValueSpec(False, str(labels.get("false", "No"))),
            ]
        for item in raw_values:
            value = _table(item)
            self.keys(f"{where} value {value.get('id', '?')}", value, _VALUE_KEYS)
            vid = value.get("id")
            if not isinstance(vid, str) or not vid:
                self.fail(f"{where}: a value has no id")
                continue
            if any(s.id == vid for s in specs):
                self.fail(f"{where}: duplicate value {vid!r}")
                continue
            aliases = tuple(str(a) for a in _list(value.get("aliases", [])))
            specs.append(ValueSpec(vid, str(value.get("label", vid)), aliases))
        if not specs:
            self.fail(f"{where}: empty domain")
            return None
        self.spellings(where, specs, is_bool)
        weight = entry.get("change_weight", 1)
        if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0:
            self.fail(f"{where}: change_weight must be a number >= 0, got {weight!r}")
            weight = 1
        return Variable(
            name=name,
            label=str(entry.get("label", name)),
            description=str(entry.get("description", "")),
            values=tuple(specs),
            is_bool=is_bool,
            change_weight=float(weight),
            weight_reason=str(entry.get("weight_reason", "")),
        )

    def spellings(self, where: str, specs: list[ValueSpec], is_bool: bool) -> None:
        """Two values must never share a spelling, or input would be ambiguous."""
        owner: dict[str, Value] = {}
        for spec in specs:
            names = [str(spec.id), spec.label, *spec.aliases]
            if is_bool:
                names.extend(BOOL_ALIASES[bool(spec.id)])
            # One report per spelling: a label defaults to the id, so names repeat.
            folded = {fold_spelling(name): name for name in reversed(names)}
            for key, name in folded.items():
                if owner.setdefault(key, spec.id) != spec.id:
                    self.fail(
                        f"{where}: the spelling {name!r} names both {owner[key]!r} and {spec.id!r}"
                    )

    # -- rules -----------------------------------------------------------
    def rules(
        self, raw: object, variables: Mapping[str, Variable], documents: Mapping[str, Document]
    ) -> tuple[Rule, ...]:
        out: list[Rule] = []
        seen: set[str] = set()
        for i, item in enumerate(_list(raw)):
            entry = _table(item)
            rule_id = entry.get("id")
            if not isinstance(rule_id, str) or not rule_id:
                self.fail(f"rule #{i + 1}: missing id")
                continue
            self.keys(f"rule {rule_id}", entry, _RULE_KEYS)
            if rule_id in seen:
                self.fail(f"rule {rule_id}: duplicate id")
                continue
            seen.add(rule_id)
            rule = _RuleReader(self, rule_id, variables, documents).read(entry)
            if rule is not None:
                out.append(rule)
        if not _list(raw):
            self.fail("no [[rules]] declared")
        return tuple(out)

    def advice(self, raw: object, documents: Mapping[str, Document]) -> tuple[Advice, ...]:
        out = []
        seen: set[str] = set()
        for i, item in enumerate(_list(raw)):
            entry = _table(item)
            advice_id = str(entry.get("id", f"#{i + 1}"))
            self.keys(f"advice {advice_id}", entry, _ADVICE_KEYS)
            if advice_id in seen:
                self.fail(f"advice {advice_id}: duplicate id")
                continue
            seen.add(advice_id)
            if not isinstance(entry.get("message"), str) or not entry["message"]:
                self.fail(f"advice {advice_id}: missing message")
            if not entry.get("applies_to"):
                self.fail(f"advice {advice_id}: applies_to names no level")
            if not entry.get("sources"):
                self.fail(f"advice {advice_id}: no sources")
            levels = []
            for name in _list(entry.get("applies_to", [])):
                try:
                    levels.append(Level.parse(str(name)))
                except ValueError:
                    self.fail(f"advice {advice_id}: unknown level {name!r}")
            sources = tuple(
                s
                for s in (
                    self.source(f"advice {advice_id}", _table(x), documents)
                    for x in _list(entry.get("sources", []))
                )
                if s is not None
            )
            out.append(Advice(advice_id, frozenset(levels), str(entry.get("message", "")), sources))
        return tuple(out)

    def source(
        self, where: str, entry: Mapping[str, Any], documents: Mapping[str, Document]
    ) -> Source | None:
        self.keys(f"{where} source", entry, _SOURCE_KEYS)
        doc_id = entry.get("document")
        quote = entry.get("quote")
        section = entry.get("section")
        if not entry:
            self.fail(f"{where}: missing source {{document, section, quote}}")
            return None
        if not isinstance(doc_id, str) or doc_id not in documents:
            known = ", ".join(sorted(documents)) or "none declared"
            self.fail(f"{where}: source names unknown document {doc_id!r} (known: {known})")
            return None
        if not isinstance(section, str) or not section.strip():
            self.fail(f"{where}: source has no section")
            return None
        if not isinstance(quote, str) or not quote.strip():
            self.fail(f"{where}: source has no quote")
            return None
        if fold_whitespace(quote) not in fold_whitespace(documents[doc_id].text):
            self.fail(f"{where}: quote not found in document {doc_id!r}: {quote!r}")
            return None
        return Source(doc_id, section, quote)


class _RuleReader:
    """Reads one rule table into a ``Rule``, reporting problems by rule id."""

    def __init__(
        self,
        loader: _Loader,
        rule_id: str,
        variables: Mapping[str, Variable],
        documents: Mapping[str, Document],
    ) -> None:
        self.loader = loader
        self.where = f"rule {rule_id}"
        self.rule_id = rule_id
        self.variables = variables
        self.documents = documents
        self.ok = True

    def fail(self, message: str) -> None:
        self.ok = False
        self.loader.fail(f"{self.where}: {message}")

    def read(self, entry: Mapping[str, Any]) -> Rule | None:
        level = Level.UNSUPPORTED
        if "level" not in entry:
            self.fail("missing level")
        else:
            try:
                level = Level.parse(str(entry["level"]))
            except ValueError:
                names = ", ".join(x.id for x in Level)
                self.fail(f"unknown level {entry['level']!r} (one of {names})")
        message = entry.get("message")
        if not isinstance(message, str) or not message:
            self.fail("missing message")
        when_raw = entry.get("when", [])
        if not isinstance(when_raw, (Mapping, list)):
            self.fail(f"when must be a table or a list of tables, got {when_raw!r}")
        alternatives = [when_raw] if isinstance(when_raw, Mapping) else _list(when_raw)
        if any(not _table(alt) for alt in alternatives):
            self.fail("when has an empty alternative (it would always hold)")
        when = tuple(self.clause(_table(alt), "when") for alt in alternatives)
        bodies = [k for k in _BODIES if k in entry]
        if len(bodies) != 1:
            self.fail(f"needs exactly one of {', '.join(_BODIES)}; found {bodies or 'none'}")
            return None
        kind = bodies[0]
        clause: Clause = MappingProxyType({})
        scope: tuple[str, ...] = ()
        tuples: frozenset[tuple[Value, ...]] = frozenset()
        if kind in ("require", "forbid"):
            clause = self.clause(_table(entry[kind]), kind)
            if not clause:
                self.fail(f"{kind} is empty")
        else:
            self.loader.keys(f"{self.where} {kind}", _table(entry[kind]), _TUPLE_KEYS)
            scope, tuples = self.tuples(_table(entry[kind]), kind)
        source = self.loader.source(self.where, _table(entry.get("source", {})), self.documents)
        if source is None:
            self.ok = False
        if not self.ok or source is None:
            return None
        return Rule(
            id=self.rule_id,
            level=level,
            message=str(message),
            source=source,
            when=when,
            kind=kind,
            clause=clause,
            scope=scope,
            tuples=tuples,
        )

    def clause(self, raw: Mapping[str, Any], part: str) -> Clause:
        out: dict[str, frozenset[Value]] = {}
        for name, values in raw.items():
            var = self.variables.get(name)
            if var is None:
                self.fail(f"{part} names unknown variable {name!r}")
                continue
            listed = values if isinstance(values, list) else [values]
            if not listed:
                self.fail(f"{part}.{name} lists no values")
            out[name] = frozenset(self.value(var, v, part) for v in listed)
        return MappingProxyType(out)

    def tuples(
        self, raw: Mapping[str, Any], part: str
    ) -> tuple[tuple[str, ...], frozenset[tuple[Value, ...]]]:
        scope = tuple(str(v) for v in _list(raw.get("vars", [])))
        if not scope:
            self.fail(f"{part}.vars is empty")
        unknown = [v for v in scope if v not in self.variables]
        for name in unknown:
            self.fail(f"{part}.vars names unknown variable {name!r}")
        if unknown:
            return scope, frozenset()
        rows: set[tuple[Value, ...]] = set()
        for row in _list(raw.get("tuples", [])):
            cells = _list(row)
            if len(cells) != len(scope):
                self.fail(f"{part} tuple {row!r} has {len(cells)} values for {len(scope)} vars")
                continue
            rows.add(
                tuple(
                    self.value(self.variables[v], c, part)
                    for v, c in zip(scope, cells, strict=True)
                )
            )
        return scope, frozenset(rows)

    def value(self, var: Variable, raw: object, part: str) -> Value:
        if isinstance(raw, bool) != var.is_bool or raw not in var.domain:
            self.fail(f"{part}: unknown value {raw!r} for variable {var.name}")
            # The rule is dropped anyway; a text stand-in keeps sets hashable meanwhile.
            return repr(raw)
        return raw if isinstance(raw, bool) else str(raw)


def _admits_valid(model: Model, rules: Iterable[Rule]) -> bool:
    """Whether some configuration breaks none of the blocking rules among ``rules``.

    A depth-first search in model order that checks each rule once all its
    variables are set, and remembers dead ends by the values that later rules
    still read, so a rule set without a valid configuration is refuted in time
    bounded by those states rather than by the product of the domains.
    """
    names = model.names
    depth_of = {name: i for i, name in enumerate(names)}
    blocking = [r for r in rules if not r.level.valid]
    due: list[list[Rule]] = [[] for _ in names]
    for rule in blocking:
        due[max((depth_of[v] for v in rule.variables), default=0)].append(rule)
    # frontier[d]: variables set before depth d that a rule due at depth d or later reads.
    frontier: list[tuple[str, ...]] = []
    for depth in range(len(names) + 1):
        later = {v for d in range(depth, len(names)) for r in due[d] for v in r.variables}
        frontier.append(tuple(n for n in names[:depth] if n in later))
    domains = [var.domain for var in model.variables]
    config: dict[str, Value] = {}
    dead: set[tuple[int, tuple[Value, ...]]] = set()

    def search(depth: int) -> bool:
        if depth == len(names):
            return True
        key = (depth, tuple(config[n] for n in frontier[depth]))
        if key in dead:
            return False
        for value in domains[depth]:
            config[names[depth]] = value
            if not any(rule.broken(config) for rule in due[depth]) and search(depth + 1):
                return True
        del config[names[depth]]
        dead.add(key)
        return False

    return search(0)


def _conflict(model: Model) -> list[str]:
    """Ids of a minimal set of blocking rules that, together, leave nothing valid.

    A deletion filter: drop each rule in turn and keep it dropped while the
    rest still admit no valid configuration.
    """
    keep = [r for r in model.rules if not r.level.valid]
    for rule in list(keep):
        trial = [r for r in keep if r is not rule]
        if not _admits_valid(model, trial):
            keep = trial
    return [r.id for r in keep]


def _table(raw: object) -> Mapping[str, Any]:
    return raw if isinstance(raw, Mapping) else {}


def _list(raw: object) -> list[Any]:
    return raw if isinstance(raw, list) else []
