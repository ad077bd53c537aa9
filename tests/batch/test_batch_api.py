"""``syncscope.check_batch``: rows, summary, memoised evaluation, writers, flat memory."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc

import pytest
from syncscope.model import ConfigurationError, Level, Value
from syncscope.solver.queries.brute import brute_verdict
from syncscope.solver.repair.nearest import nearest

import syncscope
from syncscope.batch.runner import VERDICTS, BatchRow, Evaluator
from syncscope.batch.summary import BatchSummary, render_summary
from syncscope.batch.writer import CsvWriter, JsonlWriter, csv_cell

SYSTEMS = ["gmail", "yahoo-mail", "msn", "outlook-com", "exchange-online", "other-pop3-smtp"]


def inventory(n: int, systems: list[str] = SYSTEMS) -> bytes:
    lines = ["id,email_system,deployment"]
    for i in range(n):
        deployment = "online" if (i // len(systems)) % 2 else "on-premises"
        lines.append(f"mbx-{i:07d},{systems[i % len(systems)]},{deployment}")
    return ("\n".join(lines) + "\n").encode()


def test_check_batch_is_exported_and_gives_frozen_rows(full) -> None:
    run = syncscope.check_batch(io.BytesIO(inventory(4)), defaults=full)
    rows = list(run)
    assert [r.row for r in rows] == [1, 2, 3, 4]
    with pytest.raises(AttributeError):
        rows[0].verdict = "supported"  # type: ignore[misc]
    assert rows[0].to_dict()["extra"] == {"id": "mbx-0000000"}
    assert run.format == "csv" and run.extra_columns == ("id",)


def test_verdicts_and_findings_match_the_reference_semantics(full, model, space) -> None:
    rows = list(syncscope.check_batch(io.BytesIO(inventory(12)), defaults=full, fix=True))
    for row in rows:
        assert row.configuration is not None
        level = brute_verdict(model, dict(row.configuration))
        assert row.verdict == level.id
        broken = [r.id for r in model.rules if r.broken(dict(row.configuration))]
        assert list(row.rules) == broken
        assert list(row.messages) == [model.rule(r).message for r in broken]
        if level.valid:
            assert row.fix == ()
        else:
            expected = nearest(space, dict(row.configuration), top=1).candidates[0].changes
            assert row.fix == expected
            fixed = dict(row.configuration) | {c.variable: c.after for c in row.fix}
            assert brute_verdict(model, fixed).valid


def test_each_distinct_configuration_is_evaluated_once(full) -> None:
    run = syncscope.check_batch(io.BytesIO(inventory(3000)), defaults=full, fix=True)
    rows = list(run)
    assert len(rows) == 3000
    distinct = {tuple(r.configuration.values()) for r in rows if r.configuration}
    assert run.evaluations == len(distinct) == run.summary().distinct_configurations
    assert len(distinct) == len(SYSTEMS) * 2  # systems × deployments in this inventory


def test_the_summary(full, model) -> None:
    data = inventory(6) + b"\nmbx-x,gmial,online\n"
    run = syncscope.check_batch(io.BytesIO(data), defaults=full)
    rows = list(run)
    summary = run.summary()
    assert summary.rows == len(rows) == 8
    assert sum(summary.verdicts.values()) == 8
    assert summary.verdicts["error"] == 2
    counts: dict[str, int] = {}
    for row in rows:
        for rule in row.rules:
            counts[rule] = counts.get(rule, 0) + 1
    assert {r.rule: r.count for r in summary.rules} == counts
    assert [r.count for r in summary.rules] == sorted(
        (r.count for r in summary.rules), reverse=True
    )
    first = summary.rules[0]
    assert first.quote == model.rule(first.rule).source.quote
    assert summary.exit_code == 1
    assert json.loads(json.dumps(summary.to_dict()))["rows"] == 8


def test_defaults_take_any_spelling_and_bad_ones_raise(full) -> None:
    org = {k: v for k, v in full.items() if k != "deployment"}
    run = syncscope.check_batch(
        io.BytesIO(b"email_system\nGmail\n"), defaults={**org, "Deployment": "On Premises"}
    )
    with pytest.raises(ConfigurationError):
        syncscope.check_batch(io.BytesIO(b"a\n"), defaults={"deployment": "onlin"})
    rows = list(run)
    assert rows[0].configuration is not None
    assert rows[0].configuration["deployment"] == "on-premises"


def test_the_evaluator_memo_keeps_the_first_outcome(space) -> None:
    ev = Evaluator(space)
    config = dict(zip(space.tables.names, (d[0] for d in space.tables.domains), strict=True))
    first = ev.evaluate(config)
    assert ev.evaluate(dict(config)) is first and ev.evaluations == 1
    assert first.fix is None  # fixes not asked for
    assert first.verdict == Level.UNSUPPORTED


def _rows_for_writers(fix: bool, full: dict[str, Value]) -> list[BatchRow]:
    data = inventory(6) + b'\n"mbx ""q"", x",gmail,online\nmbx-n,gmail,"on\npremises"\n'
    return list(syncscope.check_batch(io.BytesIO(data), defaults=full, fix=fix))


@pytest.mark.parametrize("fix", [False, True])
def test_the_jsonl_writer_equals_sorted_json_of_to_dict(full, fix: bool) -> None:
    rows = _rows_for_writers(fix, full)
    out = io.StringIO()
    writer = JsonlWriter(out)
    for row in rows + rows:  # twice: the second pass comes from the caches
        writer.write(row)
    expected = "".join(
        json.dumps(r.to_dict(), sort_keys=True, ensure_ascii=False) + "\n" for r in rows
    )
    assert out.getvalue() == expected * 2


@pytest.mark.parametrize("fix", [False, True])
def test_the_csv_writer_round_trips_through_the_csv_module(full, fix: bool) -> None:
    rows = _rows_for_writers(fix, full)
    out = io.StringIO(newline="")
    writer = CsvWriter(out, ("id",), fix=fix)
    for row in rows:
        writer.write(row)
    parsed = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert parsed[0] == ["row", "id", "verdict", "rules", "messages"] + (["fix"] if fix else [])
    for row, cells in zip(rows, parsed[1:], strict=True):
        assert cells[:5] == [
            str(row.row),
            row.extra.get("id", ""),
            row.verdict,
            "; ".join(row.rules),
            " | ".join(row.messages),
        ]
        if fix:
            assert cells[5] == ("" if row.fix is None else "; ".join(map(str, row.fix)))


@pytest.mark.parametrize("text", ["", "a", "a,b", 'a"b', "a\nb", "a\rb", " a ", '"'])
def test_csv_cell_quotes_like_the_csv_module(text: str) -> None:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow([text, "x"])  # quotes both CR and LF
    assert out.getvalue() == csv_cell(text) + ",x\r\n"


def test_memory_stays_flat_in_the_number_of_rows(full, tmp_path) -> None:
    path = tmp_path / "inventory.csv"
    path.write_bytes(inventory(12_000))
    list(syncscope.check_batch(io.BytesIO(inventory(100)), defaults=full, fix=True))  # warm up
    early = 0
    tracemalloc.start()
    try:
        for n, _ in enumerate(syncscope.check_batch(str(path), defaults=full, fix=True), 1):
            if n == 2_000:
                early = tracemalloc.get_traced_memory()[1]  # the peak over the first rows
        late = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert early > 0
    # Ten thousand more rows, each with its own id, add less than 2 bytes a row to the
    # peak: keeping anything at all per row would show.
    assert late - early < 16 * 1024, late - early


def test_the_summary_text_counts_in_the_singular_and_the_plural() -> None:
    zero = dict.fromkeys(VERDICTS, 0)
    one = render_summary(BatchSummary(1, zero | {"error": 1}, (), 0)).splitlines()
    assert one[0].startswith("1 row: 0 supported") and one[1] == "0 distinct configurations"
    many = render_summary(BatchSummary(3, zero | {"supported": 3}, (), 1)).splitlines()
    assert many[0].startswith("3 rows: 3 supported") and many[1] == "1 distinct configuration"
