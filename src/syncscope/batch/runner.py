"""Checking records: one output row per input row, each distinct configuration once.

The verdict, findings and fix of a configuration are memoised on its index in
the full space, so an inventory of 100,000 mailboxes that share a few dozen
setups runs a few dozen checks, and one with 600,000 distinct setups checks each
with one set look-up per rule. The memo is bounded (:data:`MEMO_LIMIT` entries,
least recently used first out), so memory stays flat in the rows.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from syncscope.model import Level, Value
from syncscope.solver.diagram.space import Space
from syncscope.solver.diagram.tables import RuleTable, Tables
from syncscope.solver.queries.check import check
from syncscope.solver.repair.nearest import nearest
from syncscope.solver.results import Change, Finding

from .record import OK, Configuration, Record

__all__ = [
    "MEMO_LIMIT",
    "VERDICTS",
    "BatchRow",
    "Evaluator",
    "Outcome",
    "RowChecker",
    "Shared",
    "run_rows",
]

MEMO_LIMIT = 1 << 16
"""The most configurations whose outcome is kept at once (least recently used go first)."""
_BITMAP_LIMIT = 1 << 28
"""The largest full space whose distinct configurations are counted in a bitmap (32 MiB)."""

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

    A configuration's broken rules come from a few tables over value indices, each
    giving the bitmask of the rules of a group (see :func:`_rule_groups`); the
    verdict, findings, rule ids and messages are then shared by every configuration
    that breaks the same rules, so a run keeps only a few hundred of them. The
    outcome of each configuration (its fix, with ``fix``) sits in a least recently
    used memo of :data:`MEMO_LIMIT` entries, and distinct configurations are
    counted in a bitmap over the full space (a set for spaces too large for one),
    so memory stays flat in the number of rows.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> ev = Evaluator(space, fix=True)
    >>> config = dict(zip(space.tables.names, [d[0] for d in space.tables.domains]))
    >>> first, again = ev.evaluate(config), ev.evaluate(dict(config))
    >>> first is again, first.verdict.id, ev.evaluations, ev.distinct
    (True, 'unsupported', 1, 1)
    >>> first == ev.evaluate_exact(config)
    True
    """

    def __init__(self, space: Space, *, fix: bool = False) -> None:
        self.space = space
        self.fix = fix
        self.evaluations = 0
        """How many checks ran (memo misses; each row for the fast lane without fixes)."""
        self.distinct = 0
        """How many distinct configurations were met."""
        self._memo: OrderedDict[int, Outcome] = OrderedDict()
        tables = space.tables
        self._names = tables.names
        self._index = tables.value_index
        self._sizes = tables.sizes
        strides = [1] * len(self._sizes)
        for i in range(len(self._sizes) - 2, -1, -1):
            strides[i] = strides[i + 1] * self._sizes[i + 1]
        self._strides = tuple(strides)
        total = strides[0] * self._sizes[0] if self._sizes else 1
        self._bitmap: bytearray | None = (
            bytearray((total + 7) // 8) if total <= _BITMAP_LIMIT else None
        )
        self._seen: set[int] = set()
        specs = _rule_groups(tables)
        self._groups: list[_Group] = [(_picker(o), local, m) for o, local, m in specs]
        self._group_orders = [order for order, _, _ in specs]
        self._by_broken: dict[int, Shared] = {}

    def evaluate(self, config: Mapping[str, Value]) -> Outcome:
        """The outcome of a complete canonical configuration (in model order)."""
        if isinstance(config, Configuration):
            return self.outcome(config.key, config.digits, config)
        pairs = zip(self._index, self._names, strict=True)
        digits = tuple(lookup[config[n]] for lookup, n in pairs)
        key = sum(d * s for d, s in zip(digits, self._strides, strict=True))
        return self.outcome(key, digits, config)

    def outcome(
        self, key: int, digits: tuple[int, ...], config: Mapping[str, Value] | None = None
    ) -> Outcome:
        """The outcome of the configuration at ``key`` with value indices ``digits``
        (``config``, its values by name, is worked out when a fix needs it)."""
        memo = self._memo
        hit = memo.get(key)
        if hit is not None:
            memo.move_to_end(key)
            return hit
        hit = memo[key] = self._compute(config, key, digits)
        if len(memo) > MEMO_LIMIT:
            memo.popitem(last=False)  # the least recently used
        return hit

    def _count(self, key: int) -> None:
        bitmap = self._bitmap
        if bitmap is not None:
            if not bitmap[key >> 3] >> (key & 7) & 1:
                bitmap[key >> 3] |= 1 << (key & 7)
                self.distinct += 1
        elif key not in self._seen:
            self._seen.add(key)
            self.distinct += 1

    def shared(self, key: int, digits: tuple[int, ...]) -> Shared:
        """What the configuration at ``key`` (value indices ``digits``) shares with every
        one that breaks the same rules: its verdict, findings, rule ids and messages.
        Unmemoised (a few table look-ups); counts as one check, and the configuration
        as met."""
        self.meet(key)
        mask = 0
        mul = operator.mul
        for get, strides, table in self._groups:
            mask |= table[sum(map(mul, get(digits), strides))]
        shared = self._by_broken.get(mask)
        return self._shared_of(mask) if shared is None else shared

    def meet(self, key: int) -> None:
        """Count the configuration at ``key`` as met (and checked): :meth:`shared` does,
        the packed look-up of :meth:`packing` does not."""
        self.evaluations += 1
        self._count(key)

    def packing(self) -> tuple[tuple[int, ...], int, Callable[[int], Shared]]:
        """Weights ``w`` (one per variable), a width ``bits`` and ``lookup`` such that
        ``lookup(sum(digits * w))`` is :meth:`shared` of the configuration with value
        indices ``digits`` (without counting it as met): each group's table index packed
        in bits of its own, ``bits`` in all, so one sum gives them all."""
        weights = [0] * len(self._sizes)
        fields: list[tuple[int, int, list[int]]] = []
        shift = 0
        for order, (_, local, table) in zip(self._group_orders, self._groups, strict=True):
            for v, stride in zip(order, local, strict=True):
                weights[v] += stride << shift
            width = max(1, (len(table) - 1).bit_length())
            fields.append((shift, (1 << width) - 1, table))
            shift += width
        by_broken, shared_of = self._by_broken, self._shared_of

        def lookup(packed: int) -> Shared:
            mask = 0
            for at, field, table in fields:
                mask |= table[packed >> at & field]
            shared = by_broken.get(mask)
            return shared_of(mask) if shared is None else shared

        return tuple(weights), shift, lookup

    def _shared_of(self, mask: int) -> Shared:
        shared = self._by_broken.get(mask)
        if shared is None:
            broken = [k for k in range(mask.bit_length()) if mask >> k & 1]
            tables = self.space.tables.rules
            findings = tuple(Finding(tables[k].rule) for k in broken)
            verdict = max((tables[k].level for k in broken), default=Level.SUPPORTED)
            shared = Shared(
                verdict,
                verdict.id,
                findings,
                tuple(f.rule.id for f in findings),
                tuple(f.rule.message for f in findings),
            )
            self._by_broken[mask] = shared
        return shared

    def _compute(
        self, config: Mapping[str, Value] | None, key: int, digits: tuple[int, ...]
    ) -> Outcome:
        shared = self.shared(key, digits)
        verdict = shared.verdict
        fix: tuple[Change, ...] | None = None
        if self.fix and not verdict.valid:
            if config is None:
                domains = self.space.tables.domains
                pairs = enumerate(zip(self._names, digits, strict=True))
                config = {n: domains[i][d] for i, (n, d) in pairs}
            fix = self._fix(config)
        elif self.fix:
            fix = ()
        return Outcome(
            verdict, shared.verdict_id, shared.findings, shared.rules, shared.messages, fix, key
        )

    def _fix(self, config: Mapping[str, Value]) -> tuple[Change, ...] | None:
        near = nearest(self.space, dict(config), top=1)
        return near.candidates[0].changes if near.candidates else None

    def evaluate_exact(self, config: Mapping[str, Value]) -> Outcome:
        """The outcome through :func:`~syncscope.solver.queries.check.check`, unmemoised:
        the reference :meth:`evaluate` is tested against."""
        result = check(self.space, dict(config))
        fix: tuple[Change, ...] | None = None
        if self.fix:
            fix = () if result.valid else self._fix(config)
        key = 0
        values = result.configuration.values()
        for lookup, size, value in zip(self._index, self._sizes, values, strict=True):
            key = key * size + lookup[value]
        self.evaluations += 1
        self._count(key)
        return Outcome(
            result.verdict,
            result.verdict.id,
            result.findings,
            tuple(f.rule.id for f in result.findings),
            tuple(f.rule.message for f in result.findings),
            fix,
            key,
        )


@dataclass(frozen=True, slots=True, eq=False)
class Shared:
    """What every configuration that breaks the same rules shares (one object each)."""

    verdict: Level
    verdict_id: str
    findings: tuple[Finding, ...]
    rules: tuple[str, ...]
    messages: tuple[str, ...]


_GROUP_LIMIT = 1 << 12
"""The most entries in one table of a group of rules."""


_Group = tuple[Callable[[Sequence[int]], Sequence[int]], tuple[int, ...], list[int]]
"""Values of a group's variables from a configuration's digits, their strides, the table."""


def _picker(order: tuple[int, ...]) -> Callable[[Sequence[int]], Sequence[int]]:
    if len(order) >= 2:
        return operator.itemgetter(*order)
    if order:
        only = order[0]
        return lambda digits: (digits[only],)
    return lambda digits: ()


def _rule_groups(tables: Tables) -> list[tuple[tuple[int, ...], tuple[int, ...], list[int]]]:
    """Rules gathered into a few groups, each one table over its variables' values: the
    variables (in model order), their strides in the table, the table.

    A group's table maps the mixed-radix index of its variables' values to the
    bitmask of the group's rules they break (bit ``k`` for rule ``k``), so a
    configuration's broken rules are a handful of look-ups. Rules join the group
    whose table grows least, up to :data:`_GROUP_LIMIT` entries.
    """
    sizes = tables.sizes
    groups: list[tuple[set[int], list[RuleTable]]] = []

    def product(scope: set[int]) -> int:
        return math.prod(sizes[v] for v in scope)

    for table in tables.rules:
        best: tuple[int, set[int], list[RuleTable]] | None = None
        for scope, members in groups:
            grown = product(scope | set(table.scope))
            if grown <= _GROUP_LIMIT and (best is None or grown < best[0]):
                best = (grown, scope, members)
        if best is None:
            groups.append((set(table.scope), [table]))
        else:
            best[1].update(table.scope)
            best[2].append(table)
    out: list[tuple[tuple[int, ...], tuple[int, ...], list[int]]] = []
    for scope_set, members in groups:
        order = tuple(sorted(scope_set))
        local = [1] * len(order)
        for i in range(len(order) - 2, -1, -1):
            local[i] = local[i + 1] * sizes[order[i + 1]]
        where = {v: i for i, v in enumerate(order)}
        masks = []
        for combo in itertools.product(*(range(sizes[v]) for v in order)):
            mask = 0
            for t in members:
                if tuple(combo[where[v]] for v in t.scope) in t.broken:
                    mask |= 1 << t.index
            masks.append(mask)
        out.append((order, tuple(local), masks))
    return out


def run_rows(records: Iterable[Record], evaluator: Evaluator) -> Iterator[BatchRow]:
    """Turn each record into its output row, in input order."""
    return map(RowChecker(evaluator).row, records)


class RowChecker:
    """One record's output row: checked by the evaluator, a partial row as ``check`` does."""

    def __init__(self, evaluator: Evaluator) -> None:
        self._fix = evaluator.fix
        self._evaluate = evaluator.evaluate
        self._size = len(evaluator.space.tables.names)
        self._partial = _PartialRows(evaluator)

    def row(self, rec: Record) -> BatchRow:
        """The output row of ``rec``."""
        config = rec.config
        if rec.status == OK and config is not None:
            # A partial row (a plain dict; complete rows are Configurations or full dicts).
            if type(config) is dict and len(config) < self._size:
                return self._partial.row(rec.row, rec.extra, config)
            out = self._evaluate(config)
            return BatchRow(
                rec.row,
                rec.extra,
                out.verdict_id,
                config,
                out.findings,
                out.rules,
                out.messages,
                out.fix,
                self._fix,
            )
        message = (rec.error or rec.status,)
        return BatchRow(rec.row, rec.extra, rec.status, None, (), (), message, None, self._fix)


class _PartialRows:
    """Rows that leave variables unknown, checked as ``syncscope check`` checks them.

    The verdict is the best any completion reaches, the findings are the rules that
    keep every completion from a better one, and the messages end with the values
    every valid completion has. Outcomes are memoised per distinct partial row
    (bounded), apart from the complete ones; each distinct partial row counts once
    in the evaluator's ``distinct``.
    """

    def __init__(self, evaluator: Evaluator) -> None:
        self._evaluator = evaluator
        self._space = evaluator.space
        self._fix = evaluator.fix
        self._memo: dict[tuple[tuple[str, Value], ...], tuple[str, Outcome]] = {}
        self._seen: set[tuple[tuple[str, Value], ...]] = set()

    def row(self, number: int, extra: Mapping[str, str], config: dict[str, Value]) -> BatchRow:
        key = tuple(config.items())
        hit = self._memo.get(key)
        if hit is None:
            if key not in self._seen:
                self._seen.add(key)
                self._evaluator.distinct += 1
            hit = self._compute(config)
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = hit
        verdict, out = hit
        return BatchRow(
            number, extra, verdict, config, out.findings, out.rules, out.messages, out.fix,
            self._fix,
        )  # fmt: skip

    def _compute(self, config: dict[str, Value]) -> tuple[str, Outcome]:
        from syncscope.model import format_value

        result = check(self._space, config)
        messages = tuple(f.rule.message for f in result.findings)
        if result.required:
            given = ", ".join(f"{k}={format_value(v)}" for k, v in result.required.items())
            messages += (f"every valid completion has: {given}",)
        fix: tuple[Change, ...] | None = None
        if self._fix:
            if result.valid:
                fix = ()
            else:
                near = nearest(self._space, config, top=1)
                fix = near.candidates[0].changes if near.candidates else None
        out = Outcome(
            result.verdict,
            result.verdict.id,
            result.findings,
            tuple(f.rule.id for f in result.findings),
            messages,
            fix,
            -1,
        )
        return result.verdict.id, out
