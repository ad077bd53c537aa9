"""``POST /v1/domains`` under hostile input: a repeated request gets, byte for byte, what the
full application answers with a cold cache, and never a 500."""

from __future__ import annotations

import json
import warnings

from hypothesis import given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from syncscope.cli.serve import LOOPBACK_NAMES
from syncscope.serve.app import create_app
from syncscope.serve.fastpath import DomainsCache

from .strategies import EXAMPLES, MODEL, NAMES, VALUES, json_documents

PAIRS = [(v.name, str(spec.id)) for v in MODEL.variables for spec in v.values]
"""Each variable with one of its own values: mostly questions with an answer."""

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    CLIENT = TestClient(
        create_app(allowed_hosts=[*LOOPBACK_NAMES, "[::1]"], editions=()),
        base_url="http://127.0.0.1:8765",
    )
CACHE: DomainsCache = CLIENT.app.state.domains_cache  # type: ignore[attr-defined]

bodies = st.one_of(
    json_documents.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.dictionaries(st.sampled_from(NAMES), st.sampled_from(VALUES), max_size=3).map(
        lambda fixed: json.dumps(fixed).encode()
    ),
    st.lists(st.sampled_from(PAIRS), max_size=2).map(lambda kv: json.dumps(dict(kv)).encode()),
    st.binary(max_size=64),
)
hosts = st.just("127.0.0.1:8765") | st.sampled_from(
    ["127.0.0.1:8765", "localhost", "LOCALHOST:1", "[::1]:80", "::1", "127.0.0.1:x", "evil.example"]
)
media = st.just("application/json") | st.sampled_from(
    ["application/json", "application/JSON; charset=utf-8", "text/plain", ""]
)
queries = st.sampled_from(["", "?edition=pre-9.0", "?edition=nope", "?edition=", "?x=1"])


def _answer(body: bytes, host: str, content_type: str, query: str) -> tuple[object, ...]:
    headers = {"host": host}
    if content_type:
        headers["content-type"] = content_type
    reply = CLIENT.post(f"/v1/domains{query}", content=body, headers=headers)
    kept = [(k, v) for k, v in reply.headers.multi_items() if k != "date"]
    return reply.status_code, kept, reply.content


@settings(max_examples=EXAMPLES, deadline=None)
@given(body=bodies, host=hosts, content_type=media, query=queries)
def test_a_repeat_gets_what_a_cold_cache_gets(
    body: bytes, host: str, content_type: str, query: str
) -> None:
    # A plain request first, so that the cache holds this body's answer when it has one.
    _answer(body, "127.0.0.1:8765", "application/json", query)
    first = _answer(body, host, content_type, query)
    again = _answer(body, host, content_type, query)
    CACHE.clear()
    cold = _answer(body, host, content_type, query)
    assert first == again == cold
    assert first[0] in (200, 400, 409, 413, 415, 422), first
