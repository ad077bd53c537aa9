"""The batch fast path against the exact one: the same bytes out, on random inventories.

The fast path reads cells through learned spelling maps, checks configurations through
grouped rule tables and writes lines from memoised fragments. The exact path parses
every cell with ``parse_value``, checks with ``check`` and writes each row as
``json.dumps(row.to_dict(), sort_keys=True)`` (JSON Lines) or through the csv cells of
every field (CSV). Random inventories mix spellings, blank cells, typos, blank lines,
quoted fields, malformed rows and odd carried-through text.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable

import pytest
from syncscope.model import format_value, load_model
from syncscope.model.safejson import escape_surrogates, replace_surrogates
from syncscope.solver.diagram.space import compiled

import syncscope
from syncscope.api.batch import check_batch
from syncscope.batch import cells as cells_module
from syncscope.batch import lane as lane_module
from syncscope.batch import runner as runner_module
from syncscope.batch import writer as writer_module
from syncscope.batch.cells import Cells
from syncscope.batch.csvio import CsvRecords
from syncscope.batch.runner import BatchRow, Evaluator
from syncscope.batch.writer import CsvWriter, JsonlWriter, csv_cell

MODEL = load_model()
NAMES = list(MODEL.names)
SET = {"same_tenant": True, "fips_mode": False}
VALID = [c for c in syncscope.configurations() if all(c[k] == v for k, v in SET.items())][::50]
ODD_TEXT = ["plain", "a,b", 'say "hi"', "tab\there", "é ü", "back\\slash", " padded ", "", "x\x01y"]


def _spellings(name: str, value: object, rng: random.Random) -> str:
    var = MODEL.variable(name)
    spec = next(s for s in var.values if s.id == value)
    options = [format_value(spec.id), spec.label, *spec.aliases]
    options += [options[0].upper(), f"  {options[0]} "]
    if var.is_bool:
        options += ["yes" if value else "no", "TRUE" if value else "FALSE"]
    return rng.choice(options)


def _csv_inventory(seed: int, rows: int) -> bytes:
    rng = random.Random(seed)
    names = [n for n in NAMES if n not in SET]  # two come from --set
    rng.shuffle(names)
    header = ["id", "note", *names]
    lines = [",".join(header)]
    for i in range(rows):
        roll = rng.random()
        config = {n: rng.choice(MODEL.variable(n).domain) for n in names}
        if rng.random() < 0.5:
            config = dict(rng.choice(VALID))
        cells = [_spellings(n, config[n], rng) for n in names]
        if roll < 0.05:
            lines.append("")  # blank line
            continue
        if roll < 0.10:
            cells[rng.randrange(len(cells))] = "nonsense"
        elif roll < 0.15:
            cells[rng.randrange(len(cells))] = ""
        elif roll < 0.18:
            cells = cells[:-1]  # a field short
        note = rng.choice(ODD_TEXT)
        fields = [f"m{i}", csv_cell(note) if "\x01" not in note else note, *cells]
        lines.append(",".join(fields))
    return ("\r\n".join(lines) + "\r\n").encode()


def _jsonl_inventory(seed: int, rows: int) -> bytes:
    rng = random.Random(seed)
    out = []
    for i in range(rows):
        config: dict[str, object] = {
            n: _spellings(n, rng.choice(MODEL.variable(n).domain), rng) for n in NAMES
        }
        roll = rng.random()
        if roll < 0.1:
            config[rng.choice(NAMES)] = rng.choice([1, 8.2, None, True, "bogus", [1]])
        extra = {"id": f"m{i}", rng.choice(["note", "owner"]): rng.choice([*ODD_TEXT, "\ud800"])}
        out.append(json.dumps(config | extra))
        if roll > 0.97:
            out.append("{not json")
    return ("\n".join(out) + "\n").encode()


def _exact_jsonl(rows: list[BatchRow]) -> str:
    return "".join(
        escape_surrogates(json.dumps(r.to_dict(), sort_keys=True, ensure_ascii=False)) + "\n"
        for r in rows
    )


def _run(
    data: bytes, fmt: str, render: Callable[[io.StringIO, list[BatchRow]], None], **kw: object
):
    run = check_batch(io.BytesIO(data), input_format=fmt, **kw)  # type: ignore[arg-type]
    rows = list(run)
    out = io.StringIO()
    render(out, rows)
    return rows, out.getvalue(), run.summary().to_dict()


@pytest.fixture
def exact(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Switch the run to the exact path: cells, checks and no memo hits."""

    def switch() -> None:
        monkeypatch.setattr(Cells, "build", Cells.build_exact)
        monkeypatch.setattr(Evaluator, "evaluate", Evaluator.evaluate_exact)

    return switch


def _jsonl(out: io.StringIO, rows: list[BatchRow]) -> None:
    w = JsonlWriter(out)
    for r in rows:
        w.write(r)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("fix", [False, True])
def test_csv_to_jsonl_fast_equals_exact(seed: int, fix: bool, exact) -> None:
    data = _csv_inventory(seed, 150 if fix else 600)
    defaults = SET | ({"deployment": "online"} if seed % 2 else {})
    fast_rows, fast, fast_summary = _run(data, "csv", _jsonl, fix=fix, defaults=defaults)
    assert fast == _exact_jsonl(fast_rows)
    exact()
    slow_rows, slow, slow_summary = _run(data, "csv", _jsonl, fix=fix, defaults=defaults)
    assert fast.encode() == slow.encode() == _exact_jsonl(slow_rows).encode()
    assert fast_summary == slow_summary
    assert len(fast_rows) == data.count(b"\r\n") - 1  # rows out == rows in
    verdicts = {r.verdict for r in fast_rows}
    assert "error" in verdicts and len(verdicts) >= 3


@pytest.mark.parametrize("seed", range(4))
def test_jsonl_to_jsonl_fast_equals_exact(seed: int, exact) -> None:
    data = _jsonl_inventory(seed, 400)
    fast_rows, fast, fast_summary = _run(data, "jsonl", _jsonl)
    assert fast == _exact_jsonl(fast_rows)
    assert "\\ud800" in fast  # a lone surrogate stays an escape
    exact()
    _, slow, slow_summary = _run(data, "jsonl", _jsonl)
    assert fast.encode() == slow.encode()
    assert fast_summary == slow_summary


def _exact_csv(
    columns: tuple[str, ...], fix: bool
) -> Callable[[io.StringIO, list[BatchRow]], None]:
    def render(out: io.StringIO, rows: list[BatchRow]) -> None:
        header = ["row", *columns, "verdict", "rules", "messages"] + (["fix"] if fix else [])
        out.write(",".join(map(csv_cell, header)) + "\n")
        for r in rows:
            cells = [str(r.row), *(r.extra.get(c, "") for c in columns), r.verdict]
            cells += ["; ".join(r.rules), " | ".join(r.messages)]
            if fix:
                cells.append(
                    "" if r.fix is None else "; ".join(map(writer_module._change_text, r.fix))
                )
            out.write(replace_surrogates(",".join(map(csv_cell, cells))) + "\n")

    return render


@pytest.mark.parametrize("seed", range(4))
def test_csv_to_csv_fast_equals_exact(seed: int, exact) -> None:
    data = _csv_inventory(seed + 10, 300)

    def fast_render(out: io.StringIO, rows: list[BatchRow]) -> None:
        w = CsvWriter(out, ("id", "note"), fix=True)
        for r in rows:
            w.write(r)

    fast_rows, fast, _ = _run(data, "csv", fast_render, fix=True, defaults=SET)
    reference = io.StringIO()
    _exact_csv(("id", "note"), True)(reference, fast_rows)
    assert fast == reference.getvalue()
    exact()
    _, slow, _ = _run(data, "csv", fast_render, fix=True, defaults=SET)
    assert fast.encode() == slow.encode()


def test_memos_stay_bounded_and_counts_stay_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner_module, "MEMO_LIMIT", 50)
    monkeypatch.setattr(cells_module, "CONFIG_LIMIT", 40)
    monkeypatch.setattr(writer_module, "_HEADS_LIMIT", 30)
    data = _csv_inventory(99, 2_000)
    run = check_batch(io.BytesIO(data), input_format="csv", defaults=SET)
    out = io.StringIO()
    w = JsonlWriter(out)
    rows = []
    for r in run:
        w.write(r)
        rows.append(r)
    assert len(run._evaluator._memo) <= 50
    assert len(w._keyed) <= 30
    distinct = {tuple(r.configuration.values()) for r in rows if r.configuration is not None}
    summary = run.summary()
    assert summary.distinct_configurations == len(distinct) > 50
    assert run.evaluations >= len(distinct)
    assert out.getvalue() == _exact_jsonl(rows)


def test_grouped_tables_agree_with_check_on_random_configurations() -> None:
    space = compiled()
    ev = Evaluator(space)
    rng = random.Random(7)
    for _ in range(3_000):
        config = {n: rng.choice(MODEL.variable(n).domain) for n in NAMES}
        assert ev.evaluate(config) == ev.evaluate_exact(config)


def _lane(
    data: bytes, csv_columns: tuple[str, ...] | None = None, **kw: object
) -> tuple[str, dict[str, object], int]:
    run = check_batch(io.BytesIO(data), input_format="csv", **kw)  # type: ignore[arg-type]
    out = io.StringIO()
    fix = bool(kw.get("fix"))
    w = JsonlWriter(out) if csv_columns is None else CsvWriter(out, csv_columns, fix=fix)
    chunks = run.write_fast(w, out)
    assert chunks is not None
    counts = list(chunks)
    assert counts == sorted(counts) and counts[-1] == run.summary().rows
    return out.getvalue(), run.summary().to_dict(), run.evaluations


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("fix", [False, True])
def test_csv_to_jsonl_lane_equals_row_by_row(
    seed: int, fix: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast lane of a whole run writes the bytes and counts of the row-by-row path,
    which the exact path is tested against above; a small memo and chunks on odd seeds."""
    data = _csv_inventory(seed + 20, 150 if fix else 800)
    defaults = SET | ({"deployment": "online"} if seed % 2 else {})
    if seed % 2:
        monkeypatch.setattr(lane_module, "CHUNK", 7)
        monkeypatch.setattr(runner_module, "MEMO_LIMIT", 3)
    lane, lane_summary, _ = _lane(data, fix=fix, defaults=defaults)
    _, slow, slow_summary = _run(data, "csv", _jsonl, fix=fix, defaults=defaults)
    assert lane.encode() == slow.encode()
    assert lane_summary == slow_summary
    assert lane.count("\n") == data.count(b"\r\n") - 1  # rows out == rows in
    assert '"verdict": "error"' in lane and '"verdict": "supported"' in lane


def test_lane_reads_every_column_order_and_odd_extra_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Columns in any order, with a default for a column-less variable, carried-through
    text that needs escaping, and the same valid configuration spelled many ways."""
    names = [n for n in NAMES if n != "mfa"]
    rng = random.Random(3)
    lines = [",".join(["note", *reversed(names), "id"])]
    for i in range(300):
        config = rng.choice(VALID)
        cells = [_spellings(n, config[n], rng) for n in reversed(names)]
        note = rng.choice([*ODD_TEXT[:1], "tab\there", "back\\slash", "é", "x\x01y", "\x7f"])
        lines.append(",".join([note, *cells, f"m{i}"]))
    data = ("\n".join(lines) + "\n").encode()
    slow_rows = []
    record_at = CsvRecords.record_at

    def counted(self: CsvRecords, row: int, number: int, line: bytes) -> object:
        slow_rows.append(row)
        return record_at(self, row, number, line)

    monkeypatch.setattr(CsvRecords, "record_at", counted)
    lane, lane_summary, _ = _lane(data, defaults={"mfa": False})
    assert 0 < len(slow_rows) < 150  # new spellings go row by row, and are learned
    monkeypatch.undo()
    _, slow, slow_summary = _run(data, "csv", _jsonl, defaults={"mfa": False})
    assert lane == slow and lane_summary == slow_summary
    assert "\\t" in lane and "\\u0001" in lane and "\\\\" in lane


def test_lane_does_not_apply_to_other_inputs_and_outputs() -> None:
    data = _jsonl_inventory(1, 20)
    run = check_batch(io.BytesIO(data), input_format="jsonl")
    assert run.write_fast(JsonlWriter(io.StringIO()), io.StringIO()) is None
    run = check_batch(io.BytesIO(_csv_inventory(1, 20)), input_format="csv", defaults=SET)
    out = io.StringIO()
    assert run.write_fast(CsvWriter(out, None, fix=False), out) is None  # other columns
    assert out.getvalue().count("\n") == 1  # only the header: nothing was read
    run = check_batch(io.BytesIO(b"id\nm1\n"), input_format="csv")  # every row an error
    assert run.write_fast(JsonlWriter(io.StringIO()), io.StringIO()) is None


def test_packed_lookups_agree_with_the_tables_and_the_head_renderer() -> None:
    """One sum of the value indices gives the rule tables' indices and the head's runs."""
    space = compiled()
    ev = Evaluator(space)
    weights, bits, lookup = ev.packing()
    writer = JsonlWriter(io.StringIO())
    layout = Cells(MODEL, [(n, MODEL.variable(n)) for n in NAMES], {}).lane().layout  # type: ignore[union-attr]
    head_weights, head_bits, head = writer.head_packing(layout)
    plain = writer.head_renderer(layout)
    rng = random.Random(11)
    for _ in range(3_000):
        digits = tuple(rng.randrange(n) for n in space.tables.sizes)
        packed = sum(d * w for d, w in zip(digits, weights, strict=True))
        assert packed < 1 << bits
        assert lookup(packed) is ev.shared(0, digits)
        text = head(sum(d * w for d, w in zip(digits, head_weights, strict=True)))
        assert text == plain(digits) and head_bits > 0
    config = dict(zip(NAMES, (d[0] for d in space.tables.domains), strict=True))
    assert ev.shared(0, (0,) * len(NAMES)).rules == ev.evaluate_exact(config).rules


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("fix", [False, True])
def test_csv_to_csv_lane_equals_row_by_row(
    seed: int, fix: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CSV out through the lane: the bytes and counts of the row-by-row CsvWriter."""
    data = _csv_inventory(seed + 40, 150 if fix else 600)
    if seed % 2:
        monkeypatch.setattr(lane_module, "CHUNK", 5)
        monkeypatch.setattr(runner_module, "MEMO_LIMIT", 3)

    def rows(out: io.StringIO, rows: list[BatchRow]) -> None:
        w = CsvWriter(out, ("id", "note"), fix=fix)
        for r in rows:
            w.write(r)

    lane, lane_summary, _ = _lane(data, ("id", "note"), fix=fix, defaults=SET)
    _, slow, slow_summary = _run(data, "csv", rows, fix=fix, defaults=SET)
    assert lane.encode() == slow.encode()
    assert lane_summary == slow_summary
    assert lane.count("\n") == data.count(b"\r\n")  # the header, and one line a row
    assert ",error," in lane and ",supported," in lane
