"""Repeated ``POST /v1/domains`` requests come from the rendered-answer cache, and get exactly
what the full application answers: the same bytes and headers, the same limits and errors."""

from __future__ import annotations

import asyncio
import json
import warnings
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from starlette.types import ASGIApp, Message

from syncscope.cli.serve import LOOPBACK_NAMES
from syncscope.serve.app import create_app
from syncscope.serve.fastpath import CACHED_BODY_BYTES, DomainsCache
from syncscope.serve.limits import Limits

HOSTS = [*LOOPBACK_NAMES, "[::1]"]
NEW = "online-2022-01"
GMAIL = b'{"email_system": "gmail"}'


def _client(**options: Any) -> TestClient:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TestClient(create_app(**options), base_url="http://127.0.0.1:8765")


@pytest.fixture(scope="module")
def local() -> TestClient:
    return _client(allowed_hosts=HOSTS, editions=[NEW])


def _post(
    client: TestClient, body: bytes, path: str = "/v1/domains", **headers: str
) -> tuple[int, list[tuple[str, str]], bytes]:
    reply = client.post(path, content=body, headers={"content-type": "application/json", **headers})
    kept = [(k, v) for k, v in reply.headers.multi_items() if k != "date"]
    return reply.status_code, kept, reply.content


def _cache(client: TestClient) -> DomainsCache:
    cache: DomainsCache = client.app.state.domains_cache  # type: ignore[attr-defined]
    return cache


def test_a_repeat_is_a_hit_with_the_same_bytes_and_headers(local: TestClient) -> None:
    cache = _cache(local)
    first = _post(local, GMAIL)
    hits = cache.hits
    again = _post(local, GMAIL)
    assert first[0] == 200 and again == first
    assert cache.hits == hits + 1
    assert json.loads(again[2])["domains"]["incoming_protocol"]["removed"]
    assert ("x-content-type-options", "nosniff") in again[1]


def test_the_health_check_counts_hits_and_misses(local: TestClient) -> None:
    body = b'{"deployment": "online"}'
    before = local.get("/healthz").json()["domains_cache"]
    _post(local, body)
    _post(local, body)
    after = local.get("/healthz").json()["domains_cache"]
    assert after["size"] == 4096
    assert after["misses"] == before["misses"] + 1
    assert after["hits"] == before["hits"] + 1
    assert after["entries"] == before["entries"] + 1


def test_the_key_is_the_query_string_and_the_exact_body(local: TestClient) -> None:
    _post(local, GMAIL)
    other = _post(local, GMAIL, f"/v1/domains?edition={NEW}")
    fresh = _post(_client(allowed_hosts=HOSTS, editions=[NEW]), GMAIL, f"/v1/domains?edition={NEW}")
    assert other == fresh
    assert json.loads(other[2]) != json.loads(_post(local, GMAIL)[2])  # packet inspection
    assert _post(local, GMAIL, "/v1/domains?edition=online-2022-02")[0] == 422


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"host": "rebound.example"}, 400),
        ({"host": "127.0.0.1:abc"}, 400),
        ({"host": "::1:8765"}, 400),
        ({"host": "LOCALHOST:8765"}, 200),
        ({"host": "[::1]:8765"}, 200),
        ({"content-type": "text/plain"}, 415),
        ({"content-type": "application/json; charset=utf-8"}, 200),
    ],
)
def test_a_cached_body_keeps_every_check(
    local: TestClient, headers: dict[str, str], status: int
) -> None:
    _post(local, GMAIL)
    reply = _post(local, GMAIL, **headers)
    fresh = _post(_client(allowed_hosts=HOSTS, editions=[NEW]), GMAIL, **headers)
    assert reply == fresh
    assert reply[0] == status


def test_errors_are_not_kept() -> None:
    client = _client(editions=())
    conflict = b'{"deployment": "online", "email_system": "msn"}'
    for body, status in ((conflict, 409), (b'{"mfa": "perhaps"}', 422), (b'{"mfa', 400)):
        assert _post(client, body)[0] == _post(client, body)[0] == status
    assert _cache(client).hits == 0 and len(_cache(client)) == 0


def test_a_body_over_the_limit_is_a_413_even_when_cached() -> None:
    client = _client(editions=(), limits=Limits(max_body_bytes=64))
    body = b'{"email_system": "gmail"}' + b" " * 30
    assert _post(client, body)[0] == 200
    assert _post(client, body)[0] == 200
    assert _cache(client).hits == 1
    status, _, reply = _post(client, body + b" " * 20)
    assert status == 413 and json.loads(reply)["limit"] == 64


def test_a_large_body_is_answered_by_the_full_application() -> None:
    client = _client(editions=())
    body = b'{"email_system": "gmail"}' + b" " * CACHED_BODY_BYTES
    assert _post(client, body)[0] == _post(client, body)[0] == 200
    assert _cache(client).hits == 0 and len(_cache(client)) == 0


def _call(app: ASGIApp, chunks: list[bytes], length: int) -> tuple[int, bytes]:
    """One request sent to ``app`` in ``chunks``, declaring ``length`` bytes."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/domains",
        "raw_path": b"/v1/domains",
        "root_path": "",
        "query_string": b"",
        "server": ("127.0.0.1", 8765),
        "client": ("127.0.0.1", 50000),
        "headers": [
            (b"host", b"127.0.0.1:8765"),
            (b"content-type", b"application/json"),
            (b"content-length", str(length).encode()),
        ],
    }
    pending: list[Message] = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_a_body_in_several_chunks_is_read_once_and_replayed_on_a_miss() -> None:
    app = create_app(allowed_hosts=HOSTS, editions=())
    chunks = [GMAIL[:7], GMAIL[7:15], GMAIL[15:]]
    first = _call(app, chunks, len(GMAIL))
    again = _call(app, chunks, len(GMAIL))
    assert first[0] == 200 and again == first
    assert app.state.domains_cache.hits == 1
    assert _call(app, [b'{"email_system"', b': "gmial"}'], 26)[0] == 422


def test_the_least_recently_used_answer_is_dropped() -> None:
    cache = DomainsCache(size=2)
    cache.put(b"", b"a", b"1")
    cache.put(b"", b"b", b"2")
    assert cache.get(b"", b"a") == b"1"
    cache.put(b"", b"c", b"3")
    assert cache.get(b"", b"b") is None
    assert (cache.get(b"", b"a"), cache.get(b"", b"c"), len(cache)) == (b"1", b"3", 2)
    cache.put(b"", b"x" * (cache.max_body + 1), b"4")
    assert len(cache) == 2
