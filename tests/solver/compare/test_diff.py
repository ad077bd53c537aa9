"""diff against a brute-force comparison of both editions, on random slices and whole spaces."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from syncscope.model import Level, Value, load_model
from syncscope.model.editions import edition_ids
from syncscope.solver.compare.diff import diff_spaces, shared_values
from syncscope.solver.diagram.space import Space, compiled

IDS = edition_ids()
PAIRS = [
    *itertools.pairwise(IDS),
    ("pre-9.0", "online-2022-01"),
    ("onprem-9.x-2020-05", "pre-9.0"),
]


def _space(edition: str) -> Space:
    return compiled(load_model(edition=edition))


def _best(space: Space, config: dict[str, Value], fixed: dict[str, Value]) -> Level:
    """The best verdict over every completion of ``config`` (brute force over the rules)."""
    tables = space.tables
    free = [v for v in space.model.variables if v.name not in config and v.name not in fixed]
    best = Level.UNSUPPORTED
    for values in itertools.product(*(v.domain for v in free)):
        full = {**config, **fixed, **{v.name: x for v, x in zip(free, values, strict=True)}}
        row = [tables.value_index[i][full[n]] for i, n in enumerate(tables.names)]
        best = min(best, tables.verdict(row))
        if best is Level.SUPPORTED:
            break
    return best


def _brute(
    a: Space, b: Space, pins: dict[str, Value]
) -> tuple[Counter[tuple[Level, Level]], set[tuple[Value, ...]], set[tuple[Value, ...]]]:
    keep = [(n, (pins[n],) if n in pins else vs) for n, vs in shared_values(a.model, b.model)]
    names = [n for n, _ in keep]
    found: Counter[tuple[Level, Level]] = Counter()
    worse, better = set(), set()
    for values in itertools.product(*(vs for _, vs in keep)):
        config = dict(zip(names, values, strict=True))
        pair = (_best(a, config, {}), _best(b, config, {}))
        found[pair] += 1
        if pair[0].valid and not pair[1].valid:
            worse.add(values)
        if not pair[0].valid and pair[1].valid:
            better.add(values)
    return found, worse, better


def _rows(matrix, names) -> set[tuple[Value, ...]]:
    out = set()
    for row in matrix.rows:
        out.update(itertools.product(*(row.cells[n] for n in names)))
    return out


@pytest.mark.parametrize(("a", "b"), PAIRS, ids=[f"{a}..{b}" for a, b in PAIRS])
def test_random_slices_match_brute_force(a: str, b: str) -> None:
    sa, sb = _space(a), _space(b)
    shared = shared_values(sa.model, sb.model)
    rng = random.Random(f"{a}/{b}")
    for _ in range(6):
        free = set(rng.sample([n for n, _ in shared], k=min(4, len(shared))))
        pins = {n: rng.choice(vs) for n, vs in shared if n not in free}
        found = diff_spaces(sa, sb, pins, pins)
        counts, worse, better = _brute(sa, sb, pins)
        assert dict(found.transitions) == dict(counts)
        assert sum(counts.values()) == found.total
        assert _rows(found.became_unsupported, found.shared) == worse
        assert _rows(found.became_supported, found.shared) == better
        assert found.became_unsupported.count == len(worse)


@pytest.mark.parametrize("edition", IDS)
def test_an_edition_against_itself_is_its_own_count(edition: str) -> None:
    space = _space(edition)
    found = diff_spaces(space, space, {}, {})
    counts = space.diagram.count({})
    assert found.projected == {"a": (), "b": ()}
    assert dict(found.transitions) == {(Level(i), Level(i)): n for i, n in enumerate(counts) if n}
    assert found.changed == 0 and not found.rules
    assert found.became_supported.count == found.became_unsupported.count == 0


def test_whole_space_counts_add_up_and_marginals_match_the_projection() -> None:
    a, b = _space("pre-9.0"), _space("online-2022-01")
    found = diff_spaces(a, b, {}, {})
    # online only; 15 email systems, 3 incoming, 2 outgoing, 5 authentications, 4 profile
    # types and nine yes/no settings: version, ports, FIPS, OWA and the 2022 settings projected.
    assert sum(found.transitions.values()) == found.total == 15 * 3 * 2 * 5 * 4 * 2**9
    # Every configuration that became supported is valid under b when checked there, and
    # invalid under a at its best completion.
    row = found.became_supported.rows[0]
    config = {n: row.cells[n][0] for n in found.shared}
    assert b.diagram.best(b.encode(config)).valid
    assert not a.diagram.best(a.encode(config)).valid


def test_a_compared_variable_must_be_pinned_alike() -> None:
    a, b = _space("pre-9.0"), _space("9.x-2018-07")
    with pytest.raises(ValueError, match="pinned on both sides"):
        diff_spaces(a, b, {"email_system": "gmail"}, {"email_system": "msn"})


def test_rule_changes_carry_both_quotes() -> None:
    found = diff_spaces(_space("online-2020-10"), _space("online-2022-01"), {}, {})
    kinds = Counter(r.change for r in found.rules)
    assert kinds["added"] > 0
    for change in found.rules:
        data = change.to_dict()
        if change.change != "added":
            assert data["before"]["source"]["quote"]
        if change.change != "removed":
            assert data["after"]["source"]["quote"]
        if change.change == "changed":
            assert change.fields
