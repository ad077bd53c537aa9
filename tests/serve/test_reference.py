"""docs/api-http.md is the OpenAPI schema the server serves, as a page; it never goes stale."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from syncscope.serve.app import create_app
from syncscope.serve.reference import default_schema, reference

PAGE = Path(__file__).parents[2] / "docs" / "api-http.md"


def test_the_page_is_generated_from_the_current_schema() -> None:
    assert PAGE.read_text(encoding="utf-8") == reference(default_schema()), (
        "docs/api-http.md is stale: python -m syncscope.serve.reference docs/api-http.md"
    )


def test_the_schema_documented_is_the_one_served() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        served = TestClient(create_app()).get("/openapi.json").json()
    assert served == default_schema()


def test_every_operation_and_schema_has_a_section_and_every_link_an_anchor() -> None:
    schema = default_schema()
    text = reference(schema)
    headings = set(re.findall(r"^### ([A-Z]+ /\S*)$", text, re.M))
    operations = {f"{m.upper()} {p}" for p, item in schema["paths"].items() for m in item}
    assert headings == operations
    anchors = set(re.findall(r"\{#([\w-]+)\}", text))
    assert anchors == {f"schema-{name.lower()}" for name in schema["components"]["schemas"]}
    assert set(re.findall(r"\]\(#([\w-]+)\)", text)) <= anchors
