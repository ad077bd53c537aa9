"""The fast paths of count, verdict and domains agree with the slow ones they stand in for."""

from __future__ import annotations

import random

import pytest
from syncscope.model import ConfigurationError, Level, Model, Value, load_model, normalize_config
from syncscope.model.editions import EDITIONS
from syncscope.model.synthetic import random_model
from syncscope.solver.diagram.live import _steps
from syncscope.solver.diagram.space import Space, compiled
from syncscope.solver.queries.check import check, verdict
from syncscope.solver.queries.counting import count_encoded, index
from syncscope.solver.queries.domains import valid_domains

import syncscope
from syncscope.api._inputs import prepare_encoded


def _models() -> list[Model]:
    models = [load_model()] + [load_model(edition=e.id) for e in EDITIONS]
    return models + [random_model(n, seed=s) for n in (4, 8, 12) for s in range(2)]


def _partials(space: Space, rng: random.Random, n: int) -> list[dict[int, int]]:
    sizes = space.tables.sizes
    out = []
    for _ in range(n):
        chosen = rng.sample(range(len(sizes)), rng.randint(0, len(sizes)))
        out.append({v: rng.randrange(sizes[v]) for v in chosen})
    return out


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.edition or m.name)
def test_the_bitmap_index_counts_what_the_diagram_counts(model: Model) -> None:
    space = compiled(model, use_cache=False)
    found = index(space)
    assert found is not None
    for fixed in _partials(space, random.Random(7), 400):
        assert found.packed(fixed) == space.diagram.count(fixed), fixed


def test_a_space_too_large_to_index_is_counted_by_the_diagram() -> None:
    space = compiled(random_model(30, seed=30), use_cache=False)
    assert index(space) is None
    for fixed in _partials(space, random.Random(3), 50):
        counts = count_encoded(space, fixed)
        expected = space.diagram.count(fixed)
        assert [counts.of(level) for level in Level] == list(expected)


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.edition or m.name)
def test_verdict_is_the_verdict_of_check(model: Model) -> None:
    space = compiled(model, use_cache=False)
    rng = random.Random(11)
    questions = _partials(space, rng, 150)
    sizes = space.tables.sizes
    questions += [{v: rng.randrange(n) for v, n in enumerate(sizes)} for _ in range(150)]
    for fixed in questions:
        config = space.tables.decode(fixed)
        assert verdict(space, fixed) is check(space, config).verdict, config


def test_public_verdict_reads_spellings_and_rejects_unknown_values() -> None:
    config = {"Deployment": "Online", "Email System": "Exchange Online", "authentication": "OAuth"}
    assert syncscope.verdict(config) is syncscope.check(config).verdict
    assert syncscope.verdict({}) is Level.SUPPORTED
    assert syncscope.verdict({"email_system": "msn", "fips_mode": True}) is Level.UNSUPPORTED
    with pytest.raises(ConfigurationError, match="unknown value") as info:
        syncscope.verdict({"email_system": "gmial"})
    assert "gmail" in info.value.suggestions
    with pytest.raises(ConfigurationError, match="true or false"):
        syncscope.verdict({"fips_mode": 1})
    assert syncscope.verdict({}, edition="online-2022-01").valid


def test_the_canonical_fast_path_encodes_like_normalising() -> None:
    space = compiled()
    rng = random.Random(5)
    for fixed in _partials(space, rng, 200):
        config = space.tables.decode(fixed)
        assert prepare_encoded(config, None) == (space, fixed)
    spelled: dict[str, object] = {"Email System": "Gmail", "fips_mode": "yes", "version": 8.2}
    expected = space.encode(normalize_config(space.model, spelled))
    assert prepare_encoded(spelled, None)[1] == expected
    # A canonical name next to an alias of the same variable is still given twice.
    with pytest.raises(ConfigurationError, match="given twice"):
        prepare_encoded({"email_system": "gmail", "Email System": "msn"}, None)
    with pytest.raises(ConfigurationError, match="unknown variable"):
        prepare_encoded({"email_system": "gmail", "colour": "red"}, None)


@pytest.mark.parametrize("model", _models()[:3], ids=lambda m: m.edition or m.name)
def test_domains_without_explanations_are_the_explained_ones_less_the_rules(model: Model) -> None:
    space = compiled(model, use_cache=False)
    rng = random.Random(13)
    asked = 0
    for fixed in _partials(space, rng, 300):
        if not space.is_valid(space.tables.decode(fixed)):
            continue
        config: dict[str, Value] = space.tables.decode(fixed)
        full = valid_domains(space, config)
        bare = valid_domains(space, config, explain=False)
        assert bare.fixed == full.fixed and list(bare.domains) == list(full.domains)
        for name, domain in full.domains.items():
            assert bare.domains[name].allowed == domain.allowed
            assert [r.value for r in bare.domains[name].removed] == [
                r.value for r in domain.removed
            ]
            assert all(r.rules == () for r in bare.domains[name].removed)
        asked += 1
    assert asked > 20


def test_public_domains_without_explanations() -> None:
    found = syncscope.domains({"Email System": "Gmail"}, explain=False)
    explained = syncscope.domains({"Email System": "Gmail"})
    assert {n: d.allowed for n, d in found.domains.items()} == {
        n: d.allowed for n, d in explained.domains.items()
    }
    assert found.to_dict()["domains"]["incoming_protocol"] == {
        "allowed": ["pop3"],
        "removed": {"ews": [], "imap": []},
    }
    with pytest.raises(syncscope.NoSolution):
        syncscope.domains({"deployment": "online", "email_system": "msn"}, explain=False)


@pytest.mark.parametrize(
    "model", [*_models()[:3], random_model(50, seed=50)], ids=lambda m: m.edition or m.name
)
def test_live_values_by_table_are_those_the_counts_give(model: Model) -> None:
    # The 50-variable model has depths too wide for the tables: they are stepped node by node.
    space = compiled(model, use_cache=False)
    diagram = space.diagram
    assert (None in _steps(diagram)) is (len(model.variables) == 50)
    valid = diagram.lane_mask(Level.valid_levels())
    for fixed in _partials(space, random.Random(17), 150)[:150]:
        if len(fixed) > 4:
            fixed = dict(list(fixed.items())[:4])
        expected = [
            sum(1 << i for i, packed in enumerate(row) if packed & valid)
            for row in diagram.value_counts(fixed)
        ]
        if not diagram.count_packed(fixed) & valid:
            expected = [0] * len(expected)
        assert diagram.live_masks(fixed, Level.valid_levels()) == expected, fixed
