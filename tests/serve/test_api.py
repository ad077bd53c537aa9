"""The HTTP API: each endpoint answers exactly what the CLI prints with --json, and bad input
gets a 4xx with the CLI's error data, never a 500 with a traceback."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from openapi_spec_validator import validate
from starlette.routing import Mount, Route

from syncscope.cli import cli
from syncscope.serve.app import create_app
from syncscope.serve.engine import Engine
from syncscope.serve.limits import Limits

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"
BAD_EXO = {
    "deployment": "online",
    "email_system": "Exchange Online",
    "authentication": "impersonation",
}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield TestClient(create_app(limits=Limits(max_body_bytes=4096, max_batch_rows=5)))


def cli_json(*args: str, stdin: str | None = None) -> Any:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


# ---------------------------------------------------------------- the same contracts as the CLI


@pytest.mark.parametrize(
    ("path", "command"),
    [("/v1/check", "check"), ("/v1/explain", "explain")],
)
@pytest.mark.parametrize(
    "body", [BAD_EXO, [BAD_EXO, {"email_system": "Gmail"}]], ids=["one", "many"]
)
def test_check_and_explain_match_the_cli(
    client: TestClient, path: str, command: str, body: object
) -> None:
    reply = client.post(path, json=body)
    assert reply.status_code == 200
    assert reply.json() == cli_json(command, "--json", "--config", "-", stdin=json.dumps(body))


def test_count_matches_list_count(client: TestClient) -> None:
    reply = client.post("/v1/count", json={"deployment": "online"})
    assert reply.status_code == 200
    assert reply.json() == cli_json("list", "--count", "--json", "--set", "deployment=online")


def test_domains_match_the_cli(client: TestClient) -> None:
    reply = client.post("/v1/domains", json={"email_system": "Gmail"})
    assert reply.status_code == 200
    assert reply.json() == cli_json("domains", "--json", "--set", "email_system=Gmail")
    assert reply.json()["domains"]["incoming_protocol"]["removed"]


def test_domains_without_a_valid_completion_are_a_409_with_the_conflict(
    client: TestClient,
) -> None:
    reply = client.post("/v1/domains", json={"deployment": "online", "email_system": "msn"})
    assert reply.status_code == 409
    expected = cli_json(
        "domains", "--json", "--set", "deployment=online", "--set", "email_system=msn"
    )
    assert reply.json() == expected
    assert reply.json()["conflict"]["rules"]


def test_nearest_matches_the_cli(client: TestClient) -> None:
    body = {"configuration": BAD_EXO, "keep": ["deployment"], "weights": "uniform", "top": 2}
    reply = client.post("/v1/nearest", json=body)
    assert reply.status_code == 200
    expected = cli_json(
        "nearest",
        "--json",
        "--config",
        "-",
        "--keep",
        "deployment",
        "--weights",
        "uniform",
        "--top",
        "2",
        stdin=json.dumps(BAD_EXO),
    )
    assert reply.json() == expected
    candidates = reply.json()["candidates"]
    assert candidates and all(c["configuration"]["deployment"] == "online" for c in candidates)


def test_nearest_takes_a_weights_object_but_never_a_file_name(client: TestClient) -> None:
    body = {"configuration": BAD_EXO, "weights": {"authentication": 1000}}
    reply = client.post("/v1/nearest", json=body)
    assert reply.status_code == 200
    changed = {c["variable"] for c in reply.json()["candidates"][0]["changes"]}
    assert "authentication" not in changed
    reply = client.post("/v1/nearest", json={"configuration": BAD_EXO, "weights": "/etc/passwd"})
    assert reply.status_code == 422
    assert reply.json()["suggestions"] == ["uniform"]


def test_plan_matches_the_cli_as_json_and_mermaid(client: TestClient, tmp_path: Path) -> None:
    start = example("onprem-exchange-2010.json")
    target = example("target-online.json")
    (tmp_path / "from.json").write_text(json.dumps(start), encoding="utf-8")
    (tmp_path / "to.json").write_text(json.dumps(target), encoding="utf-8")
    files = ["--from", str(tmp_path / "from.json"), "--to", str(tmp_path / "to.json")]
    reply = client.post("/v1/plan", json={"from": start, "to": target})
    assert reply.status_code == 200
    assert reply.json() == cli_json("plan", "--json", *files)
    assert reply.json()["feasible"] is True
    drawing = client.post("/v1/plan?format=mermaid", json={"from": start, "to": target})
    assert drawing.status_code == 200
    assert drawing.headers["x-plan-feasible"] == "true"
    expected = CliRunner().invoke(cli, ["plan", "--mermaid", *files]).stdout
    assert drawing.text == expected
    assert drawing.text.startswith("flowchart")


def test_batch_streams_one_row_per_input_row_as_the_cli(client: TestClient) -> None:
    inventory = (EXAMPLES / "inventory.csv").read_bytes()
    rows = inventory.decode().strip().count("\n")
    limited = create_app(limits=Limits(max_batch_rows=rows))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        local = TestClient(limited)
    for fmt in ("csv", "jsonl"):
        reply = local.post(
            f"/v1/batch?format={fmt}&fix=true&set=deployment=online",
            content=inventory,
            headers={"content-type": "text/csv"},
        )
        assert reply.status_code == 200
        result = CliRunner().invoke(
            cli,
            [
                "batch",
                str(EXAMPLES / "inventory.csv"),
                "--format",
                fmt,
                "--fix",
                "--set",
                "deployment=online",
            ],
        )
        assert reply.text == result.stdout
    lines = [json.loads(line) for line in reply.text.splitlines()]
    assert [line["row"] for line in lines] == list(range(1, rows + 1))
    assert reply.headers["content-type"] == "application/x-ndjson"


def test_batch_refuses_more_rows_than_the_limit(client: TestClient) -> None:
    body = "email_system\n" + "gmail\n" * 6
    reply = client.post("/v1/batch", content=body, headers={"content-type": "text/csv"})
    assert reply.status_code == 413
    assert reply.json()["limit"] == 5


def test_batch_errors_are_4xx(client: TestClient) -> None:
    bad_set = client.post(
        "/v1/batch?set=email_system=gmial",
        content="mfa\nno\n",
        headers={"content-type": "text/csv"},
    )
    assert bad_set.status_code == 422
    assert bad_set.json()["suggestions"] == ["gmail"]
    plain = client.post("/v1/batch", content="mfa\nno\n", headers={"content-type": "text/plain"})
    assert plain.status_code == 415
    flag = client.post("/v1/batch?fix=maybe", content="mfa\n", headers={"content-type": "text/csv"})
    assert flag.status_code == 400


# ---------------------------------------------------------------- read-only endpoints


def test_model_rules_and_health(client: TestClient) -> None:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    health = client.get("/healthz").json()
    assert health["status"] == "ok"
    assert health["digest"] == engine.model.digest
    vocabulary = client.get("/v1/model").json()
    assert [v["name"] for v in vocabulary["variables"]] == list(engine.model.names)
    grouped = [name for scope in vocabulary["scopes"] for name in scope["variables"]]
    assert sorted(grouped) == sorted(engine.model.names)
    assert vocabulary["scopes"][0]["variables"][:2] == ["deployment", "version"]
    rules = client.get("/v1/rules").json()
    assert rules == cli_json("rules", "--json")


def test_openapi_is_valid_3_1_and_describes_every_endpoint(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    validate(schema)
    routes = {
        (route.path, method.lower())
        for route in client.app.routes  # type: ignore[attr-defined]
        if isinstance(route, Route) and route.path != "/"
        for method in route.methods or ()
        if method != "HEAD"
    }
    assert not any(isinstance(r, Mount) and r.path.startswith("/v1") for r in client.app.routes)  # type: ignore[attr-defined]
    described = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert routes == described
    text = json.dumps(schema)
    for name in schema["components"]["schemas"]:
        assert f'"#/components/schemas/{name}"' in text


# ---------------------------------------------------------------- errors and limits


@pytest.mark.parametrize(
    ("path", "body", "status", "variable"),
    [
        ("/v1/check", {"email_system": "gmial"}, 422, "email_system"),
        ("/v1/check", {"emial_system": "gmail"}, 422, "emial_system"),
        ("/v1/domains", {"mfa": "perhaps"}, 422, "mfa"),
        ("/v1/count", ["not", "an", "object"], 400, None),
        ("/v1/nearest", {"configuration": BAD_EXO, "top": 0}, 422, None),
        ("/v1/nearest", {"configuration": BAD_EXO, "keeps": ["mfa"]}, 400, None),
        ("/v1/nearest", {"top": 3}, 400, None),
        ("/v1/plan", {"from": {}, "to": {"email_system": "gmial"}}, 422, "email_system"),
        ("/v1/plan", {"from": "today.json", "to": {}}, 400, None),
    ],
)
def test_bad_input_is_a_4xx_with_the_error_data(
    client: TestClient, path: str, body: object, status: int, variable: str | None
) -> None:
    reply = client.post(path, json=body)
    assert reply.status_code == status, reply.text
    data = reply.json()
    assert data["error"] and "Traceback" not in reply.text
    if status == 422:
        assert {"error", "variable", "value", "suggestions"} <= set(data)
        assert data["variable"] == variable


def test_a_configuration_error_carries_the_cli_error_data(client: TestClient) -> None:
    reply = client.post("/v1/check", json=[{"mfa": "no"}, {"email_system": "gmial"}])
    assert reply.status_code == 422
    data = reply.json()
    assert data["error"].startswith("configuration #2: unknown value 'gmial'")
    assert (data["variable"], data["value"], data["suggestions"]) == (
        "email_system",
        "gmial",
        ["gmail"],
    )


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b'{"mfa": "no"', 400),
        (b'{"mfa": "no", "mfa": "yes"}', 400),
        (b"\xff\xfe", 400),
        (b"[" * 100 + b"]" * 100, 400),
    ],
    ids=["truncated", "twice", "not-utf8", "deep"],
)
def test_malformed_bodies_are_400(client: TestClient, content: bytes, status: int) -> None:
    reply = client.post("/v1/check", content=content, headers={"content-type": "application/json"})
    assert reply.status_code == status
    assert reply.json()["error"].startswith("the body")


def test_only_json_bodies_are_read(client: TestClient) -> None:
    reply = client.post("/v1/check", content=b"{}", headers={"content-type": "text/plain"})
    assert reply.status_code == 415


def test_bodies_over_the_limit_are_413_whether_declared_or_streamed(client: TestClient) -> None:
    big = json.dumps({"email_system": "x" * 5000}).encode()
    declared = client.post("/v1/check", content=big, headers={"content-type": "application/json"})
    assert declared.status_code == 413
    assert declared.json()["limit"] == 4096

    def chunks() -> Iterator[bytes]:
        yield big[:3000]
        yield big[3000:]

    streamed = client.post(
        "/v1/check", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


def test_unknown_paths_and_methods_are_json(client: TestClient) -> None:
    assert client.get("/v1/nothing").json() == {"error": "Not Found"}
    assert client.get("/v1/check").status_code == 405


def test_an_unexpected_failure_is_a_one_line_500(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: Engine, data: object) -> object:
        raise RuntimeError("secret /srv/path detail")

    monkeypatch.setattr(Engine, "count", boom)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        local = TestClient(create_app(), raise_server_exceptions=False)
    reply = local.post("/v1/count", json={})
    assert reply.status_code == 500
    assert reply.json() == {"error": "internal error (RuntimeError); see the server log"}
    assert "\n" not in reply.text.strip() and "Traceback" not in reply.text


def test_no_cors_headers_and_a_same_origin_policy(client: TestClient) -> None:
    reply = client.post("/v1/count", json={}, headers={"origin": "http://evil.example"})
    assert "access-control-allow-origin" not in reply.headers
    page = client.get("/")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert '<script type="module" src="/static/app.js">' in page.text


def test_allowed_hosts_refuse_other_host_names() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        local = TestClient(create_app(allowed_hosts=["127.0.0.1"]), base_url="http://127.0.0.1")
    assert local.get("/healthz").status_code == 200
    assert local.get("/healthz", headers={"host": "rebound.example"}).status_code == 400


def test_static_assets_are_local_files() -> None:
    from syncscope.serve.app import STATIC

    names = {p.name for p in STATIC.iterdir()}
    assert {"index.html", "app.js", "style.css"} <= names
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text.replace("http://127.0.0.1", "") and "https://" not in text


# ---------------------------------------------------------------- editions

NEW = "online-2022-01"
"""The edition that has ``packet_inspection``; the default edition has not."""


def test_the_model_lists_the_editions_and_each_has_its_own_variables(client: TestClient) -> None:
    from syncscope.model.editions import DEFAULT_EDITION, edition_ids

    default = client.get("/v1/model").json()
    assert default["edition"] == DEFAULT_EDITION
    assert [e["id"] for e in default["editions"]] == list(edition_ids())
    assert [e["id"] for e in default["editions"] if e["default"]] == [DEFAULT_EDITION]
    newer = client.get(f"/v1/model?edition={NEW}").json()
    assert newer["edition"] == NEW
    assert "packet_inspection" in [v["name"] for v in newer["variables"]]
    assert "packet_inspection" not in [v["name"] for v in default["variables"]]
    assert client.get(f"/v1/rules?edition={NEW}").json() == cli_json(
        "--edition", NEW, "rules", "--json"
    )
    assert client.get("/healthz").json()["editions"] == list(edition_ids())


@pytest.mark.parametrize(
    ("path", "body", "command"),
    [
        ("/v1/check", {"deployment": "online", "packet_inspection": "yes"}, ["check"]),
        ("/v1/explain", {"deployment": "online", "packet_inspection": "yes"}, ["explain"]),
        ("/v1/domains", {"packet_inspection": "no"}, ["domains", "--set", "packet_inspection=no"]),
        (
            "/v1/count",
            {"packet_inspection": "no"},
            ["list", "--count", "--set", "packet_inspection=no"],
        ),
    ],
)
def test_an_edition_answers_as_the_cli_under_that_edition(
    client: TestClient, path: str, body: dict[str, Any], command: list[str]
) -> None:
    reply = client.post(f"{path}?edition={NEW}", json=body)
    assert reply.status_code == 200, reply.text
    stdin = json.dumps(body) if command[0] in ("check", "explain") else None
    extra = ["--config", "-"] if stdin else []
    assert reply.json() == cli_json("--edition", NEW, *command, "--json", *extra, stdin=stdin)
    # The default edition does not know the variable.
    assert client.post(path, json=body).status_code == 422


def test_plan_and_batch_take_the_edition(client: TestClient) -> None:
    broken = {"deployment": "online", "packet_inspection": "yes"}
    fixes = client.post(f"/v1/nearest?edition={NEW}", json={"configuration": broken, "top": 1})
    assert fixes.status_code == 200, fixes.text
    start = fixes.json()["candidates"][0]["configuration"]
    assert start["packet_inspection"] is False
    body = {"from": start, "to": {"mfa": False}}
    reply = client.post(f"/v1/plan?edition={NEW}", json=body)
    assert reply.status_code == 200, reply.text
    assert reply.json()["feasible"] is True
    # The default edition has no packet_inspection, so the same start is bad input there.
    assert client.post("/v1/plan", json=body).status_code == 422
    rows = '{"deployment": "online", "packet_inspection": "yes"}\n'
    batch = client.post(
        f"/v1/batch?edition={NEW}", content=rows, headers={"content-type": "application/x-ndjson"}
    )
    assert batch.status_code == 200
    assert json.loads(batch.text.splitlines()[0])["verdict"] == "unsupported"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/v1/model"), ("get", "/v1/rules"), ("post", "/v1/domains"), ("post", "/v1/batch")],
)
def test_an_unknown_edition_is_a_422_with_suggestions(
    client: TestClient, method: str, path: str
) -> None:
    reply = client.request(method, f"{path}?edition=online-2022-02", json={})
    assert reply.status_code == 422
    data = reply.json()
    assert data["value"] == "online-2022-02"
    assert NEW in data["suggestions"]
    assert "online-2022-02" in data["error"]


def test_every_v1_path_documents_the_edition_parameter(client: TestClient) -> None:
    from syncscope.model.editions import edition_ids

    schema = client.get("/openapi.json").json()
    for path, item in schema["paths"].items():
        for operation in item.values():
            names = [p["name"] for p in operation.get("parameters", [])]
            assert ("edition" in names) == path.startswith("/v1/"), path
            if path.startswith("/v1/"):
                edition = next(p for p in operation["parameters"] if p["name"] == "edition")
                assert edition["schema"]["enum"] == list(edition_ids())
                assert "422" in operation["responses"]


def test_a_custom_rule_set_serves_only_itself() -> None:
    from syncscope.model import load_model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        only = TestClient(create_app(load_model(edition=NEW), editions=()))
    vocabulary = only.get("/v1/model").json()
    assert [e["id"] for e in vocabulary["editions"]] == [NEW]
    assert only.post("/v1/domains", json={"packet_inspection": "no"}).status_code == 200
    assert only.post("/v1/domains?edition=pre-9.0", json={}).status_code == 422


def test_domains_answers_are_memoised_per_canonical_request() -> None:
    engine = Engine()
    first = engine.domains({"Email System": "Gmail"})
    assert engine.domains({"email_system": "gmail"}) is first
    assert engine.domains({"email_system": "yahoo-mail"}) is not first
