"""HTTP mode: Slack's requests at POST /slack/events, GET /healthz, served by waitress."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]


class WebApp:
    """A small WSGI router in front of Bolt's adapter; /healthz says 200 once `ready` is set."""

    def __init__(self, app: App) -> None:
        self.slack = SlackRequestHandler(app, path="/slack/events")
        self.ready = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            ok = self.ready.is_set()
            body = b"ok\n" if ok else b"starting\n"
            start_response(
                "200 OK" if ok else "503 Service Unavailable",
                [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))],
            )
            return [body]
        if path == "/slack/events" and method == "POST":
            return self.slack(environ, start_response)
        body = b"not found: Slack requests go to POST /slack/events\n"
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [body]


def make_server(web: WebApp, host: str, port: int, threads: int = 8):
    """A waitress server (production-grade, pure Python); call .run() to serve."""
    from waitress.server import create_server

    return create_server(web, host=host, port=port, threads=threads, ident="steward")
