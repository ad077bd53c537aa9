"""The summary of a batch run: counts by verdict, the most frequent rules, distinct setups."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from syncscope.model import Level, Model

from .runner import VERDICTS, BatchRow
from .words import counted

__all__ = ["BatchSummary", "RuleCount", "Tally", "render_summary"]


@dataclass(frozen=True, slots=True)
class RuleCount:
    """How many rows break one rule."""

    rule: str
    level: str
    count: int
    message: str
    quote: str
    """The rule's first quote."""
    quotes: tuple[str, ...] = ()
    """Every quote of the rule (the rows it encodes, for a rule from the table)."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "rule": self.rule,
            "level": self.level,
            "count": self.count,
            "message": self.message,
            "quote": self.quote,
            "quotes": list(self.quotes or (self.quote,)),
        }


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """Totals over the rows of a run (so far, while it streams)."""

    rows: int
    verdicts: Mapping[str, int]
    """Every verdict in :data:`~syncscope.batch.runner.VERDICTS` order, zeros included."""
    rules: tuple[RuleCount, ...]
    """Every broken rule with its row count, most frequent first (then by id)."""
    distinct_configurations: int
    """How many different configurations the ``ok`` rows hold."""

    @property
    def failed(self) -> int:
        """Rows that are untested, unsupported or errors."""
        return sum(self.verdicts[v] for v in ("untested", "unsupported", "error"))

    @property
    def exit_code(self) -> int:
        """0 when no row failed (not-applicable rows don't fail), else 1."""
        return 1 if self.failed else 0

    def exit_code_at(self, fail_on: Level) -> int:
        """1 when some row's verdict is ``fail_on`` or worse, or some row is an error, else 0
        (``batch --fail-on``; not-applicable rows never fail). At ``untested`` it is
        :attr:`exit_code`.

        Examples
        --------
        >>> s = BatchSummary(2, dict.fromkeys(VERDICTS, 0) | {"discouraged": 2}, (), 1)
        >>> s.exit_code, s.exit_code_at(Level.DISCOURAGED), s.exit_code_at(Level.UNTESTED)
        (0, 1, 0)
        """
        failing = [level.id for level in Level if level >= fail_on] + ["error"]
        return 1 if any(self.verdicts.get(v, 0) for v in failing) else 0

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "rows": self.rows,
            "verdicts": dict(self.verdicts),
            "rules": [r.to_dict() for r in self.rules],
            "distinct_configurations": self.distinct_configurations,
        }


class Tally:
    """Accumulates rows as they stream; :meth:`summary` takes a snapshot."""

    def __init__(self, model: Model) -> None:
        self._model = model
        self._verdicts: Counter[str] = Counter()
        self._rules: Counter[tuple[str, ...]] = Counter()
        self.rows = 0

    def add(self, row: BatchRow) -> None:
        """Count one row."""
        self.rows += 1
        self._verdicts[row.verdict] += 1
        if row.rules:
            self._rules[row.rules] += 1

    def add_counts(self, verdict: str, rules: tuple[str, ...], n: int) -> None:
        """Count ``n`` rows with verdict id ``verdict`` that break ``rules``, as ``n`` calls
        of :meth:`add` would.

        Examples
        --------
        >>> from syncscope.model import load_model
        >>> tally = Tally(load_model())
        >>> tally.add_counts("supported", (), 3)
        >>> tally.add_counts("unsupported", ("table.pop3-smtp",), 2)
        >>> summary = tally.summary(distinct=2)
        >>> summary.rows, summary.verdicts["supported"], summary.verdicts["unsupported"]
        (5, 3, 2)
        """
        self.rows += n
        self._verdicts[verdict] += n
        if rules:
            self._rules[rules] += n

    def summary(self, distinct: int) -> BatchSummary:
        """The totals so far; ``distinct`` is the number of distinct configurations."""
        per_rule: Counter[str] = Counter()
        for rules, count in self._rules.items():
            for rule_id in rules:
                per_rule[rule_id] += count
        ranked = sorted(per_rule.items(), key=lambda item: (-item[1], item[0]))
        counts = []
        for rule_id, count in ranked:
            rule = self._model.rule(rule_id)
            src = rule.source
            counts.append(
                RuleCount(rule_id, rule.level.id, count, rule.message, src.quote, src.quotes)
            )
        return BatchSummary(
            rows=self.rows,
            verdicts=MappingProxyType({v: self._verdicts.get(v, 0) for v in VERDICTS}),
            rules=tuple(counts),
            distinct_configurations=distinct,
        )


def render_summary(
    summary: BatchSummary,
    *,
    top: int = 5,
    width: int | None = None,
    mark: Callable[[str], str] | None = None,
) -> str:
    """Plain, stable text for stderr, wrapped to ``width`` columns when given.

    ``mark`` turns a verdict id into the symbol shown before each frequent rule (the
    command line's one table of verdict symbols, coloured by its rule); none without it.

    Examples
    --------
    >>> s = BatchSummary(2, dict.fromkeys(VERDICTS, 0) | {"supported": 2}, (), 1)
    >>> print(render_summary(s, width=60))
    2 rows: 2 supported, 0 limited, 0 discouraged, 0 untested,
      0 unsupported, 0 not-applicable, 0 error
    1 distinct configuration
    >>> len(render_summary(s).splitlines())
    2
    """
    counts = [f"{summary.verdicts[v]} {v}" for v in VERDICTS]
    lines = [
        *_packed(f"{counted(summary.rows, 'row')}:", counts, width),
        counted(summary.distinct_configurations, "distinct configuration"),
    ]
    if summary.rules:
        shown = summary.rules[:top]
        lines.append(f"most frequent rules ({len(shown)} of {len(summary.rules)}):")
        hang = " " * 11
        for r in shown:
            symbol = f"{mark(r.level)} " if mark is not None else ""
            head = f"  {r.count:>7}  {symbol}{r.rule} [{r.level}]: {r.message}"
            lines.extend(_wrapped(head, width, hang))
            for quote in r.quotes or (r.quote,):
                lines.extend(_wrapped(f"{hang}“{quote}”", width, hang))
    return "\n".join(lines)


def _packed(head: str, items: list[str], width: int | None) -> list[str]:
    """``head`` and ``items`` joined by commas, on lines of at most ``width``, never
    breaking an item.

    Examples
    --------
    >>> _packed("3 rows:", ["1 a", "2 b", "0 c"], 17)
    ['3 rows: 1 a, 2 b,', '  0 c']
    """
    lines = [head]
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "")
        if width is not None and len(lines[-1]) + 1 + len(piece) > width and lines[-1].strip():
            lines.append("  " + piece)
        else:
            lines[-1] += " " + piece
    return lines


def _wrapped(line: str, width: int | None, hang: str) -> list[str]:
    """``line`` as is without a width, else wrapped with its later lines at ``hang``
    (two spaces when ``hang`` is empty)."""
    if width is None or len(line) <= width:
        return [line]
    lead = line[: len(line) - len(line.lstrip(" "))]
    return textwrap.wrap(
        line.strip(),
        width,
        initial_indent=lead,
        subsequent_indent=hang or "  ",
        break_on_hyphens=False,
    )
