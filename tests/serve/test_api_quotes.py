"""Rule and finding sources over HTTP: ``quote`` (the first) and ``quotes`` (every row a rule
from the table encodes), as the OpenAPI schema's ``Source`` describes them."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from syncscope.model import load_model
from syncscope.model.editions import edition_ids

from syncscope.serve.app import create_app


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield TestClient(create_app())


@pytest.fixture(scope="module")
def source_schema(client: TestClient) -> dict[str, Any]:
    schema: dict[str, Any] = client.get("/openapi.json").json()["components"]["schemas"]["Source"]
    assert schema["required"] == ["document", "section", "quote", "quotes"]
    return schema


@pytest.mark.parametrize("edition", edition_ids())
def test_every_rule_source_has_its_quotes(
    client: TestClient, source_schema: dict[str, Any], edition: str
) -> None:
    model = load_model(edition=edition)
    rules = client.get(f"/v1/rules?edition={edition}").json()
    assert [r["id"] for r in rules] == [r.id for r in model.rules]
    for data in rules:
        source = data["source"]
        jsonschema.validate(source, source_schema)
        assert source["quotes"] == list(model.rule(data["id"]).source.quotes)
        assert source["quote"] == source["quotes"][0]
    pop3 = next(r for r in rules if r["id"] == "table.act-sync")["source"]["quotes"]
    assert len(pop3) == len(model.variable("deployment").domain)


def test_a_finding_carries_every_row_it_quotes(
    client: TestClient, source_schema: dict[str, Any]
) -> None:
    reply = client.post(
        "/v1/check",
        json={"deployment": "online", "email_system": "gmail", "incoming_protocol": "ews"},
    )
    assert reply.status_code == 200
    (finding,) = [f for f in reply.json()["findings"] if f["rule"] == "table.pop3-smtp"]
    jsonschema.validate(finding["source"], source_schema)
    assert len(finding["source"]["quotes"]) == 2
    assert any("(online)" in q for q in finding["source"]["quotes"])
