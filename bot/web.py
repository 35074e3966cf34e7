"""HTTP: Slack's requests at POST /slack/events, GET /healthz and GET /metrics, by waitress;
with OAuth (several workspaces), GET /slack/install and GET /slack/oauth_redirect too.

In Socket Mode the same server runs without the Slack route, for /healthz and /metrics.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot import observe
from bot.metrics import Metrics

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]

THREADS = 32
"""Waitress threads. A thread is held from a request's arrival until its ack (Bolt then runs
the listener on its own pool), so this bounds the acks in flight, not the work. Waitress warns
"Task queue depth" whenever a request finds no idle thread. Measured on 2 cores, 4,000 signed
commands per run (all senders, app and Slack stand-in in one process, ~400 requests/s):
8 threads warned 24 times with 8 concurrent senders and ~3,200-4,000 times from 16 up;
32 threads warned 0 times up to 16 senders, once at 32, ~3,900 times at 48 (64 threads: 0 at
48). Past the thread count requests really queue, and the warning says so."""
CONNECTION_LIMIT = 256
"""Open connections waitress accepts before it stops accepting (default 100)."""
BACKLOG = 1024
"""Connections the kernel queues while waitress is busy accepting."""


class WebApp:
    """A small WSGI router in front of Bolt's adapter.

    /healthz says 200 once `ready` is set and `health()` (if given) reports no problem; else 503
    with the reason ("starting", "not connected").
    """

    def __init__(
        self,
        app: App,
        *,
        metrics: Metrics | None = None,
        health: Callable[[], str | None] | None = None,
        slack_route: bool = True,
    ) -> None:
        self.slack = SlackRequestHandler(app, path="/slack/events")
        self.ready = threading.Event()
        self.metrics = metrics
        self.health = health
        self.slack_route = slack_route
        flow = app.oauth_flow
        self.install_path = flow.install_path if flow else None
        self.oauth_paths = {flow.install_path, flow.redirect_uri_path} if flow else set()

    def problem(self) -> str | None:
        """Why the app is not healthy, or None."""
        if not self.ready.is_set():
            return "starting"
        return self.health() if self.health else None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            problem = self.problem()
            body = f"{problem}\n".encode() if problem else b"ok\n"
            status = "503 Service Unavailable" if problem else "200 OK"
            return self._answer(start_response, status, body)
        if path == "/metrics" and method in ("GET", "HEAD") and self.metrics is not None:
            body, content_type = self.metrics.render()
            return self._answer(start_response, "200 OK", body, content_type)
        if path == "/slack/events" and method == "POST" and self.slack_route:
            return self._slack(environ, start_response)
        if method == "GET" and path in self.oauth_paths:  # Bolt's OAuth flow
            if path == self.install_path:
                log.info("install page served, with a new state")
            return self.slack(environ, start_response)
        if path == "/slack/events" and method == "POST":
            body = b"this process runs Socket Mode: Slack's requests arrive over its websocket\n"
            return self._answer(start_response, "404 Not Found", body)
        body = b"not found: Slack requests go to POST /slack/events\n"
        return self._answer(start_response, "404 Not Found", body)

    def _slack(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Bolt's adapter; a request Bolt refuses before any listener runs is logged here."""
        started = time.perf_counter()

        def watched(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            code = int(status.split()[0])
            if code in (401, 403):
                observe.refused(self.metrics, code, time.perf_counter() - started)
            return start_response(status, headers, *rest)

        observe.arrived(started)
        try:
            return self.slack(environ, watched)
        finally:
            observe.arrived(None)

    @staticmethod
    def _answer(
        start_response: StartResponse,
        status: str,
        body: bytes,
        content_type: str = "text/plain; charset=utf-8",
    ) -> list[bytes]:
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]


class Server:
    """A waitress server whose `close()` stops everything it started.

    waitress's own close() only shuts the listening socket: its worker threads go on waiting
    for tasks (its run() stops them only on KeyboardInterrupt) and an open keep-alive
    connection keeps run()'s loop going, so every closed server left THREADS threads behind
    (a test run reached thousands; `steward serve` stopped with them still waiting).
    """

    def __init__(self, waitress: Any) -> None:
        self._waitress = waitress
        self.effective_port: int = waitress.effective_port
        self._closing = False
        self._serving = False

    def run(self) -> None:
        """Serve until `close()`. Closing from another thread can end the loop with an OSError
        on a socket it closed: that is the end of serving, not an error."""
        self._serving = True
        try:
            self._waitress.run()
        except OSError:
            if not self._closing:
                raise
        finally:
            self._serving = False

    def close(self, timeout: float = 5.0) -> bool:
        """Stop accepting; let requests in progress finish and stop the worker threads (both
        within `timeout` s); then close every socket in the serving loop, which wakes it and
        ends `run()` at once. False when a worker was still busy at the deadline."""
        from waitress import wasyncore

        self._closing = True
        server = self._waitress
        sockets = getattr(server, "map", None) or server._map  # several listeners, or one
        for dispatcher in list(sockets.values()):
            dispatcher.accepting = False  # the loop stops accepting connections
        tasks = server.task_dispatcher
        tasks.shutdown(timeout=timeout)  # waitress logs "%d thread(s) still running"
        deadline = time.monotonic() + min(timeout, FLUSH_SECONDS)
        while time.monotonic() < deadline and any(
            getattr(d, "requests", None) or getattr(d, "total_outbufs_len", 0)
            for d in list(sockets.values())
        ):
            time.sleep(0.01)  # the loop is still writing out the last answers
        closed = threading.Event()

        def close_all() -> None:
            wasyncore.close_all(sockets, ignore_all=True)
            closed.set()

        if self._serving:
            with contextlib.suppress(OSError):
                server.trigger.pull_trigger(close_all)  # runs in the loop, which wakes for it
            closed.wait(LOOP_SECONDS)
        if not closed.is_set():  # not serving, or too busy to answer the trigger
            close_all()
        return not tasks.threads


FLUSH_SECONDS = 0.5
"""How long close() lets the serving loop write out the answers of the last requests."""
LOOP_SECONDS = 2.0
"""How long close() waits for the serving loop to close its sockets (it wakes within 1 s)."""


def make_server(web: WebApp, host: str, port: int, threads: int = THREADS) -> Server:
    """A waitress server (production-grade, pure Python), bound at once; .run() serves."""
    from waitress.server import create_server

    return Server(
        create_server(
            web,
            host=host,
            port=port,
            threads=threads,
            connection_limit=CONNECTION_LIMIT,
            backlog=BACKLOG,
            ident="steward",
        )
    )
