"""Everything a listener or job needs, built once per process."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.delivery import OutboxWorker
from bot.directory import Directory
from bot.gateway import Gateway
from bot.home.service import Watchers
from bot.install import token_source
from bot.metrics import Metrics
from bot.work import WorkPool


def web_client(settings: Settings, metrics: Metrics | None = None) -> WebClient:
    """A Web API client for reads and modals: retries 429s, 5xx and dropped connections.

    Posts to channels do not go through these retries but through the outbox. Nothing but
    the gateway (bot/gateway.py) sends a message with it. With `metrics`, every response (each
    retry too) is counted by method and outcome.
    """
    kwargs: dict[str, object] = {"token": settings.bot_token, "timeout": 10}
    if settings.slack_api_url:
        kwargs["base_url"] = settings.slack_api_url.rstrip("/") + "/"
    client = WebClient(**kwargs)  # type: ignore[arg-type]
    client.retry_handlers = [
        *([metrics.observer("app")] if metrics else []),  # first: it sees every response
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2),
    ]
    return client


@dataclass
class Steward:
    settings: Settings
    db: Database
    client: WebClient
    clock: Clock = field(default_factory=Clock)
    metrics: Metrics = field(default_factory=Metrics)
    work: WorkPool = field(default_factory=WorkPool)
    """Where listeners' work runs after the ack (handlers/guard.py hands it over)."""

    def __post_init__(self) -> None:
        outbox_client = WebClient(
            token=self.client.token, base_url=self.client.base_url, timeout=10
        )
        outbox_client.retry_handlers.insert(0, self.metrics.observer("outbox"))
        self.metrics.watch(self.db, self.clock.now)
        self.directory = Directory(self.db, self.client, self.clock)
        self.homes = Watchers()  # who has a Home tab to keep fresh
        self.tokens = token_source(self.settings, self.db)  # team_id -> bot token | None
        self.gateway = Gateway(self.db, self.client, self.clock, self.directory)
        outbox_gateway = Gateway(self.db, outbox_client, self.clock, self.directory)
        self.outbox = OutboxWorker(
            self.db, outbox_gateway, self.clock, per_channel_interval=self.settings.outbox_interval
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Steward:
        metrics = Metrics()
        return cls(
            settings=settings,
            db=Database(settings.database_url),
            client=web_client(settings, metrics),
            metrics=metrics,
        )
