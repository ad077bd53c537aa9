"""Change weights: declared defaults, uniform, files (TOML, JSON), mappings, and clear errors."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from syncscope.model import ConfigurationError, Model
from syncscope.solver.diagram.space import compiled
from syncscope.solver.repair.weights import (
    default_weights,
    load_weights_file,
    resolve_weights,
    weight_vector,
    weights_table,
)


def test_defaults_are_the_declared_change_weights(model: Model) -> None:
    weights = resolve_weights(model)
    assert list(weights) == list(model.names)
    assert weights == {v.name: float(v.change_weight) for v in model.variables}
    assert weights == default_weights(model)
    # The rule set makes a migration cost more than flipping an option.
    assert weights["deployment"] > weights["email_system"] > weights["ports"]


def test_uniform_is_one_each(model: Model) -> None:
    assert resolve_weights(model, "uniform") == dict.fromkeys(model.names, 1.0)
    assert resolve_weights(model, " Uniform ") == dict.fromkeys(model.names, 1.0)


def test_mapping_overrides_only_what_it_names(model: Model) -> None:
    weights = resolve_weights(model, {"Email System": 3, "ports": 0.5})
    assert weights["email_system"] == 3.0
    assert weights["ports"] == 0.5
    assert weights["deployment"] == float(model.variable("deployment").change_weight)


def test_toml_file(model: Model, tmp_path: Path) -> None:
    path = tmp_path / "w.toml"
    path.write_text("deployment = 1\nemail_system = 2.5\n", encoding="utf-8")
    weights = resolve_weights(model, str(path))
    assert weights["deployment"] == 1.0
    assert weights["email_system"] == 2.5
    assert weights["version"] == float(model.variable("version").change_weight)


def test_toml_file_under_a_weights_table(model: Model, tmp_path: Path) -> None:
    path = tmp_path / "w.toml"
    path.write_text("[weights]\nmfa = 0\n", encoding="utf-8")
    assert resolve_weights(model, str(path))["mfa"] == 0.0


def test_json_file_flat_and_nested(model: Model, tmp_path: Path) -> None:
    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps({"authentication": 9}), encoding="utf-8")
    nested = tmp_path / "nested.json"
    nested.write_text(json.dumps({"weights": {"authentication": 9}}), encoding="utf-8")
    assert resolve_weights(model, str(flat))["authentication"] == 9.0
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
    with pytest.raises(ConfigurationError, match="not UTF-8"):
        binary = tmp_path / "b.json"
        binary.write_bytes(b"\xff\xfe\x00")
        load_weights_file(str(binary))


def test_mapping_errors(model: Model) -> None:
    with pytest.raises(ConfigurationError, match="weights: unknown variable 'prots'") as info:
        resolve_weights(model, {"prots": 1})
    assert info.value.suggestions == ("ports",)
    with pytest.raises(ConfigurationError, match="non-negative"):
        resolve_weights(model, {"ports": float("nan")})
    with pytest.raises(ConfigurationError, match="expected 'uniform', a file name or a mapping"):
        resolve_weights(model, 3)  # type: ignore[arg-type]


def test_repair_doc_shows_the_current_weights(model: Model) -> None:
    doc = (Path(__file__).resolve().parents[3] / "docs" / "repair.md").read_text("utf-8")
    start = doc.index("<!-- weights:start")
    body_start = doc.index("\n", start) + 1
    end = doc.index("<!-- weights:end -->")
    assert doc[body_start:end].strip() == weights_table(model), (
        "docs/repair.md is stale: paste syncscope.solver.repair.weights.weights_table(load_model())"
        " between the weights markers"
    )


def test_weight_vector_is_exact_and_in_model_order(model: Model) -> None:
    declared = weight_vector(model)
    assert declared == tuple(Fraction(v.change_weight) for v in model.variables)
    vector = weight_vector(model, {"Email System": 0.1, "profile_type": 0.2, "ports": 3})
    index = model.names.index
    assert vector[index("email_system")] + vector[index("profile_type")] == Fraction(3, 10)
    assert vector[index("ports")] == 3 and isinstance(vector[index("ports")], Fraction)
    assert vector[index("deployment")] == declared[index("deployment")]
    space = compiled()
    assert weight_vector(space, {"ports": 0.1}) == weight_vector(model, {"ports": 0.1})


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"prots": 1}, "weights: unknown variable 'prots'; did you mean 'ports'?"),
        ({"ports": -0.5}, "weights: the weight of ports must be a non-negative number, got -0.5"),
        ({"ports": "2"}, "weights: the weight of ports must be a number, got '2'"),
        ({"ports": True}, "weights: the weight of ports must be a number, got True"),
        ({"ports": float("inf")}, "the weight of ports must be a non-negative number, got inf"),
        ({"ports": 1, "Ports": 2}, "weights: ports is given twice, as 'ports' and 'Ports'"),
    ],
)
def test_weight_vector_errors(model: Model, weights: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        weight_vector(model, weights)
    assert message in str(info.value)
