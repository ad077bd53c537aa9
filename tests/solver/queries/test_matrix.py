"""The compact table: exact, disjoint, maximally merged, and it reproduces the seed's own table."""

from __future__ import annotations

import itertools
import re

import pytest
from syncscope.model import ConfigurationError, Level, Model, Value, parse_value
from syncscope.model.synthetic import random_model
from syncscope.solver.diagram.space import Space, compiled
from syncscope.solver.queries.brute import brute_verdicts
from syncscope.solver.queries.enumeration import configurations
from syncscope.solver.queries.matrix import ANY, Matrix, cube_cover, group_by

VALID = (Level.SUPPORTED, Level.DISCOURAGED)

# The seed says "Exchange Server 2013" for on-premises; we read it as 2013 with or
# without SP1 (online names SP1 explicitly). This is the only reading the test adds.
READING = {("on-premises", "exchange-2013"): ("exchange-2013", "exchange-2013-sp1")}

Row = tuple[str, frozenset[Value], bool, bool, tuple[Value, Value]]
"""deployment, email systems, email sync, appointments/contacts/tasks sync, (in, out)."""


def _seed_table(model: Model) -> set[Row]:
    """The rows of the seed page's table, parsed from the page text itself."""
    text = model.documents["seed"].text
    body = text[text.index("\nProtocol\n") : text.index("\n1 May be unsupported")]
    lines = [line.strip() for line in body.splitlines() if line.strip()][1:]
    deployment_var = model.variable("deployment")
    email_var = model.variable("email_system")
    sync_var = model.variable("sync_appointments_contacts_tasks")
    rows: set[Row] = set()
    i = 0
    while i < len(lines):
        deployment = parse_value(deployment_var, lines[i])
        assert isinstance(deployment, str)
        i += 1
        systems: list[Value] = []
        while re.match(r"^(•|\d+\.)\s", lines[i]):
            label = re.sub(r"^(•|\d+\.)\s+", "", lines[i])
            try:
                value = parse_value(email_var, label)
            except ConfigurationError:
                value = parse_value(email_var, label.removesuffix("1"))  # footnote marker 1
            systems.extend(READING.get((deployment, str(value)), (value,)))
            i += 1
        email, act, protocol = lines[i : i + 3]
        i += 3
        incoming, _, outgoing = protocol.partition("/")
        pair = (
            parse_value(model.variable("incoming_protocol"), incoming),
            parse_value(model.variable("outgoing_protocol"), outgoing or incoming),
        )
        rows.add(
            (
                deployment,
                frozenset(systems),
                email == "Yes",
                parse_value(sync_var, act) is True,
                pair,
            )
        )
    return rows


def _derived_table(space: Space) -> set[Row]:
    """The same rows, derived from the rules: group valid configurations by the table's keys."""
    index = space.tables.index_of
    grouped: dict[tuple[str, bool, bool, tuple[Value, Value]], set[Value]] = {}
    for row in group_by(space, {}, [index["deployment"], index["email_system"]]):
        incoming = row.values["incoming_protocol"]
        outgoing = row.values["outgoing_protocol"]
        assert len(incoming) == len(outgoing) == 1, "each table row names one protocol pair"
        shape = (
            str(row.key["deployment"]),
            row.count > 0,
            True in row.values["sync_appointments_contacts_tasks"],
            (incoming[0], outgoing[0]),
        )
        grouped.setdefault(shape, set()).add(row.key["email_system"])
    return {(d, frozenset(s), e, a, p) for (d, e, a, p), s in grouped.items()}


def test_the_rules_reproduce_the_seed_table(space: Space) -> None:
    seed = _seed_table(space.model)
    assert len(seed) == 4
    assert _derived_table(space) == seed


def test_the_seed_table_parse_reads_the_page() -> None:
    from syncscope.model import load_model

    rows = {(d, tuple(sorted(map(str, s))), e, a, p) for d, s, e, a, p in _seed_table(load_model())}
    assert (
        "online",
        ("exchange-2013-sp1", "exchange-2016", "exchange-online"),
        True,
        True,
        ("ews", "ews"),
    ) in rows
    assert (
        "on-premises",
        ("gmail", "msn", "outlook-com", "windows-live-mail", "yahoo-mail"),
        True,
        False,
        ("pop3", "smtp"),
    ) in rows


def test_the_compact_table_agrees_with_the_seed_table(space: Space) -> None:
    seed = _seed_table(space.model)
    allowed = {(d, e): (a, p) for d, systems, _, a, p in seed for e in systems}
    matrix = cube_cover(space, {})
    assert len(matrix.rows) == 7
    for row in matrix.rows:
        act = row.cells["sync_appointments_contacts_tasks"]
        pair = (row.cells["incoming_protocol"], row.cells["outgoing_protocol"])
        for deployment, email in itertools.product(
            row.cells["deployment"], row.cells["email_system"]
        ):
            seed_act, seed_pair = allowed[(str(deployment), email)]
            assert (True in act) == seed_act
            assert pair == ((seed_pair[0],), (seed_pair[1],))
    assert matrix.constant() == {"mass_email_campaigns": False, "custom_email_provider": False}


def _expand(matrix: Matrix) -> list[tuple[Value, ...]]:
    out: list[tuple[Value, ...]] = []
    for row in matrix.rows:
        out.extend(itertools.product(*(row.cells[n] for n in matrix.names)))
    return out


def _assert_exact(matrix: Matrix, expected: list[tuple[Value, ...]]) -> None:
    found = _expand(matrix)
    assert len(found) == len(set(found)), "rows overlap"
    assert set(found) == set(expected)
    assert matrix.count == len(expected) == sum(r.size for r in matrix.rows)


def _assert_merged(matrix: Matrix) -> None:
    """No two rows differ in exactly one column (else they would have been merged)."""
    cells = [tuple(r.cells[n] for n in matrix.names) for r in matrix.rows]
    for a, b in itertools.combinations(cells, 2):
        assert sum(x != y for x, y in zip(a, b, strict=True)) != 1


@pytest.mark.parametrize(
    "verdicts", [VALID, (Level.SUPPORTED,), (Level.DISCOURAGED,), (Level.UNTESTED,)]
)
def test_seed_cube_cover_is_exact(space: Space, verdicts: tuple[Level, ...]) -> None:
    matrix = cube_cover(space, {}, verdicts)
    expected = [tuple(c.values()) for c in configurations(space, {}, verdicts)]
    _assert_exact(matrix, expected)
    _assert_merged(matrix)
    for row in matrix.rows:
        for name in matrix.names:
            full = len(row.cells[name]) == len(space.model.variable(name).domain)
            assert (row.shown(name) == ANY) == full


def test_seed_cube_cover_of_unsupported_counts_right_without_overlap(space: Space) -> None:
    matrix = cube_cover(space, {}, (Level.UNSUPPORTED,))
    assert matrix.count == 44_211_520
    for a, b in itertools.combinations(matrix.rows, 2):
        assert any(not set(a.cells[n]) & set(b.cells[n]) for n in matrix.names)


def test_fixed_values_show_as_values_not_any(space: Space) -> None:
    fixed = space.encode({"deployment": "online", "email_system": "gmail"})
    matrix = cube_cover(space, fixed)
    assert dict(matrix.fixed) == {"deployment": "online", "email_system": "gmail"}
    (row,) = matrix.rows
    assert row.shown("deployment") == ("online",)
    assert row.shown("version") == ANY
    assert row.to_dict()["configurations"] == 768


def test_an_impossible_assignment_gives_an_empty_table(space: Space) -> None:
    matrix = cube_cover(space, space.encode({"deployment": "online", "email_system": "msn"}))
    assert matrix.rows == () and matrix.count == 0


@pytest.mark.parametrize(("n", "seed"), [(4, 0), (5, 1), (6, 2), (7, 3), (7, 4)])
def test_synthetic_cube_cover_matches_brute_force(n: int, seed: int) -> None:
    model = random_model(n, seed=seed, domain=(2, 3))
    space = compiled(model, use_cache=False)
    everything = list(brute_verdicts(model))
    first = model.variables[0]
    for verdicts in (VALID, (Level.UNSUPPORTED,)):
        for pinned in [{}, {first.name: first.domain[0]}]:
            matrix = cube_cover(space, space.encode(pinned), verdicts)
            expected = [
                tuple(c.values())
                for c, level in everything
                if level in verdicts and all(c[k] == v for k, v in pinned.items())
            ]
            _assert_exact(matrix, expected)
            _assert_merged(matrix)


@pytest.mark.parametrize(("n", "seed"), [(5, 0), (6, 5)])
def test_synthetic_group_by_matches_brute_force(n: int, seed: int) -> None:
    model = random_model(n, seed=seed, domain=(2, 3))
    space = compiled(model, use_cache=False)
    keys = [0, n - 1]
    names = model.names
    rows = group_by(space, {}, keys)
    expected: dict[tuple[Value, ...], dict[str, set[Value]]] = {}
    counts: dict[tuple[Value, ...], int] = {}
    for config, level in brute_verdicts(model):
        if not level.valid:
            continue
        key = tuple(config[names[k]] for k in keys)
        seen = expected.setdefault(key, {m: set() for m in names})
        for m, v in config.items():
            seen[m].add(v)
        counts[key] = counts.get(key, 0) + 1
    assert [tuple(r.key.values()) for r in rows] == sorted(
        expected,
        key=lambda k: [model.variables[i].domain.index(v) for i, v in zip(keys, k, strict=True)],
    )
    for row in rows:
        key = tuple(row.key.values())
        assert row.count == counts[key]
        for m, values in row.values.items():
            assert set(values) == expected[key][m]
