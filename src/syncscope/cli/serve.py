"""``syncscope serve``: the configurator in the browser and the HTTP API, on localhost."""

from __future__ import annotations

import gc
import ipaddress
import sys
import threading
import webbrowser

import click

from .common import EXIT_BAD_INPUT, fail, handle_errors, model_from

__all__ = ["command", "is_loopback"]

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
"""Host names that only this machine can reach."""


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server reachable from this machine only.

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host.strip("[]").lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _positive(ctx: click.Context, param: click.Parameter, value: int) -> int:
    if value < 1:
        raise click.BadParameter("must be a positive whole number", ctx=ctx, param=param)
    return value


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to bind.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="The port."
)
@click.option("--edition", default=None, help="Serve this edition's rule set (default: pre-9.0).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
@click.option(
    "--max-body-bytes",
    type=int,
    default=1 << 20,
    show_default=True,
    callback=_positive,
    help="The largest JSON request body.",
)
@click.option(
    "--max-batch-bytes",
    type=int,
    default=64 << 20,
    show_default=True,
    callback=_positive,
    help="The largest inventory /v1/batch accepts.",
)
@click.option(
    "--max-batch-rows",
    type=int,
    default=100_000,
    show_default=True,
    callback=_positive,
    help="The most inventory rows /v1/batch checks in one request.",
)
@click.pass_context
@handle_errors
def command(
    ctx: click.Context,
    host: str,
    port: int,
    edition: str | None,
    open_browser: bool,
    max_body_bytes: int,
    max_batch_bytes: int,
    max_batch_rows: int,
) -> None:
    """Serve the configurator at http://HOST:PORT/ and the HTTP API under /v1/.

    The rule set is compiled once at start; /openapi.json describes every
    endpoint. It binds to this machine only unless --host says otherwise,
    and then it warns: the API has no authentication. Needs the serve extra:
    pip install 'syncscope[serve]'. Stop it with Ctrl+C.

    Exit codes: 0 stopped; 2 bad input, or the serve extra is missing.
    """
    try:
        import uvicorn

        from syncscope.serve.app import create_app
        from syncscope.serve.limits import Limits
    except ImportError as exc:
        fail(
            f"syncscope serve needs the serve extra ({exc.name or 'starlette'} is missing): "
            "pip install 'syncscope[serve]'",
            EXIT_BAD_INPUT,
        )
    from syncscope.model import load_model

    root = ctx.find_root().obj or {}
    model_path = root.get("model_path")
    model = load_model(model_path, edition=edition) if edition else model_from(ctx)
    # The page's edition picker offers every built-in edition, unless the rules are custom.
    others = () if model_path is not None or root.get("rules") else None
    loopback = is_loopback(host)
    if not loopback:
        click.echo(
            f"warning: binding {host} makes the API reachable from other machines;"
            " it has no authentication. Use the default 127.0.0.1 to keep it local.",
            err=True,
        )
    allowed = [*LOOPBACK_NAMES, "[::1]"] if loopback else None
    limits = Limits(
        max_body_bytes=max_body_bytes,
        max_batch_bytes=max_batch_bytes,
        max_batch_rows=max_batch_rows,
    )
    app = create_app(model, limits=limits, allowed_hosts=allowed, editions=others)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    click.echo(f"syncscope: serving {model.name} at {url} (Ctrl+C stops)", err=True)
    if open_browser:
        threading.Timer(0.8, webbrowser.open, args=(url,)).start()
    # The compiled editions live as long as the process: keep full collections (about
    # 20 ms each over them) from pausing requests.
    gc.freeze()
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    sys.exit(0)
