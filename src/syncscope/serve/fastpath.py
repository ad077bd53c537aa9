"""Repeated ``POST /v1/domains`` questions, answered from their rendered bytes.

The rule sets are compiled once and a ``domains`` answer depends only on the
edition and the body, so the same request always gets the same answer. The
server keeps the rendered JSON of recent answers (a bounded LRU keyed by the
exact query string and body bytes) and :class:`FastDomains`, the outermost
layer of the application, serves a repeated request from it without routing,
parsing or solving. Anything else, and every first request, goes through the
full application, so every contract, limit and error stays the same: the
layer only answers what the full path already answered with a 200 for the
same bytes.

Examples
--------
>>> cache = DomainsCache(size=2)
>>> cache.put(b"", b'{"email_system": "gmail"}', b'{"domains": {}}')
>>> cache.get(b"", b'{"email_system": "gmail"}')
b'{"domains": {}}'
>>> cache.get(b"edition=online-2022-01", b'{"email_system": "gmail"}') is None
True
>>> cache.hits, cache.misses
(1, 1)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the ASGI types only; Starlette itself is imported by the app
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CACHED_BODY_BYTES", "DomainsCache", "FastDomains"]

CACHED_BODY_BYTES = 4096
"""The largest request body whose answer is kept (the page's questions are a few hundred bytes)."""

PATH = "/v1/domains"
"""The one path this layer answers."""

_WANTED = frozenset((b"host", b"content-type", b"content-length"))


class DomainsCache:
    """Rendered ``/v1/domains`` answers (200s only), least recently used dropped.

    Only the event loop touches it: the endpoint stores an answer after the
    solver's thread returns, and :class:`FastDomains` reads it.

    Parameters
    ----------
    size : int
        The most answers kept.
    max_body : int
        The largest request body kept as a key.
    """

    def __init__(self, size: int = 4096, max_body: int = CACHED_BODY_BYTES) -> None:
        self.size = size
        self.max_body = max_body
        self.hits = 0
        """Requests answered from the cache."""
        self.misses = 0
        """Cacheable requests that the full application answered (or rejected)."""
        self._answers: OrderedDict[tuple[bytes, bytes], bytes] = OrderedDict()

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, query: bytes, body: bytes) -> bytes | None:
        """The rendered answer to ``body`` with ``query``, or None (counted as a miss)."""
        key = (query, body)
        found = self._answers.get(key)
        if found is None:
            self.misses += 1
            return None
        self._answers.move_to_end(key)
        self.hits += 1
        return found

    def clear(self) -> None:
        """Drop every answer (the counters stay)."""
        self._answers.clear()

    def put(self, query: bytes, body: bytes, answer: bytes) -> None:
        """Keep ``answer``, the rendered 200 answer to ``body`` with ``query``."""
        if len(body) > self.max_body:
            return
        self._answers[(query, body)] = answer
        self._answers.move_to_end((query, body))
        if len(self._answers) > self.size:
            self._answers.popitem(last=False)


class FastDomains:
    """ASGI layer: a repeated ``POST /v1/domains`` is answered from :class:`DomainsCache`.

    It answers only a request the full application would have answered with a
    200: an allowed ``Host``, ``application/json``, a declared length within
    the cache's key limit, and bytes already answered. Everything else goes on
    to ``app`` untouched, with the body it has read replayed.

    Parameters
    ----------
    app : ASGI application
        The full application.
    cache : DomainsCache
        Where the ``/v1/domains`` endpoint keeps its rendered answers.
    allowed_hosts : iterable of str, optional
        The exact ``Host`` names answered here (the full application checks the
        rest); every host when None.
    headers : iterable of (bytes, bytes)
        Extra response headers, as the full application adds them.
    """

    def __init__(
        self,
        app: ASGIApp,
        cache: DomainsCache,
        allowed_hosts: Iterable[str] | None,
        headers: Iterable[tuple[bytes, bytes]] = (),
    ) -> None:
        self.app = app
        self.cache = cache
        self.hosts = None if allowed_hosts is None else frozenset(h.lower() for h in allowed_hosts)
        self.headers = list(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        # The first of each header, as the full application reads them.
        found: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in _WANTED and name not in found:
                found[name] = value
        host = found.get(b"host", b"")
        media = found.get(b"content-type", b"")
        length = found.get(b"content-length", b"")
        if (
            media.split(b";")[0].strip().lower() != b"application/json"
            or not length.isdigit()
            or int(length) > self.cache.max_body
            or not self._host_ok(host)
        ):
            await self.app(scope, receive, send)
            return
        read: list[Message] = []
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            read.append(message)
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            chunks.append(chunk)
            if size > self.cache.max_body or not message.get("more_body", False):
                break
        done = message["type"] == "http.request" and not message.get("more_body", False)
        answer = self.cache.get(scope["query_string"], b"".join(chunks)) if done else None
        if answer is None:
            await self.app(scope, _replay(read, receive), send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-length", str(len(answer)).encode("latin-1")),
                    (b"content-type", b"application/json"),
                    *self.headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer})

    def _host_ok(self, host: bytes) -> bool:
        """Whether ``host`` is an allowed name, with an optional port (the rest: the full path)."""
        if self.hosts is None:
            return True
        text = host.decode("latin-1").lower()
        name, colon, port = text.rpartition(":")
        if not colon or not (port.isascii() and port.isdigit()):
            name = text
        if ":" in name and not (name.startswith("[") and name.endswith("]")):
            return False
        return name in self.hosts


def _replay(read: list[Message], receive: Receive) -> Receive:
    """``receive`` that gives the messages already read again, then the rest."""
    pending = list(read)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
