"""The questions the HTTP API answers, on the public API, with one model compiled once.

Every method takes the parsed JSON of a request body and returns the JSON the
matching CLI command prints with ``--json`` (the results' ``to_dict()``), or
raises :class:`~syncscope.serve.errors.ApiError`. Nothing here knows about HTTP
frameworks, so it is usable and testable on its own.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, TypeVar

import syncscope
from syncscope.errors import InputError, NoSolution
from syncscope.model import Level, Model, merge_assignments, normalize_config

from .errors import ApiError, bad_request, from_input_error

__all__ = ["SCOPES", "BatchStream", "Editions", "Engine", "scope_of"]

T = TypeVar("T")

SCOPES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "organisation",
        "Organisation",
        ("deployment", "version", "fips_mode", "customer_key", "same_tenant", "mfa"),
    ),
    (
        "profile",
        "Email server profile",
        (
            "profile_type",
            "authentication",
            "autodiscover",
            "ports",
            "incoming_protocol",
            "outgoing_protocol",
        ),
    ),
    (
        "mailbox",
        "Mailbox",
        (
            "email_system",
            "sync_appointments_contacts_tasks",
            "outlook_on_the_web",
            "outlook_manual_tracking",
            "mass_email_campaigns",
            "custom_email_provider",
            "mixed_outlook_act_sync",
        ),
    ),
)
"""(id, label, variables) of each group of settings the page shows; other variables are "other"."""

_ROWS_PER_CHUNK = 512
"""Batch rows checked (under the lock) and sent per chunk of a streamed response."""

_DOMAINS_MEMO = 4096
"""Domains answers kept per engine, keyed by the canonical fixed values (least recent dropped)."""

_BATCH_MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


def scope_of(name: str) -> str:
    """The group a variable is shown in.

    Examples
    --------
    >>> scope_of("fips_mode"), scope_of("ports"), scope_of("email_system"), scope_of("x")
    ('organisation', 'profile', 'mailbox', 'other')
    """
    for scope, _, names in SCOPES:
        if name in names:
            return scope
    return "other"


@dataclass(frozen=True, slots=True)
class BatchStream:
    """A checked inventory ready to stream: its media type and its text, chunk by chunk."""

    media_type: str
    """``text/csv`` or ``application/x-ndjson``."""
    chunks: Iterator[str]
    """The output, exactly as ``syncscope batch --format …`` writes it."""


def _to_dict(answer: Callable[[dict[str, Any]], Any], config: dict[str, Any]) -> Any:
    return answer(config).to_dict()


def _kind(data: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if data is None:
        return "null"
    return names.get(type(data), "a number")


def _object(data: object, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise bad_request(f"{what}: expected a JSON object of variable: value, got {_kind(data)}")
    return data


def _configurations(data: object, what: str) -> tuple[list[dict[str, Any]], bool]:
    """An object, or an array of objects checked in order (as ``--config`` reads)."""
    if isinstance(data, list):
        return [_object(item, f"{what} #{i + 1}") for i, item in enumerate(data)], True
    return [_object(data, what)], False


def _envelope(data: object, required: Sequence[str], optional: Sequence[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise bad_request(f"expected a JSON object with {', '.join(required)}, got {_kind(data)}")
    unknown = sorted(set(data) - set(required) - set(optional))
    if unknown:
        known = ", ".join([*required, *optional])
        raise bad_request(f"unknown field {unknown[0]!r} (the fields are {known})")
    missing = [name for name in required if name not in data]
    if missing:
        raise bad_request(f"missing field {missing[0]!r}")
    return data


def _names(data: object, what: str) -> list[str]:
    if isinstance(data, str):
        return [data]
    if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
        raise bad_request(f"{what}: expected a variable name or an array of them")
    return list(data)


def _weights(data: object) -> str | dict[str, Any] | None:
    """``null``, ``"uniform"`` or an object of weights; never a file name (no server files)."""
    if data is None or data == "uniform" or isinstance(data, dict):
        return data
    raise ApiError(
        422,
        {
            "error": 'weights: give "uniform" or an object of variable: weight'
            " (the server reads no files)",
            "variable": None,
            "value": data if isinstance(data, (str, bool, int, float)) else None,
            "suggestions": ["uniform"],
        },
    )


def _avoid(data: object) -> list[str | tuple[str, object]]:
    items = [data] if isinstance(data, str) else data
    if not isinstance(items, list):
        raise bad_request('avoid: expected "VAR=VALUE" texts or [variable, value] pairs')
    out: list[str | tuple[str, object]] = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, list) and len(item) == 2 and isinstance(item[0], str):
            out.append((item[0], item[1]))
        else:
            raise bad_request(
                f'avoid: expected "VAR=VALUE" or a [variable, value] pair, got {item!r}'
            )
    return out


class Engine:
    """The model, compiled once at start-up, and every question of the API.

    Calls into the solvers hold one lock, so request threads share the
    compiled model and its caches safely (the answers take microseconds to
    milliseconds, and the interpreter runs one thread at a time anyway).

    Parameters
    ----------
    model : Model, optional
        A rule set from :func:`syncscope.load_model`; the built-in seed by default.

    Examples
    --------
    >>> engine = Engine()
    >>> engine.check({"deployment": "online", "email_system": "Gmail"})["verdict"]
    'supported'
    >>> engine.count({"email_system": "gmail"})["valid"]
    1536
    >>> engine.check({"email_system": "gmial"})
    Traceback (most recent call last):
    ...
    syncscope.serve.errors.ApiError: 422: unknown value 'gmial' ...; did you mean 'gmail'?
    """

    def __init__(self, model: Model | None = None) -> None:
        self.model = model if model is not None else syncscope.load_model()
        self._lock = threading.Lock()
        self._rules: list[dict[str, object]] | None = None
        self._vocabulary: dict[str, object] | None = None
        self._domains: OrderedDict[tuple[tuple[str, str], ...], dict[str, object]] = OrderedDict()
        # Compile (or load from the cache) now, not during the first request.
        syncscope.domains({}, model=self.model)

    def _call(self, func: Callable[[], T], where: str = "") -> T:
        try:
            with self._lock:
                return func()
        except InputError as exc:
            raise from_input_error(exc, where) from None

    def _each(self, data: object, what: str, answer: Callable[[dict[str, Any]], Any]) -> Any:
        configs, many = _configurations(data, what)
        out = []
        for i, config in enumerate(configs):
            where = f"configuration #{i + 1}: " if many else ""
            out.append(self._call(functools.partial(_to_dict, answer, config), where))
        return out if many else out[0]

    def check(self, data: object) -> Any:
        """``syncscope check --json``: an object gives one result, an array a list."""
        return self._each(data, "configuration", lambda c: syncscope.check(c, model=self.model))

    def explain(self, data: object) -> Any:
        """``syncscope explain --json``."""
        return self._each(data, "configuration", lambda c: syncscope.explain(c, model=self.model))

    def count(self, data: object) -> Mapping[str, object]:
        """``syncscope list --count --json``: configurations per verdict matching ``data``."""
        fixed = _object(data, "fixed values")
        return self._call(lambda: syncscope.count(fixed, model=self.model).to_dict())

    def domains(self, data: object) -> dict[str, object]:
        """``syncscope domains --json``; a 409 with the conflict when nothing valid matches."""
        fixed = _object(data, "fixed values")
        try:
            return self._call(lambda: self._memo_domains(fixed))
        except NoSolution as exc:
            canonical = normalize_config(self.model, fixed)
            body: dict[str, object] = {"error": exc.message, "fixed": canonical}
            conflict = getattr(exc, "conflict", None)
            if conflict is not None:
                body["conflict"] = conflict.to_dict()
                body["causes"] = [c.to_dict() for c in exc.causes]
            raise ApiError(409, body) from None

    def domains_memoised(self, data: object) -> dict[str, object] | None:
        """The memoised ``domains`` answer for ``data``, or None; it never solves nor waits.

        None when the answer is not memoised, the input is bad, or another
        thread holds the lock, so an event loop can try it before it hands the
        request to a worker thread.

        Examples
        --------
        >>> engine = Engine()
        >>> engine.domains_memoised({"email_system": "gmail"}) is None
        True
        >>> answer = engine.domains({"email_system": "gmail"})
        >>> engine.domains_memoised({"Email System": "Gmail"}) is answer
        True
        """
        if not isinstance(data, dict) or not self._lock.acquire(blocking=False):
            return None
        try:
            memo_key = self._memo_key(normalize_config(self.model, data))
            hit = self._domains.get(memo_key)
            if hit is not None:
                self._domains.move_to_end(memo_key)
            return hit
        except InputError:
            return None
        finally:
            self._lock.release()

    @staticmethod
    def _memo_key(canonical: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((name, repr(value)) for name, value in canonical.items()))

    def _memo_domains(self, fixed: dict[str, Any]) -> dict[str, object]:
        """The answer for ``fixed``, from a bounded LRU keyed by its canonical form (lock held).

        The answer depends only on the canonical values, and the page asks the
        same few questions again and again; a hit skips the solver and ``to_dict``.
        """
        canonical = normalize_config(self.model, fixed)
        memo_key = self._memo_key(canonical)
        hit = self._domains.get(memo_key)
        if hit is not None:
            self._domains.move_to_end(memo_key)
            return hit
        answer = syncscope.domains(canonical, model=self.model).to_dict()
        self._domains[memo_key] = answer
        if len(self._domains) > _DOMAINS_MEMO:
            self._domains.popitem(last=False)
        return answer

    def nearest(self, data: object) -> Any:
        """``syncscope nearest --json``: ``{"configuration", "keep"?, "weights"?, "top"?}``."""
        body = _envelope(data, ["configuration"], ["keep", "weights", "top"])
        keep = _names(body.get("keep", []), "keep")
        weights = _weights(body.get("weights"))
        top = body.get("top", 5)
        return self._each(
            body["configuration"],
            "configuration",
            lambda c: syncscope.nearest(c, keep=keep, weights=weights, top=top, model=self.model),
        )

    def _plan_options(self, data: object) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        body = _envelope(data, ["from", "to"], ["keep", "avoid", "weights", "max_step"])
        start = _object(body["from"], "from")
        target = _object(body["to"], "to")
        options = {
            "keep": _names(body.get("keep", []), "keep"),
            "avoid": _avoid(body.get("avoid", [])),
            "weights": _weights(body.get("weights")),
            "max_step": body.get("max_step"),
            "model": self.model,
        }
        return start, target, options

    def plan(self, data: object) -> dict[str, object]:
        """``{"from", "to", "keep"?, "avoid"?, "weights"?, "max_step"?}``."""
        start, target, options = self._plan_options(data)
        return self._call(lambda: syncscope.plan(start, target, **options).to_dict())

    def plan_mermaid(self, data: object) -> tuple[str, bool]:
        """``syncscope plan --mermaid``: the flowchart text, and whether a plan exists."""
        from syncscope.cli import planfmt

        start, target, options = self._plan_options(data)

        def draw() -> tuple[str, bool]:
            graph = syncscope.plan_graph(start, target, **options)
            return planfmt.mermaid(graph, self.model), bool(graph.graph["plan"].feasible)

        return self._call(draw)

    def batch(
        self,
        data: BinaryIO,
        *,
        input_format: str | None = None,
        sets: Sequence[str] = (),
        fix: bool = False,
        out_format: str | None = None,
        max_rows: int = 100_000,
    ) -> BatchStream:
        """``syncscope batch``: every row of an inventory, checked, streamed as CSV or JSON Lines.

        ``data`` must be seekable: it is read once to count the rows (over
        ``max_rows`` is a 413 before anything is checked), then again to check them.
        """
        from syncscope.batch.readers import read_records
        from syncscope.batch.writer import OUTPUT_FORMATS, writer

        if out_format is not None and out_format not in OUTPUT_FORMATS:
            raise bad_request(f"unknown output format {out_format!r} (one of csv, jsonl)")
        defaults = self._call(lambda: merge_assignments(self.model, list(sets)), "set: ")
        try:
            with read_records(data, self.model, input_format=input_format) as records:
                rows = sum(1 for _ in itertools.islice(records, max_rows + 1))
                detected = records.format
            if rows > max_rows:
                raise ApiError(
                    413,
                    {"error": f"the inventory has more than {max_rows:,} rows", "limit": max_rows},
                )
            data.seek(0)
            run = syncscope.check_batch(
                data, input_format=detected, defaults=defaults, fix=fix, model=self.model
            )
        except InputError as exc:
            raise from_input_error(exc) from None
        fmt = out_format or ("csv" if run.format == "csv" else "jsonl")
        return BatchStream(_BATCH_MEDIA[fmt], self._stream(run, fmt, writer))

    def _stream(self, run: Any, fmt: str, make_writer: Callable[..., Any]) -> Iterator[str]:
        import io

        buffer = io.StringIO()
        with run:
            out = make_writer(fmt, buffer, run.extra_columns, fix=run.fix)
            while True:
                with self._lock:
                    chunk = list(itertools.islice(run, _ROWS_PER_CHUNK))
                for row in chunk:
                    out.write(row)
                text = buffer.getvalue()
                if text:
                    yield text
                    buffer.seek(0)
                    buffer.truncate()
                if len(chunk) < _ROWS_PER_CHUNK:
                    return

    def rules(self) -> list[dict[str, object]]:
        """``syncscope rules --json``: every rule with its level, condition, message and source."""
        if self._rules is None:
            from syncscope.docgen import describe_condition

            self._rules = [
                {
                    "id": r.id,
                    "level": r.level.id,
                    "message": r.message,
                    "variables": list(r.variables),
                    "condition": describe_condition(r, self.model).replace("`", ""),
                    "source": r.source.to_dict(),
                }
                for r in self.model.rules
            ]
        return self._rules

    def vocabulary(self) -> dict[str, object]:
        """The model's variables with their labels, values, aliases and groups, for forms.

        Each variable also carries its change costs as ``syncscope vars --format
        json`` gives them (:func:`syncscope.change_costs`): ``scope`` (who owns
        it), ``cost`` (of any change no pair prices), ``cost_reason``,
        ``changes`` (the priced pairs in words, with reasons), ``pair_costs``
        and ``advice``. ``change_weight`` is ``cost``, kept for older clients;
        ``group`` is the group of settings the page shows it in.

        Examples
        --------
        >>> vocabulary = Engine().vocabulary()
        >>> [s["id"] for s in vocabulary["scopes"]]
        ['organisation', 'profile', 'mailbox']
        >>> first = vocabulary["variables"][0]
        >>> first["name"], first["scope"], [v["id"] for v in first["values"]]
        ('deployment', 'organisation', ['online', 'on-premises'])
        >>> email = {v["name"]: v for v in vocabulary["variables"]}["email_system"]
        >>> email["name"], email["cost"], email["pair_costs"]["exchange-2013 -> exchange-2013-sp1"]
        ('email_system', 60, 5)
        """
        if self._vocabulary is None:
            m = self.model
            # The one cost model, described as `syncscope vars --format json` gives it.
            costs = {c.variable: c for c in syncscope.change_costs(m)}
            variables: list[dict[str, Any]] = [
                {
                    **syncscope.describe_variable(v, costs[v.name]),
                    "type": "bool" if v.is_bool else "choice",
                    "group": scope_of(v.name),
                }
                for v in m.variables
            ]
            groups = [(s, label, names) for s, label, names in SCOPES]
            if any(v["group"] == "other" for v in variables):
                groups.append(("other", "Other settings", ()))
            self._vocabulary = {
                "name": m.name,
                "title": m.title,
                "digest": m.digest,
                "edition": m.edition or m.name,
                "verdicts": [level.id for level in Level],
                "scopes": [
                    {
                        "id": scope,
                        "label": label,
                        "variables": [n for n in names if n in m.names]
                        or [v["name"] for v in variables if v["group"] == scope],
                    }
                    for scope, label, names in groups
                ],
                "variables": variables,
            }
        return self._vocabulary


class Editions:
    """One :class:`Engine` per edition the server offers, each compiled once at start-up.

    Parameters
    ----------
    model : Model, optional
        The default rule set; the default edition's when None.
    others : sequence of str, optional
        The ids of the built-in editions served beside ``model`` (from
        :data:`syncscope.model.editions.EDITIONS`); every edition when None,
        none when empty (say, for a custom rule file or policy overlays).

    Examples
    --------
    >>> served = Editions()
    >>> served.default, served.ids[-1]
    ('pre-9.0', 'online-2022-01')
    >>> "packet_inspection" in served.get("online-2022-01").model.names
    True
    >>> served.get(None) is served.get("pre-9.0")
    True
    >>> served.get("online-2023")
    Traceback (most recent call last):
    ...
    syncscope.serve.errors.ApiError: 422: edition: unknown edition 'online-2023' ...
    """

    def __init__(self, model: Model | None = None, others: Sequence[str] | None = None) -> None:
        from syncscope.model.editions import DEFAULT_EDITION, edition_ids

        default_model = model if model is not None else syncscope.load_model(edition=None)
        self.default: str = default_model.edition or default_model.name or DEFAULT_EDITION
        """The id of the edition answered when a request names none."""
        engines = {self.default: Engine(default_model)}
        wanted = edition_ids() if others is None else list(others)
        for edition in wanted:
            if edition not in engines:
                engines[edition] = Engine(syncscope.load_model(edition=edition))
        order = {e: i for i, e in enumerate(edition_ids())}
        self.ids: tuple[str, ...] = tuple(sorted(engines, key=lambda e: order.get(e, -1)))
        """Every edition served, oldest first (a custom rule set first of all)."""
        self._engines = engines

    def get(self, edition: str | None) -> Engine:
        """The engine of ``edition`` (the default when None or empty); a 422 for another id."""
        if not edition:
            return self._engines[self.default]
        engine = self._engines.get(edition)
        if engine is None:
            import difflib

            near = difflib.get_close_matches(edition, self.ids, n=3)
            raise ApiError(
                422,
                {
                    "error": f"edition: unknown edition {edition!r}"
                    f" (this server serves {', '.join(self.ids)})",
                    "variable": None,
                    "value": edition,
                    "suggestions": near,
                },
            )
        return engine

    def describe(self) -> list[dict[str, object]]:
        """The editions served, for the page's picker: id, title, date, and which is the default.

        Examples
        --------
        >>> Editions(others=["online-2022-01"]).describe()[1]["title"]
        'Power Platform admin page (customer engagement apps online), January 2022'
        """
        from syncscope.model.editions import EDITIONS

        known = {e.id: e for e in EDITIONS}
        out: list[dict[str, object]] = []
        for edition in self.ids:
            meta = known.get(edition)
            out.append(
                {
                    "id": edition,
                    "title": meta.title if meta else self._engines[edition].model.title,
                    "date": meta.date if meta else None,
                    "default": edition == self.default,
                }
            )
        return out
