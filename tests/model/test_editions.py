"""Every edition of the page: the registry, the shared vocabulary, each rule set held to the seed's
bar (verbatim quotes, complete traceability, table rows both ways, counts by brute force)."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from syncscope.model import ConfigurationError, Level, Model, fold_whitespace, load_model
from syncscope.model.editions import EDITIONS, covering, edition_ids, get_edition
from syncscope.model.traceability import Traceability, load_traceability, uncovered
from syncscope.model.vocabulary import normalize_config, parse_assignment
from syncscope.solver.diagram.space import Space, compiled
from syncscope.solver.queries.brute import brute_verdicts
from syncscope.solver.queries.check import check
from syncscope.solver.queries.counting import count

IDS = [
    "pre-9.0",
    "9.x-2018-07",
    "9.x-2019-06",
    "onprem-9.x-2020-05",
    "online-2020-10",
    "online-2022-01",
]
LATER = IDS[1:]


@pytest.fixture(scope="module", params=IDS)
def edition_model(request: pytest.FixtureRequest) -> Model:
    return load_model(edition=request.param)


def _space(model: Model) -> Space:
    return compiled(model)


def _trace(model: Model) -> Traceability:
    return load_traceability(get_edition(model.edition).traceability_path, model)


# -- the registry -------------------------------------------------------------------------------


def test_registry_holds_exactly_the_public_ids() -> None:
    assert edition_ids() == tuple(IDS)
    assert [e.date for e in EDITIONS] == sorted(e.date for e in EDITIONS)
    covers = {e.id: (e.versions, e.deployments) for e in EDITIONS}
    assert covers["pre-9.0"] == (("8.0", "8.1", "8.2"), ("online", "on-premises"))
    assert covers["9.x-2018-07"] == (("9.0", "9.1"), ("online", "on-premises"))
    assert covers["9.x-2019-06"] == (("9.0", "9.1"), ("online", "on-premises"))
    assert covers["onprem-9.x-2020-05"] == (("9.0", "9.1"), ("on-premises",))
    assert covers["online-2020-10"] == (("9.1", "9.2"), ("online",))
    assert covers["online-2022-01"] == (("9.1", "9.2"), ("online",))


def test_default_and_path_loading_still_give_the_seed() -> None:
    seed = load_model()
    assert seed.edition == "pre-9.0"
    assert load_model(edition="pre-9.0") is seed
    assert load_model(seed.file) is seed


def test_unknown_edition_suggests_the_closest() -> None:
    with pytest.raises(ConfigurationError) as info:
        load_model(edition="online-2022")
    assert "online-2022-01" in info.value.suggestions
    with pytest.raises(ConfigurationError):
        load_model(load_model().file, edition="pre-9.0")


def test_two_editions_load_side_by_side() -> None:
    old, new = load_model(edition="pre-9.0"), load_model(edition="online-2022-01")
    assert old is not new and old.digest != new.digest
    assert count(compiled(old), {}).valid == 24_512
    assert count(compiled(new), {}).limited > 0


# -- each edition's rule set ----------------------------------------------------------------------


def test_edition_loads_with_its_cover(edition_model: Model) -> None:
    edition = get_edition(edition_model.edition)
    assert edition_model.variable("version").domain == edition.versions
    assert edition_model.variable("deployment").domain == edition.deployments
    assert edition.id in edition_model.documents or edition.id == "pre-9.0"


def test_every_value_of_a_shared_variable_is_accepted(edition_model: Model) -> None:
    shared = load_model(edition="online-2022-01")
    for var in edition_model.variables:
        if var.name in ("version", "deployment"):
            continue
        if var.name in shared.names:
            assert var.domain == shared.variable(var.name).domain, var.name


def test_every_quote_is_verbatim_in_its_document(edition_model: Model) -> None:
    for rule in edition_model.rules:
        text = fold_whitespace(edition_model.documents[rule.source.document].text)
        assert rule.source.quotes[0] == rule.source.quote, rule.id
        for quote in rule.source.quotes:
            assert fold_whitespace(quote) in text, (rule.id, quote)
    for advice in edition_model.advice:
        for source in advice.sources:
            text = fold_whitespace(edition_model.documents[source.document].text)
            for quote in source.quotes:
                assert fold_whitespace(quote) in text, (advice.id, quote)


@pytest.mark.parametrize("edition_id", LATER)
def test_edition_text_is_the_shared_source_verbatim(edition_id: str) -> None:
    from pathlib import Path

    model = load_model(edition=edition_id)
    shipped = model.documents[edition_id].text
    original = Path(__file__).parents[3] / "shared" / "sources" / "editions"
    source = original / f"{get_edition(edition_id).source}.txt"
    if source.is_file():  # the shared sources sit beside the repository in the workspace
        assert shipped == source.read_text(encoding="utf-8")
    assert "Supported email service configurations" in shipped


def test_traceability_is_complete(edition_model: Model) -> None:
    trace = _trace(edition_model)
    document = trace.document
    assert uncovered(trace, edition_model.documents[document].text) == ()
    page_rules = {r.id for r in edition_model.rules if r.source.document == document}
    assert page_rules <= trace.mapped_rules()
    for entry in trace.entries:
        assert bool(entry.rules or entry.advice) != bool(entry.reason.strip()), entry.quote


def test_table_rows_both_ways(edition_model: Model) -> None:
    """Each listed (deployment, email system) admits a valid configuration; no other pair does."""
    space = _space(edition_model)
    table = edition_model.rule("table.email-system")
    untested_only = {"other-pop3-smtp"}
    for deployment in edition_model.variable("deployment").domain:
        for system in edition_model.variable("email_system").domain:
            counts = count(space, {"deployment": deployment, "email_system": system})
            listed = (deployment, system) in table.tuples
            if listed and system not in untested_only:
                assert counts.valid > 0, (deployment, system)
            elif listed:
                assert counts.valid == 0 and counts.untested > 0, (deployment, system)
            else:
                assert counts.valid == counts.untested == 0, (deployment, system)


def test_every_rule_can_be_broken_and_each_level_is_reached(edition_model: Model) -> None:
    """Each rule is broken by some configuration whose verdict is at least the rule's level."""
    space = _space(edition_model)
    for rule in edition_model.rules:
        pins = dict(next(iter(rule.when)).items()) if rule.when else {}
        fixed = {name: next(iter(values)) for name, values in pins.items()}
        if rule.kind in ("require", "forbid"):
            for name, values in rule.clause.items():
                domain = edition_model.variable(name).domain
                if rule.kind == "forbid":
                    fixed[name] = next(v for v in domain if v in values)
                else:
                    fixed.setdefault(name, next(v for v in domain if v not in values))
        else:
            domain_rows = [
                row
                for row in _rows(edition_model, rule.scope)
                if (row in rule.tuples) == (rule.kind == "forbidden")
            ]
            fixed.update(dict(zip(rule.scope, domain_rows[0], strict=True)))
        result = check(space, fixed)
        assert result.verdict >= rule.level, (rule.id, fixed, result.verdict)


def _rows(model: Model, scope: tuple[str, ...]) -> list[tuple[object, ...]]:
    import itertools

    return list(itertools.product(*(model.variable(n).domain for n in scope)))


def test_counts_agree_with_brute_force_on_slices(edition_model: Model) -> None:
    """Random slices of at most a few thousand configurations, counted both ways."""
    space = _space(edition_model)
    rng = random.Random(f"slices-{edition_model.edition}")
    for _ in range(12):
        fixed: dict[str, object] = {}
        free = 1
        for var in rng.sample(list(edition_model.variables), len(edition_model.variables)):
            if free * len(var.domain) <= 2048:
                free *= len(var.domain)
            else:
                fixed[var.name] = rng.choice(var.domain)
        tally = Counter(level for _, level in brute_verdicts(edition_model, fixed))  # type: ignore[arg-type]
        counts = count(space, fixed)  # type: ignore[arg-type]
        assert {level: counts.of(level) for level in Level} == {
            level: tally.get(level, 0) for level in Level
        }, fixed


# -- the pre-9.0 answers are unchanged -------------


def test_pre_9_0_counts_are_unchanged() -> None:
    counts = count(compiled(load_model(edition="pre-9.0")), {})
    assert (counts.supported, counts.discouraged, counts.untested, counts.valid) == (
        19_440,
        5_072,
        768,
        24_512,
    )
    assert counts.limited == 0


@pytest.mark.parametrize(
    "setting",
    [
        {"email_system": "exchange-2019"},
        {"email_system": "exchange-2010-sp3"},
        {"incoming_protocol": "imap"},
        {"profile_type": "imap-smtp"},
        {"authentication": "oauth"},
    ],
)
def test_later_values_are_unsupported_before_9_0(setting: dict[str, str]) -> None:
    counts = count(compiled(load_model()), setting)
    assert counts.valid == counts.untested == 0 and counts.unsupported > 0


# -- what the later pages say -------------


CASES = [
    ("9.x-2018-07", {"deployment": "online", "email_system": "exchange-2010-sp3"}, True),
    ("9.x-2018-07", {"deployment": "online", "email_system": "exchange-2019"}, False),
    ("9.x-2019-06", {"deployment": "online", "email_system": "exchange-2019"}, True),
    ("9.x-2019-06", {"deployment": "on-premises", "email_system": "exchange-2019"}, False),
    ("onprem-9.x-2020-05", {"email_system": "exchange-2019"}, True),
    ("online-2020-10", {"email_system": "exchange-2010-sp3"}, False),
    ("online-2020-10", {"incoming_protocol": "imap", "profile_type": "imap-smtp"}, True),
    ("online-2020-10", {"incoming_protocol": "imap", "profile_type": "pop3-smtp"}, False),
    ("9.x-2019-06", {"incoming_protocol": "imap"}, False),
    ("online-2020-10", {"email_system": "exchange-online", "same_tenant": False}, False),
    ("online-2022-01", {"email_system": "exchange-online", "same_tenant": False}, True),
    (
        "online-2022-01",
        {"same_tenant": False, "app_for_outlook": True, "email_system": "exchange-online"},
        False,
    ),
    ("online-2022-01", {"packet_inspection": True}, False),
    ("online-2022-01", {"traffic_interception": True}, False),
    ("online-2022-01", {"authentication": "oauth", "same_tenant": True}, False),
]


@pytest.mark.parametrize(("edition_id", "fixed", "valid"), CASES)
def test_what_the_pages_say(edition_id: str, fixed: dict[str, object], valid: bool) -> None:
    model = load_model(edition=edition_id)
    counts = count(compiled(model), normalize_config(model, fixed))
    assert (counts.valid > 0) == valid


def test_cross_tenant_is_limited_with_its_limitations() -> None:
    model = load_model(edition="online-2022-01")
    space = compiled(model)
    counts = count(space, {"email_system": "exchange-online", "same_tenant": False})
    assert counts.limited > 0 and counts.supported == 0
    rule = model.rule("crosstenant.limited")
    assert rule.level is Level.LIMITED and rule.level.valid
    assert "App for Outlook" in rule.message


# -- the cover and the variables an edition leaves out -------------------------------------------


def test_outside_the_cover_names_the_editions_that_cover_it() -> None:
    model = load_model(edition="online-2022-01")
    with pytest.raises(ConfigurationError) as info:
        normalize_config(model, {"version": "8.2"})
    assert "online-2022-01" in str(info.value) and "pre-9.0" in str(info.value)
    with pytest.raises(ConfigurationError) as info:
        parse_assignment(model, "deployment=on-premises")
    for other in covering("deployment", "on-premises"):
        assert other in str(info.value)
    assert info.value.variable == "deployment"


def test_a_variable_the_page_never_uses_is_not_part_of_the_edition() -> None:
    seed = load_model()
    assert "packet_inspection" in seed.absent and "packet_inspection" not in seed.names
    with pytest.raises(ConfigurationError) as info:
        normalize_config(seed, {"packet_inspection": True})
    assert "online-2022-01" in str(info.value)
