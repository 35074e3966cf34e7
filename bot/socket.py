"""Socket Mode that survives: reconnects with backoff for as long as the process runs.

slack_sdk's builtin client connects in two steps, `apps.connections.open` (a Web API call
with the app token, answering a `wss://` URL) and then a websocket to that URL. Left to
itself it raises when the first step fails at start (no network: the process dies) and gives
up after the web client's two retries on a 503. Here the reconnecting is ours: its own
reconnect is turned off, each attempt is one log line, and attempts go on with exponential
backoff (1 s doubling to 60 s) until one succeeds; a connection that drops later is
reconnected the same way. Only a refused app token stops the process: that will not heal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import SlackUnavailable, mask_secret
from bot.metrics import Metrics

log = logging.getLogger("steward.socket")
SDK_LOG = logging.getLogger("steward.socket.sdk")
"""slack_sdk's own lines (several per attempt) go here, shown only with LOG_LEVEL=DEBUG."""
AUTH_ERRORS = {"invalid_auth", "not_authed", "token_revoked", "account_inactive", "not_allowed"}


def backoff(first: float = 1.0, most: float = 60.0) -> Iterator[float]:
    """1, 2, 4 … seconds, then `most` for ever."""
    delay = first
    while True:
        yield delay
        delay = min(most, delay * 2)


class SocketMode:
    """Keeps one Socket Mode connection for a Bolt app; `run()` blocks until `stop()`."""

    def __init__(
        self,
        app: App,
        app_token: str,
        *,
        metrics: Metrics | None = None,
        first_delay: float = 1.0,
        max_delay: float = 60.0,
        check_every: float = 1.0,
    ) -> None:
        self.app_token = app_token
        self.metrics = metrics
        self.first_delay, self.max_delay, self.check_every = first_delay, max_delay, check_every
        self.attempts = 0
        self._up = False
        self._delays = backoff(first_delay, max_delay)
        self._pause = 0.0  # before the next attempt
        self._stop = threading.Event()
        self._last_error: str | None = None
        client = WebClient(base_url=app.client.base_url, timeout=10, logger=SDK_LOG)
        # no retries of its own: a failed attempt is one line, then our backoff
        client.retry_handlers = [metrics.observer("socket", quiet=True)] if metrics else []
        SDK_LOG.setLevel(logging.DEBUG if log.isEnabledFor(logging.DEBUG) else logging.CRITICAL)
        self.handler = SocketModeHandler(
            app, app_token, logger=SDK_LOG, web_client=client, auto_reconnect_enabled=False
        )
        self.handler.client.on_error_listeners.append(self._remember)

    def _remember(self, error: Exception) -> None:
        self._last_error = f"{type(error).__name__}: {error}"

    def connected(self) -> bool:
        return self.handler.client.is_connected()

    def health(self) -> str | None:
        """For /healthz: None when connected, else why not."""
        return None if self.connected() else "not connected"

    def connect_once(self) -> str | None:
        """One attempt; None when connected, else why not (one phrase, no secrets)."""
        client = self.handler.client
        self._last_error = None
        try:
            client.wss_uri = client.issue_new_wss_url()
        except SlackApiError as error:
            code = str(error.response.get("error", "")) if error.response else ""
            if code in AUTH_ERRORS:
                raise SlackUnavailable(
                    f"SLACK_APP_TOKEN {mask_secret(self.app_token)} was refused by Slack "
                    f"({code}): create an app-level token with connections:write "
                    "(Basic Information → App-Level Tokens)"
                ) from None
            status = error.response.status_code if error.response else "?"
            return f"apps.connections.open answered HTTP {status} {code}".rstrip()
        except Exception as error:  # network: no route, refused, timed out, DNS
            return f"apps.connections.open failed: {type(error).__name__}: {error}"
        try:
            client.connect()
        except Exception as error:
            return f"websocket: {type(error).__name__}: {error}"
        if not client.is_connected():
            return f"websocket: {self._last_error or 'handshake refused'}"
        return None

    def step(self) -> None:
        """While connected, wait a moment; else one attempt (one line), after the backoff the
        previous failed attempt asked for (none before the first: serve calls it at start)."""
        if self.connected():
            if not self._up:
                self._up = True
                self._delays = backoff(self.first_delay, self.max_delay)
                self._gauge(1)
            self._stop.wait(self.check_every)
            return
        if self._up:
            self._up = False
            self._gauge(0)
            log.warning("Socket Mode connection lost; reconnecting")
        if self._pause and self._stop.wait(self._pause):
            return
        self._pause = 0.0
        self.attempts += 1
        why = self.connect_once()
        if why is None:
            self._count("ok")
            log.info("Socket Mode connected (attempt %d)", self.attempts)
            return
        self._count("failed")
        self._pause = next(self._delays)
        log.warning(
            "Socket Mode attempt %d failed: %s; retrying in %.3g s",
            self.attempts,
            why,
            self._pause,
            extra={"attempt": self.attempts, "retry_in": self._pause},
        )

    def run(self) -> None:
        """Connect, and reconnect whenever the connection is down, until `stop()`."""
        while not self._stop.is_set():
            self.step()
        self._gauge(0)

    def stop(self) -> None:
        self._stop.set()

    def close(self, timeout: float = 5.0) -> bool:
        """Stop `run()`, close the connection and stop the client's threads. slack_sdk's close()
        joins its threads with no time limit, so it runs on a thread of its own here, waited
        for `timeout` s: False (and one line) when it did not finish, instead of a hang."""
        self._stop.set()
        closing = threading.Thread(target=self._close_client, name="socket-close", daemon=True)
        closing.start()
        closing.join(timeout)
        if closing.is_alive():
            log.warning("Socket Mode client still stopping after %.3g s; not waiting", timeout)
            return False
        return True

    def _close_client(self) -> None:
        client = self.handler.client  # handler.close() does only this, untyped
        try:
            client.close()
        except AttributeError:
            # slack_sdk checks the socket, then closes it under a lock: when its receiving
            # thread closed it in between, close() stops there; again, it skips the socket and
            # stops the threads
            client.close()

    def _gauge(self, value: int) -> None:
        if self.metrics:
            self.metrics.socket_connected.set(value)

    def _count(self, outcome: str) -> None:
        if self.metrics:
            self.metrics.socket_attempts.labels(outcome).inc()
