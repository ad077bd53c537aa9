"""Editions: diff of two editions and check --against, against enumerating both editions.

The baseline enumerates every shared configuration of a slice (``SLICE`` pinned), and every
completion of it under each edition, takes each side's best verdict from the rule tables,
and counts the pairs — what a diff means, by brute force. ``syncscope`` answers the same slice
(and the whole space) from the product of the two compiled diagrams; both agree on the slice.
"""

from __future__ import annotations

import itertools
import random
import statistics
import time
from collections import Counter

from harness import Report, Row, median_seconds
from syncscope.model import Level, Value, load_model
from syncscope.solver.compare.against import check_against_spaces
from syncscope.solver.compare.diff import diff_spaces, shared_values
from syncscope.solver.diagram.space import Space, compiled
from syncscope.solver.plan.cross import plan_across

SECTION = "Editions: diff and check --against"
A, B = "pre-9.0", "online-2022-01"
SLICE: dict[str, Value] = {
    "email_system": "exchange-online",
    "authentication": "server-to-server",
    "profile_type": "exchange-online",
}
QUERIES = 200
SEED = 20_220_113
PLANS = 60
"""Random pairs (a valid start under A, a valid full target under B) a cross plan is timed on."""


def _best(space: Space, config: dict[str, Value]) -> Level:
    tables = space.tables
    free = [v for v in space.model.variables if v.name not in config]
    best = Level.UNSUPPORTED
    for values in itertools.product(*(v.domain for v in free)):
        full = {**config, **{v.name: x for v, x in zip(free, values, strict=True)}}
        row = [tables.value_index[i][full[n]] for i, n in enumerate(tables.names)]
        best = min(best, tables.verdict(row))
    return best


def baseline_diff(a: Space, b: Space, pins: dict[str, Value]) -> Counter[tuple[Level, Level]]:
    """Enumerate the shared configurations and both editions' completions of each."""
    keep = [(n, (pins[n],) if n in pins else vs) for n, vs in shared_values(a.model, b.model)]
    names = [n for n, _ in keep]
    found: Counter[tuple[Level, Level]] = Counter()
    for values in itertools.product(*(vs for _, vs in keep)):
        config = dict(zip(names, values, strict=True))
        found[(_best(a, config), _best(b, config))] += 1
    return found


def run(report: Report) -> None:
    a, b = compiled(load_model(edition=A)), compiled(load_model(edition=B))
    ours = diff_spaces(a, b, SLICE, SLICE)
    t_base = median_seconds(lambda: baseline_diff(a, b, SLICE), repeat=1, min_time=0)
    assert dict(ours.transitions) == dict(baseline_diff(a, b, SLICE))
    t_slice = median_seconds(lambda: diff_spaces(a, b, SLICE, SLICE))
    pinned = ", ".join(f"{k}={v}" for k, v in SLICE.items())
    report.add(
        SECTION,
        Row(
            f"diff {A} {B}, a slice",
            t_slice,
            t_base,
            "≤ 50 ms",
            t_slice <= 0.050,
            f"{ours.total:,} shared configurations ({pinned}); equal transition counts",
        ),
    )
    whole = diff_spaces(a, b, {}, {})
    t_whole = median_seconds(lambda: diff_spaces(a, b, {}, {}))
    # The baseline's time grows with the shared configurations times their completions.
    scale = whole.total / ours.total
    report.add(
        SECTION,
        Row(
            f"diff {A} {B}, whole space",
            t_whole,
            t_base * scale,
            "≤ 50 ms",
            t_whole <= 0.050,
            f"{whole.total:,} shared configurations; baseline extrapolated ×{scale:,.0f}",
        ),
    )
    rng = random.Random(SEED)
    configs = []
    for _ in range(QUERIES):
        config = {v.name: rng.choice(v.domain) for v in a.model.variables}
        config["deployment"] = "online"
        configs.append(config)
    samples = [
        median_seconds(lambda c=c: check_against_spaces(a, b, c), repeat=3, min_time=0.005)
        for c in configs
    ]
    t_against = statistics.median(samples)
    report.add(
        SECTION,
        Row(
            f"check --edition {A} --against {B}, median",
            t_against,
            None,
            "≤ 5 ms",
            t_against <= 0.005,
            f"{QUERIES} random full configurations; slowest {max(samples) * 1e3:.1f} ms",
        ),
    )
    t_plan, slowest, steps = _cross_plans(a, b, rng)
    report.add(
        SECTION,
        Row(
            f"plan --edition {A} --to-edition {B}, median",
            t_plan,
            None,
            "≤ 100 ms",
            t_plan <= 0.100,
            f"{PLANS} random valid pairs (full targets), each planned once; slowest"
            f" {slowest * 1e3:.0f} ms; {steps} steps on average",
        ),
    )
    report.note(
        SECTION,
        "diff projects each edition's diagram onto the variables both have (the others at their"
        " best value) and walks the product of the two (docs/diff.md); the baseline enumerates"
        " the slice and every completion under each edition. A cross-edition plan is a"
        " best-first search over both editions' moves and the upgrades between them"
        " (docs/planning.md, Across editions); it has no baseline here (its optimality is checked"
        " against a brute-force layered search in tests/solver/plan/test_cross.py).",
    )


def _valid_sample(space: Space, rng: random.Random) -> dict[str, Value]:
    """A valid configuration: a random walk down the diagram through children that reach one."""
    d = space.diagram
    mask = d.lane_mask(Level.valid_levels())
    alive = [bool(bits & mask) for bits in d.below]
    node, out = d.root, []
    for _ in d.levels:
        kids = d.children[node]
        i = rng.choice([i for i, k in enumerate(kids) if alive[k]])
        out.append(i)
        node = kids[i]
    return dict(space.tables.decode(tuple(out)))


def _cross_plans(a: Space, b: Space, rng: random.Random) -> tuple[float, float, str]:
    """Median and slowest time of one cross-edition plan per random pair (diagrams built)."""
    plan_across(a, b, _valid_sample(a, rng), _valid_sample(b, rng))  # builds the move diagrams
    samples, lengths = [], []
    for _ in range(PLANS):
        start, target = _valid_sample(a, rng), _valid_sample(b, rng)
        began = time.perf_counter()
        found = plan_across(a, b, start, target)
        samples.append(time.perf_counter() - began)
        assert found.feasible, found.reason
        lengths.append(len(found.steps))
    return statistics.median(samples), max(samples), f"{statistics.mean(lengths):.1f}"
