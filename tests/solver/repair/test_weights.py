"""Change costs: the cost table, uniform, files (TOML, JSON), mappings with pairs, clear errors."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from syncscope.model import ConfigurationError, Model, ModelError, Value
from syncscope.model.costs import costs_for, costs_path, load_costs
from syncscope.solver.diagram.space import compiled
from syncscope.solver.repair.weights import (
    Weights,
    default_weights,
    load_weights_file,
    resolve_weights,
)

from syncscope.docgen_costs import refresh, repair_doc_path


def _cost(w: Weights, model: Model, name: str, before: Value, after: Value) -> Fraction:
    v = model.names.index(name)
    domain = model.variable(name).domain
    return w.exact[v][domain.index(before)][domain.index(after)]


def test_defaults_come_from_the_cost_table(model: Model) -> None:
    weights = resolve_weights(model)
    assert weights.names == model.names
    defaults = default_weights(model)
    assert defaults == {n: weights.default(n) for n in model.names}
    # A migration costs more than flipping an option; a posture more than a mailbox move.
    assert defaults["deployment"] > defaults["email_system"] > defaults["ports"]
    for posture in ("fips_mode", "customer_key", "same_tenant", "mfa"):
        assert defaults[posture] > defaults["email_system"]


def test_pair_costs_know_the_values(model: Model) -> None:
    w = Weights.of(model)
    sp1 = _cost(w, model, "email_system", "exchange-2013", "exchange-2013-sp1")
    upgrade = _cost(w, model, "email_system", "exchange-2010", "exchange-2016")
    to_exo = _cost(w, model, "email_system", "exchange-2010", "exchange-online")
    pop_to_pop = _cost(w, model, "email_system", "other-pop3-smtp", "gmail")
    pop_to_exchange = _cost(w, model, "email_system", "gmail", "exchange-2016")
    assert sp1 < upgrade < to_exo
    assert pop_to_pop < pop_to_exchange
    # Going back down the line is no upgrade.
    assert _cost(w, model, "email_system", "exchange-2016", "exchange-2010") == to_exo
    assert _cost(w, model, "version", "8.0", "8.1") < _cost(w, model, "version", "8.2", "8.0")


def test_every_seed_variable_declares_a_scope(model: Model) -> None:
    table = costs_for(model)
    assert set(table.variables) == set(model.names)
    scopes = {n: table.scope(n) for n in model.names}
    organisation = {n for n, s in scopes.items() if s == "organisation"}
    assert organisation >= {"deployment", "version", "fips_mode", "customer_key", "same_tenant"}
    assert {n for n, s in scopes.items() if s == "profile"} == {
        "profile_type",
        "authentication",
        "autodiscover",
        "ports",
        "incoming_protocol",
        "outgoing_protocol",
    }
    assert scopes["email_system"] == "mailbox"


def test_units_are_exact_over_one_denominator(model: Model) -> None:
    w = Weights.of(model, {"Email System": 0.1, "profile_type": 0.2, "ports": 3})
    e, p = model.names.index("email_system"), model.names.index("profile_type")
    assert w.exact[e][0][1] + w.exact[p][0][1] == Fraction(3, 10)
    assert w.scale == 10 and w.units[e][0][1] == 1 and w.units[p][0][1] == 2
    assert w.real(w.units[e][0][1]) == 0.1
    assert Weights.of(compiled(), {"ports": 0.1}) == Weights.of(model, {"ports": 0.1})


def test_least_is_the_cheapest_chain(model: Model) -> None:
    w = Weights.of(model, {"email_system": {"gmail -> msn": 1, "msn -> exchange-2016": 1}})
    e = model.names.index("email_system")
    d = model.variable("email_system").domain
    g, x = d.index("gmail"), d.index("exchange-2016")
    assert w.units[e][g][x] > 2 * w.scale
    assert w.least[e][g][x] == 2 * w.scale


def test_uniform_is_one_each(model: Model) -> None:
    assert default_weights(model) != dict.fromkeys(model.names, 1.0)
    uniform = resolve_weights(model, "uniform")
    assert {n: uniform.default(n) for n in model.names} == dict.fromkeys(model.names, 1.0)
    assert resolve_weights(model, " Uniform ") == uniform
    assert _cost(uniform, model, "email_system", "exchange-2013", "exchange-2013-sp1") == 1


def test_mapping_overrides_only_what_it_names(model: Model) -> None:
    weights = resolve_weights(model, {"Email System": 3, "ports": 0.5})
    assert weights.default("email_system") == 3.0
    assert _cost(weights, model, "email_system", "exchange-2013", "exchange-2013-sp1") == 3
    assert weights.default("ports") == 0.5
    assert weights.default("deployment") == default_weights(model)["deployment"]


def test_pair_overrides(model: Model, tmp_path: Path) -> None:
    spec = {"email_system": {"Exchange 2013 -> Exchange 2013 SP1": 1, "default": 40}}
    w = resolve_weights(model, spec)
    assert _cost(w, model, "email_system", "exchange-2013", "exchange-2013-sp1") == 1
    assert _cost(w, model, "email_system", "exchange-2013-sp1", "exchange-2013") == 40
    assert _cost(w, model, "email_system", "gmail", "msn") == 40
    path = tmp_path / "w.toml"
    path.write_text(
        '[weights.email_system]\n"exchange-2013 -> exchange-2013-sp1" = 1\ndefault = 40\n',
        encoding="utf-8",
    )
    assert resolve_weights(model, str(path)) == w
    flags = resolve_weights(model, {"mfa": {"yes -> no": 2}})
    assert _cost(flags, model, "mfa", True, False) == 2


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ({"email_system": {"gmail => msn": 1}}, "expected 'default' or 'FROM -> TO'"),
        ({"email_system": {"gmial -> msn": 1}}, "email_system 'gmial -> msn'"),
        ({"email_system": {"gmail -> gmail": 1}}, "a change needs two different values"),
        ({"email_system": {"gmail -> msn": -1}}, "non-negative"),
        ({"email_system": {"default": 1e10}}, "at most 1,000,000,000"),
    ],
)
def test_pair_override_errors(model: Model, spec: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_weights(model, spec)
    assert needle in str(info.value)


def test_toml_file(model: Model, tmp_path: Path) -> None:
    path = tmp_path / "w.toml"
    path.write_text("deployment = 1\nemail_system = 2.5\n", encoding="utf-8")
    weights = resolve_weights(model, str(path))
    assert weights.default("deployment") == 1.0
    assert weights.default("email_system") == 2.5
    assert weights.default("version") == default_weights(model)["version"]


def test_toml_file_under_a_weights_table(model: Model, tmp_path: Path) -> None:
    path = tmp_path / "w.toml"
    path.write_text("[weights]\nmfa = 0\n", encoding="utf-8")
    assert resolve_weights(model, str(path)).default("mfa") == 0.0


def test_json_file_flat_and_nested(model: Model, tmp_path: Path) -> None:
    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps({"authentication": 9}), encoding="utf-8")
    nested = tmp_path / "nested.json"
    nested.write_text(json.dumps({"weights": {"authentication": 9}}), encoding="utf-8")
    assert resolve_weights(model, str(flat)).default("authentication") == 9.0
    assert resolve_weights(model, str(nested)) == resolve_weights(model, str(flat))


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"deploymnet": 1}', "unknown variable 'deploymnet'; did you mean 'deployment'"),
        ('{"ports": "cheap"}', "the weight of ports must be a number, got 'cheap'"),
        ('{"ports": true}', "the weight of ports must be a number, got True"),
        ('{"ports": -1}', "the weight of ports must be a non-negative number, got -1"),
        ('{"ports": 1, "Ports": 2}', "ports is given twice"),
        ("[1, 2]", "expected a table of variable = weight, got list"),
        ('{"weights": 3}', "'weights' must be a table"),
        ('{"weights": {"ports": 1}, "extra": 2}', "unexpected top-level key 'extra'"),
        ('{"ports": 1,', "malformed JSON at line 1"),
    ],
)
def test_json_errors_name_the_file_and_variable(
    model: Model, tmp_path: Path, content: str, needle: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        resolve_weights(model, str(path))
    assert str(path) in str(info.value)
    assert needle in str(info.value)


def test_toml_errors(model: Model, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("ports = \n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="malformed TOML"):
        resolve_weights(model, str(path))
    path.write_text("ports = -2\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"bad\.toml: the weight of ports"):
        resolve_weights(model, str(path))


def test_file_problems(model: Model, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no such weights file"):
        resolve_weights(model, str(tmp_path / "missing.json"))
    other = tmp_path / "w.yaml"
    other.write_text("ports: 1\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"'uniform' or a \.toml or \.json file"):
        resolve_weights(model, str(other))
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\x80\x81 ports")
    with pytest.raises(ConfigurationError, match="not UTF-8"):
        load_weights_file(str(binary))
    # A UTF-16 byte-order mark followed by half a character is named as broken UTF-16.
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigurationError, match="not UTF-16-LE text"):
        load_weights_file(str(binary))


def test_mapping_errors(model: Model) -> None:
    with pytest.raises(ConfigurationError, match="weights: unknown variable 'prots'") as info:
        resolve_weights(model, {"prots": 1})
    assert info.value.suggestions == ("ports",)
    with pytest.raises(ConfigurationError, match="non-negative"):
        resolve_weights(model, {"ports": float("nan")})
    with pytest.raises(ConfigurationError, match="expected 'uniform', a file name or a mapping"):
        resolve_weights(model, 3)  # type: ignore[arg-type]


def test_repair_doc_shows_the_current_costs() -> None:
    doc = repair_doc_path().read_text("utf-8")
    assert refresh(doc) == doc, "docs/repair.md is stale: run python -m syncscope.docgen_costs"


def _table(tmp_path: Path, body: str) -> Path:
    vocabulary = costs_path().parent / "vocabulary.toml"
    (tmp_path / "vocabulary.toml").write_text(vocabulary.read_text("utf-8"), encoding="utf-8")
    path = tmp_path / "costs.toml"
    path.write_text(body, encoding="utf-8")
    return path


_HEAD = '[variables.email_system]\nscope = "mailbox"\nreason = "x"\n'
_CHANGE = "[[variables.email_system.changes]]\n"


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (
            '[variables.deploymnet]\nscope = "organisation"\nreason = "x"\n',
            "variables.deploymnet: unknown variable 'deploymnet'",
        ),
        ('[variables.ports]\nscope = "tenant"\nreason = "x"\n', "scope must be one of"),
        ('[variables.ports]\nscope = "profile"\n', "variables.ports: needs a reason"),
        (
            _HEAD + _CHANGE + 'from = "gmial"\nto = "msn"\ncost = 1\nreason = "x"\n',
            "variables.email_system.changes[0].from: unknown value 'gmial'",
        ),
        (
            _HEAD
            + _CHANGE
            + 'between = ["gmail", "msn"]\ncost = 1\nreason = "x"\n'
            + _CHANGE
            + 'along = ["gmail", "msn"]\ncost = 2\nreason = "x"\n',
            "changes[1]: gmail -> msn is priced by changes[0] too",
        ),
        (
            '[variables.mfa]\nscope = "organisation"\nreason = "x"\n'
            '[variables.mfa.advice]\nmaybe = "x"\n',
            "variables.mfa.advice: unknown value 'maybe' of mfa",
        ),
        ('[variables.ports]\nscope = "profile"\nreason = "x"\ncost = -1\n', "variables.ports.cost"),
        ('[variables.ports]\nscope = "profile"\nreason = "x"\ncost = nan\n', "finite"),
        ("variables = [", "not valid TOML"),
    ],
)
def test_cost_table_errors_name_the_file_and_entry(tmp_path: Path, body: str, needle: str) -> None:
    path = _table(tmp_path, body)
    with pytest.raises(ModelError) as info:
        load_costs(path)
    assert str(path) in str(info.value)
    assert needle in str(info.value)


def test_the_builtin_cost_table_loads() -> None:
    table = load_costs()
    assert table["email_system"].changes
    assert table["mfa"].advice[False].startswith("connect with a service account")
