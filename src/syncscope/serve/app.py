"""The Starlette application: routes, body limits, error mapping and the static page.

Examples
--------
>>> from starlette.testclient import TestClient
>>> client = TestClient(create_app())
>>> client.get("/healthz").json()["status"]
'ok'
>>> reply = client.post("/v1/count", json={"email_system": "Gmail"})
>>> reply.status_code, reply.json()["valid"]
(200, 1536)
"""

from __future__ import annotations

import tempfile
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, BinaryIO, cast

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from syncscope.model import Model, safejson

from .engine import Editions, Engine
from .errors import ApiError, bad_request, parse_json
from .fastpath import DomainsCache, FastDomains
from .limits import Limits
from .openapi import openapi_schema

__all__ = ["STATIC", "create_app"]

STATIC = Path(__file__).parent / "static"
"""The page's files: plain HTML, CSS and JavaScript modules, served as they are."""

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    ),
]

_JSON_TYPES = ("application/json",)
_BATCH_TYPES = {
    "text/csv": "csv",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
    "application/json": None,
    "application/octet-stream": None,
}
_RENDERED = 4096
"""Rendered ``/v1/domains`` answers kept, least recently used dropped."""
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class _Json(JSONResponse):
    """JSON with sorted keys that is always valid UTF-8, as the CLI prints it."""

    def render(self, content: Any) -> bytes:
        text = safejson.dumps(content, ensure_ascii=False, allow_nan=False, sort_keys=True)
        return text.encode("utf-8")


class _SecurityHeaders:
    """Adds no-sniff, no-referrer and a same-origin-only content security policy to replies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _too_large(limit: int, what: str = "the body") -> ApiError:
    return ApiError(413, {"error": f"{what} is larger than {limit:,} bytes", "limit": limit})


def _declared_length(request: Request, limit: int, what: str) -> None:
    length = request.headers.get("content-length")
    if length is None:
        return
    if not length.isdigit():
        raise bad_request("the Content-Length header is not a number")
    if int(length) > limit:
        raise _too_large(limit, what)


async def _raw_json_body(request: Request, limit: int) -> bytes:
    """The body's bytes, at most ``limit`` of them, sent as ``application/json``."""
    if _media_type(request) not in _JSON_TYPES:
        raise ApiError(415, {"error": "send the body as application/json"})
    _declared_length(request, limit, "the body")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def _json_body(request: Request, limit: int) -> Any:
    """The parsed JSON body, at most ``limit`` bytes, sent as ``application/json``."""
    return parse_json(await _raw_json_body(request, limit))


def _flag(request: Request, name: str) -> bool:
    text = request.query_params.get(name, "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise bad_request(f"{name}: expected true or false, got {text!r}")


def _version() -> str:
    try:
        return version("syncscope")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def create_app(
    model: Model | None = None,
    *,
    limits: Limits | None = None,
    allowed_hosts: list[str] | None = None,
    editions: Sequence[str] | None = None,
) -> Starlette:
    """Build the application: the model is compiled here, once, and shared by every request.

    Parameters
    ----------
    model : Model, optional
        A rule set from :func:`syncscope.load_model`; the built-in seed by default.
    limits : Limits, optional
        Body and batch limits; :class:`~syncscope.serve.limits.Limits` defaults.
    allowed_hosts : list of str, optional
        The ``Host`` names to answer (others get a 400), which stops DNS
        rebinding against a server on localhost; every host when None.
    editions : sequence of str, optional
        The built-in editions served beside ``model``, picked per request with
        ``?edition=ID``; every edition when None, none when empty.

    Returns
    -------
    Starlette
        An ASGI application; CORS is off (no cross-origin headers are sent).
    """
    limits = limits or Limits()
    served = Editions(model, editions)
    engine = served.get(None)
    schema = openapi_schema(engine.model, limits, served.ids)

    # Rendered domains answers, by the identity of the memoised answer (kept alive here).
    rendered: OrderedDict[int, tuple[object, bytes]] = OrderedDict()
    # And by the exact request (query string and body), for FastDomains to answer repeats.
    cache = DomainsCache(_RENDERED)

    def render_domains(answer: dict[str, object]) -> bytes:
        found = rendered.get(id(answer))
        if found is not None and found[0] is answer:
            rendered.move_to_end(id(answer))
            return found[1]
        body = bytes(_Json(answer).body)
        rendered[id(answer)] = (answer, body)
        if len(rendered) > _RENDERED:
            rendered.popitem(last=False)
        return body

    async def domains(request: Request) -> Response:
        # A memoised answer is served on the event loop; only a miss needs a worker thread.
        chosen = pick(request)
        raw = await _raw_json_body(request, limits.max_body_bytes)
        data = parse_json(raw)
        answer = chosen.domains_memoised(data)
        if answer is None:
            answer = await run_in_threadpool(chosen.domains, data)
        body = render_domains(answer)
        cache.put(request.scope["query_string"], raw, body)
        return Response(body, media_type="application/json")

    def pick(request: Request) -> Engine:
        return served.get(request.query_params.get("edition"))

    def answer(
        compute: Callable[[Engine, Any], Any], status: int = 200
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            chosen = pick(request)
            data = await _json_body(request, limits.max_body_bytes)
            return _Json(await run_in_threadpool(compute, chosen, data), status_code=status)

        return endpoint

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    async def healthz(request: Request) -> Response:
        m = engine.model
        return _Json(
            {
                "status": "ok",
                "version": _version(),
                "model": m.name,
                "digest": m.digest,
                "editions": list(served.ids),
                "domains_cache": {
                    "entries": len(cache),
                    "size": cache.size,
                    "hits": cache.hits,
                    "misses": cache.misses,
                },
            }
        )

    async def openapi(request: Request) -> Response:
        return _Json(schema)

    async def model_vocabulary(request: Request) -> Response:
        chosen = pick(request)
        return _Json({**chosen.vocabulary(), "editions": served.describe()})

    async def rules(request: Request) -> Response:
        return _Json(await run_in_threadpool(pick(request).rules))

    async def plan(request: Request) -> Response:
        fmt = request.query_params.get("format", "json")
        if fmt not in ("json", "mermaid"):
            raise bad_request(f"format: expected json or mermaid, got {fmt!r}")
        chosen = pick(request)
        data = await _json_body(request, limits.max_body_bytes)
        if fmt == "mermaid":
            text, feasible = await run_in_threadpool(chosen.plan_mermaid, data)
            return PlainTextResponse(
                text + "\n", headers={"x-plan-feasible": "true" if feasible else "false"}
            )
        return _Json(await run_in_threadpool(chosen.plan, data))

    async def batch(request: Request) -> Response:
        chosen = pick(request)
        media = _media_type(request)
        if media not in _BATCH_TYPES:
            raise ApiError(415, {"error": "send the inventory as text/csv or application/x-ndjson"})
        input_format = request.query_params.get("input_format") or _BATCH_TYPES[media]
        out_format = request.query_params.get("format")
        sets = request.query_params.getlist("set")
        fix = _flag(request, "fix")
        _declared_length(request, limits.max_batch_bytes, "the inventory")
        spool = cast(BinaryIO, tempfile.SpooledTemporaryFile(max_size=1 << 20))  # noqa: SIM115
        try:
            size = 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > limits.max_batch_bytes:
                    raise _too_large(limits.max_batch_bytes, "the inventory")
                spool.write(chunk)
            spool.seek(0)
            stream = await run_in_threadpool(
                chosen.batch,
                spool,
                input_format=input_format,
                sets=sets,
                fix=fix,
                out_format=out_format,
                max_rows=limits.max_batch_rows,
            )
        except BaseException:
            spool.close()
            raise

        def chunks() -> Any:
            try:
                yield from stream.chunks
            finally:
                spool.close()

        return StreamingResponse(chunks(), media_type=stream.media_type)

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return _Json(exc.data, status_code=exc.status)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _Json({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    async def server_error(request: Request, exc: Exception) -> Response:
        # One line for the client; the traceback goes to the server's log only.
        return _Json(
            {"error": f"internal error ({type(exc).__name__}); see the server log"},
            status_code=500,
        )

    json_routes: Mapping[str, Callable[[Engine, Any], Any]] = {
        "/v1/check": Engine.check,
        "/v1/explain": Engine.explain,
        "/v1/count": Engine.count,
        "/v1/nearest": Engine.nearest,
    }
    routes = [
        Route("/", index, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/v1/model", model_vocabulary, methods=["GET"]),
        Route("/v1/rules", rules, methods=["GET"]),
        *(Route(path, answer(compute), methods=["POST"]) for path, compute in json_routes.items()),
        Route("/v1/domains", domains, methods=["POST"]),
        Route("/v1/plan", plan, methods=["POST"]),
        Route("/v1/batch", batch, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [
        Middleware(
            FastDomains, cache=cache, allowed_hosts=allowed_hosts, headers=_SECURITY_HEADERS
        ),
        Middleware(_SecurityHeaders),
    ]
    if allowed_hosts is not None:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            ApiError: api_error,
            HTTPException: http_error,
            Exception: server_error,
        },
    )
    app.state.engine = engine
    app.state.editions = served
    app.state.domains_cache = cache
    return app
