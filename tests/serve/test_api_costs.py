"""GET /v1/model gives each variable's change costs from the one cost model, the same data
as `syncscope vars --format json` and `syncscope.change_costs()`."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import syncscope
from syncscope.cli import cli
from syncscope.serve.app import create_app

COST_KEYS = ("scope", "cost", "cost_reason", "changes", "pair_costs", "advice")
NEW = "online-2022-01"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield TestClient(create_app())


def _variables(client: TestClient, edition: str | None) -> dict[str, dict[str, Any]]:
    query = "" if edition is None else f"?edition={edition}"
    answer = client.get(f"/v1/model{query}")
    assert answer.status_code == 200
    return {v["name"]: v for v in answer.json()["variables"]}


@pytest.mark.parametrize("edition", [None, NEW])
def test_the_model_gives_the_costs_vars_gives(client: TestClient, edition: str | None) -> None:
    served = _variables(client, edition)
    args = ["vars", "--format", "json"] + ([] if edition is None else ["--edition", edition])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    printed = {v["name"]: v for v in json.loads(result.stdout)}
    assert list(served) == list(printed)
    for name, variable in served.items():
        assert {k: variable[k] for k in COST_KEYS} == {k: printed[name][k] for k in COST_KEYS}


@pytest.mark.parametrize("edition", [None, NEW])
def test_change_weight_is_the_cost_models_default(client: TestClient, edition: str | None) -> None:
    served = _variables(client, edition)
    costs = syncscope.change_costs(edition=edition)
    assert [c.variable for c in costs] == list(served)
    for c in costs:
        data = c.to_dict()
        variable = served[c.variable]
        assert variable["change_weight"] == variable["cost"] == data["default"]
        assert variable["scope"] == data["scope"]
        assert variable["pair_costs"] == data["pair_costs"]
        assert variable["advice"] == data["advice"]
        assert variable["changes"] == data["changes"]
    # The cost model prices pairs the vocabulary's single weight cannot say.
    email = served["email_system"]
    assert email["pair_costs"]["exchange-2013 -> exchange-2013-sp1"] < email["cost"]
    assert served["mfa"]["advice"]


def test_the_vocabulary_answer_fits_its_schema(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    vocabulary = client.get("/v1/model").json()
    validator = Draft202012Validator(
        {"$ref": "#/components/schemas/Vocabulary", "components": schema["components"]}
    )
    errors = [e.message for e in validator.iter_errors(vocabulary)]
    assert not errors, errors[:3]
    variable = schema["components"]["schemas"]["Variable"]
    assert set(COST_KEYS) | {"change_weight"} <= set(variable["required"])


def test_the_page_groups_stay_the_layout_groups(client: TestClient) -> None:
    vocabulary = client.get("/v1/model").json()
    for group in vocabulary["scopes"]:
        for name in group["variables"]:
            variable = next(v for v in vocabulary["variables"] if v["name"] == name)
            assert variable["group"] == group["id"]
