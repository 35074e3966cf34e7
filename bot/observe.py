"""One log line and the metrics for each Slack request: surface, id, team, outcome, ack time.

Never the user's text: a command is named by its command (`/logcontact`), an action by its
action_id, a form by its callback_id, an event by its type.

Bolt runs global middleware before the listener, not around it, so the line cannot be written
when `next()` returns. Instead the middleware gives the request an `ObservedAck`: Bolt's runner
sets `ack.response` when the listener acks (or when it fails before acking), and that is when
Slack gets its answer, so that is the moment measured and logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltRequest, BoltResponse

from bot.metrics import Metrics

log = logging.getLogger("steward.requests")
_arrival = threading.local()


def arrived(moment: float | None) -> None:
    """The web layer's note of when the current thread's request arrived (perf_counter), so
    the ack time includes reading the body and checking the signature; None clears it."""
    _arrival.at = moment


Middleware = Callable[[BoltRequest, BoltResponse, Callable[[], BoltResponse]], BoltResponse]


def describe(body: dict[str, Any]) -> tuple[str, str, str]:
    """(surface, what, team) of a request body; `what` is an id, never free text."""
    kind = body.get("type")
    team = body.get("team_id") or (body.get("team") or {}).get("id") or ""
    if "command" in body:
        return "command", str(body["command"]), team
    if kind == "event_callback":
        event = body.get("event") or {}
        name = str(event.get("type", "?"))
        if event.get("subtype"):
            name += f".{event['subtype']}"
        return "event", name, team
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        return "action", str(actions[0].get("action_id", "?")), team
    if kind in ("view_submission", "view_closed"):
        return "view", str((body.get("view") or {}).get("callback_id", "?")), team
    if kind in ("shortcut", "message_action"):
        return "shortcut", str(body.get("callback_id", "?")), team
    if kind in ("block_suggestion", "dialog_suggestion"):
        return "options", str(body.get("action_id", "?")), team
    return "other", str(kind or "?"), team


def outcome_of(status: int) -> str:
    if status < 400:
        return "ok"
    return "refused" if status in (401, 403) else "error"


class ObservedAck(Ack):
    """Bolt's Ack, writing the request's line the first time a response is set."""

    def __init__(self, on_response: Callable[[BoltResponse | None], None]) -> None:
        self._on_response = on_response
        self._lock = threading.Lock()
        self._reported = False
        super().__init__()  # type: ignore[no-untyped-call]  # Bolt's Ack.__init__ is unannotated

    @property
    def response(self) -> BoltResponse | None:
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        self._response = value
        if value is None:
            return
        with self._lock:
            if self._reported:
                return
            self._reported = True
        self._on_response(value)


def record(
    metrics: Metrics, surface: str, what: str, team: str, status: int, seconds: float
) -> None:
    outcome = outcome_of(status)
    metrics.requests.labels(surface, outcome).inc()
    metrics.ack_seconds.labels(surface).observe(seconds)
    log.info(
        "%s %s team=%s outcome=%s %.1f ms",
        surface,
        what,
        team or "-",
        outcome,
        seconds * 1000,
        extra={
            "surface": surface,
            "id": what,
            "team": team,
            "outcome": outcome,
            "ms": round(seconds * 1000, 1),
        },
    )


def refused(metrics: Metrics | None, status: int, seconds: float) -> None:
    """A request Bolt turned away before any listener saw it (bad signature, stale timestamp)."""
    if metrics is not None:
        metrics.requests.labels("unknown", "refused").inc()
    log.warning(
        "request refused: HTTP %d (signature or timestamp invalid) %.1f ms",
        status,
        seconds * 1000,
        extra={"surface": "unknown", "outcome": "refused", "ms": round(seconds * 1000, 1)},
    )


def request_middleware(metrics: Metrics) -> Middleware:
    """Bolt global middleware: `app.use(request_middleware(st.metrics))`."""

    def observe(
        req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        started = getattr(_arrival, "at", None) or time.perf_counter()
        surface, what, team = describe(req.body or {})

        def answered(response: BoltResponse | None) -> None:
            status = response.status if response is not None else 500
            record(metrics, surface, what, team, status, time.perf_counter() - started)

        req.context["ack"] = ObservedAck(answered)
        return next()

    return observe
