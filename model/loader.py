"""Load a TOML rule set, validate every part of it, and return a frozen ``Model``."""

from __future__ import annotations

import functools
import hashlib
import math
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import safejson
from .errors import ConfigurationError, InputError, ModelError
from .schema import Advice, Clause, Document, Level, Model, Rule, Source, Value, ValueSpec, Variable
from .vocabulary import BOOL_ALIASES, fold_spelling

__all__ = [
    "MAX_NESTING",
    "MAX_WEIGHT",
    "MIN_WEIGHT",
    "builtin_path",
    "fold_whitespace",
    "load_model",
]

_BODIES = ("require", "forbid", "allowed", "forbidden")
_WS = re.compile(r"\s+")
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")

# The keys each table may hold; anything else is a typo that would silently change meaning.
_TOP_KEYS = ("model", "vocabulary", "documents", "variables", "rules", "advice")
_MODEL_KEYS = ("name", "title", "edition")
_VOCABULARY_KEYS = ("file", "variables", "cover")
_COVERED = ("version", "deployment")
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
_SOURCE_KEYS = ("document", "section", "quote", "quotes")
_QUOTE_KEYS = ("quote", "when")
_ADVICE_KEYS = ("id", "applies_to", "message", "sources")

MAX_NESTING = 32
"""Deepest nesting of arrays and tables a rule file may hold; a rule set needs 4."""
MIN_WEIGHT = 1e-6
"""The smallest change weight a variable may declare."""
MAX_WEIGHT = 10**9
"""The largest change weight a variable may declare."""


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
    return Path(__file__).parent.joinpath("data", "seed.toml")


def _read_regular(path: Path) -> bytes:
    """Read a file that must be a regular file: a FIFO or a device would block or never end."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a regular file")
        return fh.read()


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, stamp: tuple[int, int]) -> Model:
    if path == str(builtin_path()):
        from .precompiled import builtin_model

        found = builtin_model()  # None unless built from these very files by this code
        if found is not None:
            return found
    return _Loader(Path(path)).load()


def load_model(
    path: str | Path | None = None,
    *,
    edition: str | None = None,
    rules: Iterable[str | Path] = (),
) -> Model:
    """Load and validate a rule set; the built-in seed model (edition ``pre-9.0``) by default.

    Parameters
    ----------
    path : str or Path, optional
        A rule set file.
    edition : str, optional
        An edition id from :mod:`syncscope.model.editions`; its built-in rule set
        is loaded. Not together with ``path``.
    rules : iterable of str or Path
        Policy overlay files whose rules are added on top
        (:func:`syncscope.model.overlay.apply_overlays`).

    Raises
    ------
    ModelError
        Naming the file and, for each problem, the rule or variable at fault.
    ConfigurationError
        For an unknown edition id (with a did-you-mean), or both arguments.

    Examples
    --------
    >>> model = load_model()
    >>> model.names[:3], model.edition
    (('deployment', 'version', 'email_system'), 'pre-9.0')
    >>> model.size
    44236800
    >>> load_model(edition="online-2022-01").variable("version").domain
    ('9.1', '9.2')
    """
    if edition is not None:
        from .editions import get_edition

        if path is not None:
            raise ConfigurationError("give a rule set file or an edition, not both")
        target = str(get_edition(edition).rules_path)
    else:
        target = os.fspath(path) if path is not None else str(builtin_path())
    try:
        info = os.stat(target)
    except OSError as exc:
        raise ModelError(target, [f"cannot read the rule set: {exc.strerror}"]) from None
    model = _load_cached(target, (info.st_mtime_ns, info.st_size))
    overlays = [rules] if isinstance(rules, (str, Path)) else list(rules)
    if overlays:
        from .overlay import apply_overlays

        model = apply_overlays(model, overlays)
    return model


def _read_toml(path: Path, what: str) -> tuple[bytes, dict[str, Any]]:
    """Read a TOML file within bounds: a regular file, nesting at most ``MAX_NESTING`` deep.

    Brackets are counted before parsing (the parser recurses on them); dotted
    keys nest tables without brackets, so the parsed data is walked too.
    """
    try:
        raw_bytes = _read_regular(path)
        text = raw_bytes.decode("utf-8")
    except OSError as exc:
        raise ModelError(str(path), [f"cannot read {what}: {exc.strerror}"]) from None
    except UnicodeDecodeError as exc:
        raise ModelError(str(path), [f"not valid TOML: {exc}"]) from None
    try:
        data = safejson.toml_loads(text, str(path), max_depth=MAX_NESTING)
    except InputError as exc:
        problem = exc.message.removeprefix(f"{path}: ").removeprefix("malformed TOML: ")
        if "nested deeper" not in problem:
            problem = f"not valid TOML: {problem}"
        raise ModelError(str(path), [problem]) from None
    return raw_bytes, data


def _brief(raw: object) -> str:
    """A short rendering of a value from a rule file that never recurses into it."""
    if isinstance(raw, Mapping):
        return f"a table of {len(raw)} keys"
    if isinstance(raw, list):
        return f"an array of {len(raw)} items"
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) >= 10**30:
        return f"an integer of about {int(abs(raw).bit_length() * math.log10(2)) + 1} digits"
    if isinstance(raw, (str, bool, int, float)):
        text = repr(raw)
        return text if len(text) <= 80 else text[:79] + "…"
    return f"a {type(raw).__name__}"


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
                import difflib

                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.fail(f"{where}: unknown key {key!r}{hint}")

    def load(self) -> Model:
        raw_bytes, data = _read_toml(self.path, "the rule set")
        self.keys("the rule set", data, _TOP_KEYS)
        header = _table(data.get("model", {}))
        self.keys("[model]", header, _MODEL_KEYS)
        documents = self.documents(data.get("documents", []))
        shared, absent, vocabulary_bytes = self.vocabulary(data.get("vocabulary"))
        own = self.variables(data.get("variables", {})) if "variables" in data or not shared else ()
        for var in own:
            if any(v.name == var.name for v in shared):
                self.fail(f"variable {var.name}: declared here and in the vocabulary")
        variables = (*shared, *own)
        self.raise_if_failed()
        by_name = {v.name: v for v in variables}
        rules = self.rules(data.get("rules", []), by_name, documents)
        advice = self.advice(data.get("advice", []), documents)
        self.raise_if_failed()
        digest = hashlib.sha256(raw_bytes)
        digest.update(vocabulary_bytes)
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
            edition=str(header.get("edition", "")),
            absent=absent,
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
            except UnicodeDecodeError:
                self.fail(f"{where}: cannot read {rel}: not UTF-8 text")
                continue
            except OSError as exc:
                self.fail(f"{where}: cannot read {rel}: {exc.strerror}")
                continue
            out[doc_id] = Document(doc_id, str(entry.get("title", doc_id)), text)
        return out

    # -- variables -------------------------------------------------------
    def vocabulary(self, raw: object) -> tuple[tuple[Variable, ...], tuple[str, ...], bytes]:
        """The variables picked from a shared vocabulary file, limited to the cover.

        Returns the picked variables in the order the rule set lists them, the
        vocabulary's variables it leaves out, and the vocabulary's bytes (for the digest).
        """
        if raw is None:
            return (), (), b""
        entry = _table(raw)
        self.keys("[vocabulary]", entry, _VOCABULARY_KEYS)
        rel = entry.get("file")
        if not isinstance(rel, str) or not rel:
            self.fail("[vocabulary]: missing file")
            return (), (), b""
        path = self.path.parent / rel
        raw_bytes, data = _read_toml(path, "the vocabulary")
        inner = _Loader(path)
        inner.keys("the vocabulary", data, ("variables",))
        pool = {v.name: v for v in inner.variables(data.get("variables", {}))}
        inner.raise_if_failed()
        picked: list[Variable] = []
        names = _list(entry.get("variables"))
        if not names:
            self.fail("[vocabulary]: variables lists no variable")
        for name in names:
            var = pool.get(name) if isinstance(name, str) else None
            if var is None:
                import difflib

                close = difflib.get_close_matches(str(name)[:80], list(pool), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.fail(f"[vocabulary]: unknown variable {_brief(name)}{hint}")
            elif var in picked:
                self.fail(f"[vocabulary]: variable {var.name} listed twice")
            else:
                picked.append(var)
        for name, allowed in _table(entry.get("cover", {})).items():
            if name not in _COVERED:
                self.fail(
                    f"[vocabulary] cover: only version and deployment are limited, not {name!r}"
                )
                continue
            listed = _list(allowed)
            for i, var in enumerate(picked):
                if var.name != name:
                    continue
                if not listed or any(v not in var.domain for v in listed):
                    self.fail(f"[vocabulary] cover.{name}: values must be some of {var.domain}")
                    continue
                picked[i] = Variable(
                    var.name,
                    var.label,
                    var.description,
                    tuple(s for s in var.values if s.id in listed),
                    var.is_bool,
                    var.change_weight,
                    var.weight_reason,
                    tuple(s for s in var.values if s.id not in listed),
                )
        absent = tuple(n for n in pool if all(v.name != n for v in picked))
        return tuple(picked), absent, raw_bytes

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
        if (
            not isinstance(weight, (int, float))
            or isinstance(weight, bool)
            or (isinstance(weight, float) and not math.isfinite(weight))
            or not MIN_WEIGHT <= weight <= MAX_WEIGHT
        ):
            self.fail(
                f"{where}: change_weight must be a finite number from {MIN_WEIGHT:g}"
                f" to {MAX_WEIGHT:,}, got {_brief(weight)}"
            )
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
        self,
        where: str,
        entry: Mapping[str, Any],
        documents: Mapping[str, Document],
        condition: Callable[[Mapping[str, Any]], Clause] | None = None,
    ) -> Source | None:
        """Read a source: ``quote = "..."`` or ``quotes = [...]``, each quote verbatim.

        An item of ``quotes`` is a string or a table ``{quote, when}``; ``condition``
        reads a ``when`` (rules only: an advice's quotes take none).
        """
        self.keys(f"{where} source", entry, _SOURCE_KEYS)
        doc_id = entry.get("document")
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
        if "quote" in entry and "quotes" in entry:
            self.fail(f"{where}: source has both quote and quotes (give one)")
            return None
        if "quotes" in entry:
            raw = entry["quotes"]
            if not isinstance(raw, list) or not raw:
                self.fail(f"{where}: source quotes must be a non-empty array, got {_brief(raw)}")
                return None
            items = raw
        else:
            items = [entry.get("quote")]
        folded_text = fold_whitespace(documents[doc_id].text)
        quotes: list[str] = []
        conditions: list[Clause] = []
        ok = True
        for number, item in enumerate(items, 1):
            label = f"quote #{number}" if len(items) > 1 else "quote"
            when: Clause = MappingProxyType({})
            if isinstance(item, Mapping):
                self.keys(f"{where} source {label}", item, _QUOTE_KEYS)
                if "when" in item:
                    if condition is None:
                        self.fail(f"{where}: source {label} has a when (only a rule's quotes may)")
                        ok = False
                    elif not isinstance(item["when"], Mapping) or not item["when"]:
                        self.fail(f"{where}: source {label} when must be a non-empty table")
                        ok = False
                    else:
                        when = condition(item["when"])
                item = item.get("quote")
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{where}: source has no {label}")
                ok = False
                continue
            if fold_whitespace(item) not in folded_text:
                self.fail(f"{where}: {label} not found in document {doc_id!r}: {item!r}")
                ok = False
                continue
            if item in quotes:
                self.fail(f"{where}: source quotes {item!r} twice")
                ok = False
                continue
            quotes.append(item)
            conditions.append(when)
        if not ok:
            return None
        return Source(doc_id, section, quotes[0], tuple(quotes), tuple(conditions))


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
            self.fail(f"when must be a table or a list of tables, got {_brief(when_raw)}")
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
        source = self.loader.source(
            self.where,
            _table(entry.get("source", {})),
            self.documents,
            lambda raw: self.clause(raw, "source when"),
        )
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
                self.fail(
                    f"{part} tuple {_brief(row)} has {len(cells)} values for {len(scope)} vars"
                )
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
            self.fail(f"{part}: unknown value {_brief(raw)} for variable {var.name}")
            # The rule is dropped anyway; a text stand-in keeps sets hashable meanwhile.
            return _brief(raw)
        return raw if isinstance(raw, bool) else str(raw)


def _admits_valid(model: Model, rules: Iterable[Rule]) -> bool:
    """Whether some configuration breaks none of the blocking rules among ``rules``.

    A depth-first search in model order that checks each rule once all its
    variables are set, and remembers dead ends by the values that later rules
    still read, so a rule set without a valid configuration is refuted in time
    bounded by those states rather than by the product of the domains.

    The solver's rule-subset search (``solver.explain.propagate.rules_admit``)
    asks the same question over compiled tables; this one stays here because
    the model never imports the solver, and it runs before any table exists.
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
    # An explicit stack of (depth, next value index): a rule set may have thousands of variables.
    stack: list[list[int]] = []

    def enter(depth: int) -> bool:
        """Open ``depth``, unless it is a known dead end; True if it was opened."""
        key = (depth, tuple(config[n] for n in frontier[depth]))
        if key in dead:
            return False
        stack.append([depth, 0])
        return True

    if not names:
        return True
    enter(0)
    while stack:
        frame = stack[-1]
        depth, index = frame
        if index == len(domains[depth]):
            stack.pop()
            config.pop(names[depth], None)
            dead.add((depth, tuple(config[n] for n in frontier[depth])))
            continue
        frame[1] = index + 1
        config[names[depth]] = domains[depth][index]
        if any(rule.broken(config) for rule in due[depth]):
            continue
        if depth + 1 == len(names):
            return True
        enter(depth + 1)
    return False


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
