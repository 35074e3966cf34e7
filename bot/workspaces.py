"""The Slack workspaces one process serves, each with its own bot token and its own clients.

A token source says which bot token a workspace has: `team_id -> token`, or None when Steward
is not installed there (never installed, or uninstalled: its data stays, nothing is sent). With
one SLACK_BOT_TOKEN and no OAuth, every workspace asked about gets that token
(`Workspaces.single`); the workspace a request is for is then the one that token belongs to
(Bolt's auth.test), so nothing is served for another.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.metrics import Metrics

TokenSource = Callable[[str], str | None]
"""A workspace's bot token (team_id → xoxb-…), or None where Steward is not installed."""


def web_client(
    settings: Settings,
    metrics: Metrics | None = None,
    *,
    token: str | None = None,
    kind: str = "app",
) -> WebClient:
    """A Web API client. `kind` "app", for reads and modals: retries 429s, 5xx and dropped
    connections. "outbox": no retry of its own, not even slack_sdk's default one on a dropped
    connection: a post whose answer never came may have landed, and the outbox checks before
    it posts again. Nothing but the gateway (bot/gateway.py) sends a message with either.
    With `metrics`, every response (each retry too) is counted by method, outcome and kind.
    `token`: a workspace's (else SLACK_BOT_TOKEN).
    """
    kwargs: dict[str, object] = {"token": token or settings.bot_token, "timeout": 10}
    if settings.slack_api_url:
        kwargs["base_url"] = settings.slack_api_url.rstrip("/") + "/"
    client = WebClient(**kwargs)  # type: ignore[arg-type]
    observed = [metrics.observer(kind)] if metrics else []  # first: it sees every response
    retries = [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2),
    ]
    client.retry_handlers = [*observed, *(retries if kind == "app" else [])]
    return client


class NotInstalled(Exception):
    """Steward has no token for this workspace (not installed, or uninstalled)."""

    def __init__(self, team_id: str) -> None:
        super().__init__(f"no bot token for workspace {team_id}")
        self.team_id = team_id


Clients = Callable[[str], WebClient | None]
"""A workspace's client of one kind (`Workspaces.client` or `.outbox_client`), or None."""


def client_for(clients: Clients, team_id: str) -> WebClient:
    """The workspace's client; NotInstalled where Steward has no token for it."""
    client = clients(team_id)
    if client is None:
        raise NotInstalled(team_id)
    return client


class Workspaces:
    """Per workspace: the app's client (retries, for reads, forms and answers) and the
    outbox's (no retries: the outbox paces and retries itself). One client of each kind per
    token, made on first use and kept, so a new token (a reinstall) gets new clients."""

    def __init__(
        self,
        settings: Settings,
        tokens: TokenSource,
        metrics: Metrics | None = None,
        *,
        multi: bool = True,
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self.metrics = metrics
        self.multi = multi
        """True: several workspaces, Bolt authorizes each request by its team (`authorize`);
        False: the single SLACK_BOT_TOKEN, as Bolt's single-workspace mode."""
        self._clients: dict[tuple[str, str], WebClient] = {}  # (kind, token) → client
        self._lock = threading.Lock()

    @classmethod
    def single(
        cls,
        settings: Settings,
        client: WebClient,
        metrics: Metrics,
        tokens: TokenSource | None = None,
    ) -> Workspaces:
        """SLACK_BOT_TOKEN for the workspace it belongs to (Bolt's single-workspace mode); the
        app's client is `client` itself. `tokens`: what else decides (an uninstall recorded
        against that token, bot/install.py); None: the token, always."""
        token = client.token or ""
        workspaces = cls(settings, tokens or (lambda _team: token or None), metrics, multi=False)
        workspaces._clients[("app", token)] = client
        return workspaces

    def token(self, team_id: str) -> str | None:
        """The workspace's bot token; for "" (no workspace named: outbox rows queued before
        rows recorded theirs, the CLI asking which workspace it is) SLACK_BOT_TOKEN."""
        return self.tokens(team_id) if team_id else self.settings.bot_token

    def installed(self, team_id: str) -> bool:
        return self.token(team_id) is not None

    def client(self, team_id: str) -> WebClient | None:
        """The app's client for the workspace (retries 429s, 5xx, dropped connections), or
        None where Steward is not installed."""
        return self._made("app", team_id)

    def outbox_client(self, team_id: str) -> WebClient | None:
        """The outbox's client for the workspace (no retry handlers), or None."""
        return self._made("outbox", team_id)

    def _made(self, kind: str, team_id: str) -> WebClient | None:
        token = self.token(team_id)
        if not token:
            return None
        with self._lock:
            client = self._clients.get((kind, token))
            if client is None:
                client = self._new(kind, token)
                self._clients[(kind, token)] = client
            return client

    def _new(self, kind: str, token: str) -> WebClient:
        return web_client(self.settings, self.metrics, token=token, kind=kind)
