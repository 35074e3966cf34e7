"""Everything a listener or job needs, built once per process."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk import WebClient

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
from bot.workspaces import TokenSource, Workspaces, web_client


@dataclass
class Steward:
    settings: Settings
    db: Database
    client: WebClient
    """SLACK_BOT_TOKEN's client: single-workspace mode's only one (Bolt's too)."""
    clock: Clock = field(default_factory=Clock)
    metrics: Metrics = field(default_factory=Metrics)
    work: WorkPool = field(default_factory=WorkPool)
    """Where listeners' work runs after the ack (handlers/guard.py hands it over)."""
    tokens: TokenSource | None = None
    """Each workspace's bot token, to serve several workspaces from a given mapping (tests);
    None: the installations (`installs`): OAuth's store, or SLACK_BOT_TOKEN alone."""

    def __post_init__(self) -> None:
        self.installs = token_source(self.settings, self.db)  # what is installed, and forget()
        source = self.tokens or self.installs
        several = self.tokens is not None or self.settings.oauth
        self.workspaces = (
            Workspaces(self.settings, source, self.metrics)
            if several
            else Workspaces.single(self.settings, self.client, self.metrics, source)
        )
        spaces = self.workspaces
        self.metrics.watch(self.db, self.clock.now)
        self.directory = Directory(self.db, spaces.client, self.clock)
        self.homes = Watchers()  # who has a Home tab to keep fresh
        self.gateway = Gateway(self.db, spaces.client, self.clock, self.directory)
        outbox_gateway = Gateway(self.db, spaces.outbox_client, self.clock, self.directory)
        self.outbox = OutboxWorker(
            self.db,
            outbox_gateway,
            self.clock,
            per_channel_interval=self.settings.outbox_interval,
            lease=self.settings.outbox_lease,
        )

    @classmethod
    def from_settings(cls, settings: Settings, tokens: TokenSource | None = None) -> Steward:
        metrics = Metrics()
        client = web_client(settings, metrics)
        return cls(
            settings=settings,
            db=Database(settings.database_url),
            client=client,
            metrics=metrics,
            tokens=tokens,
        )
