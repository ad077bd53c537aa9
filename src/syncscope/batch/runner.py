"""Checking records: one output row per input row, each distinct configuration once.

The verdict, findings and fix of a configuration are memoised on its tuple of
canonical values, so an inventory of 100,000 mailboxes that share a few dozen
setups runs a few dozen checks. The memo is bounded (:data:`MEMO_LIMIT` entries;
beyond that it starts over), so memory stays flat in the rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from syncscope.model import Level, Value
from syncscope.solver.diagram.space import Space
from syncscope.solver.queries.check import check
from syncscope.solver.repair.nearest import nearest
from syncscope.solver.results import Change, Finding

from .readers import RecordStream
from .record import OK

__all__ = ["MEMO_LIMIT", "VERDICTS", "BatchRow", "Evaluator", "Outcome", "run_rows"]

MEMO_LIMIT = 1 << 17
"""The most configurations whose outcome is kept at once."""

VERDICTS = (
    "supported",
    "limited",
    "discouraged",
    "untested",
    "unsupported",
    "not-applicable",
    "error",
)
"""Every verdict a batch row can have, in report order."""

_INVALID = frozenset({"untested", "unsupported", "error"})


@dataclass(frozen=True, slots=True)
class Outcome:
    """What checking one configuration gave."""

    verdict: Level
    verdict_id: str
    """``verdict.id``, kept at hand."""
    findings: tuple[Finding, ...]
    rules: tuple[str, ...]
    """The ids of the broken rules, in model order."""
    messages: tuple[str, ...]
    """Their short messages."""
    fix: tuple[Change, ...] | None
    """The changes of the nearest valid configuration (empty when valid); None when
    fixes were not asked for or no valid configuration is reachable."""
    index: int
    """The configuration's position in the model's full space (mixed radix)."""


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One output row: the input row's number and carried-through columns, and its verdict.

    Examples
    --------
    >>> row = BatchRow(3, {"id": "m3"}, "error", None, (), (), ("row 3: blank line",), None)
    >>> row.to_dict()["messages"], row.valid
    (['row 3: blank line'], False)
    """

    row: int
    """The input row number (1-based; see :mod:`syncscope.batch.readers`)."""
    extra: Mapping[str, str]
    """Carried-through columns, unchanged, in input order."""
    verdict: str
    """A level (``supported`` ... ``unsupported``), ``error`` or ``not-applicable``."""
    configuration: Mapping[str, Value] | None
    """The canonical configuration checked; None for ``error``/``not-applicable`` rows."""
    findings: tuple[Finding, ...]
    """Every rule the configuration breaks, warnings included."""
    rules: tuple[str, ...]
    """The ids of ``findings``."""
    messages: tuple[str, ...]
    """The findings' short messages, or the error / not-applicable reason."""
    fix: tuple[Change, ...] | None
    """With fixes asked for: the nearest valid changes (empty for a valid row);
    None otherwise."""
    with_fix: bool = False
    """Whether fixes were asked for (``to_dict`` then has a ``fix`` key)."""

    @property
    def valid(self) -> bool:
        """Whether the row is ``supported`` or ``discouraged``."""
        return self.verdict in ("supported", "limited", "discouraged")

    @property
    def failed(self) -> bool:
        """Whether the row counts against exit code 0 (untested, unsupported or error)."""
        return self.verdict in _INVALID

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data: row, extra, verdict, configuration, rules, messages[, fix]."""
        out: dict[str, object] = {
            "row": self.row,
            "extra": dict(self.extra),
            "verdict": self.verdict,
            "configuration": None if self.configuration is None else dict(self.configuration),
            "rules": list(self.rules),
            "messages": list(self.messages),
        }
        if self.with_fix:
            out["fix"] = None if self.fix is None else [c.to_dict() for c in self.fix]
        return out


class Evaluator:
    """Check configurations, each distinct one once (memoised, bounded).

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> ev = Evaluator(space, fix=True)
    >>> config = dict(zip(space.tables.names, [d[0] for d in space.tables.domains]))
    >>> first, again = ev.evaluate(config), ev.evaluate(dict(config))
    >>> first is again, first.verdict.id, ev.evaluations
    (True, 'unsupported', 1)
    """

    def __init__(self, space: Space, *, fix: bool = False) -> None:
        self.space = space
        self.fix = fix
        self.evaluations = 0
        """How many checks ran (memo misses)."""
        self.seen: set[int] = set()
        """The distinct configurations met, as indices into the full space."""
        self._memo: dict[tuple[Value, ...], Outcome] = {}
        tables = space.tables
        self._index = tables.value_index
        self._sizes = tables.sizes

    def evaluate(self, config: Mapping[str, Value]) -> Outcome:
        """The outcome of a complete canonical configuration (in model order)."""
        key = tuple(config.values())
        hit = self._memo.get(key)
        if hit is None:
            hit = self._compute(config, key)
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = hit
        return hit

    def _compute(self, config: Mapping[str, Value], key: tuple[Value, ...]) -> Outcome:
        self.evaluations += 1
        index = 0
        for lookup, size, value in zip(self._index, self._sizes, key, strict=True):
            index = index * size + lookup[value]
        self.seen.add(index)
        result = check(self.space, config)
        fix: tuple[Change, ...] | None = None
        if self.fix:
            if result.valid:
                fix = ()
            else:
                near = nearest(self.space, config, top=1)
                fix = near.candidates[0].changes if near.candidates else None
        return Outcome(
            verdict=result.verdict,
            verdict_id=result.verdict.id,
            findings=result.findings,
            rules=tuple(f.rule.id for f in result.findings),
            messages=tuple(f.rule.message for f in result.findings),
            fix=fix,
            index=index,
        )


def run_rows(records: RecordStream, evaluator: Evaluator) -> Iterator[BatchRow]:
    """Turn each record into its output row, in input order."""
    fix = evaluator.fix
    evaluate = evaluator.evaluate
    for rec in records:
        if rec.status == OK and rec.config is not None:
            out = evaluate(rec.config)
            yield BatchRow(
                rec.row,
                rec.extra,
                out.verdict_id,
                rec.config,
                out.findings,
                out.rules,
                out.messages,
                out.fix,
                fix,
            )
        else:
            message = (rec.error or rec.status,)
            yield BatchRow(rec.row, rec.extra, rec.status, None, (), (), message, None, fix)
