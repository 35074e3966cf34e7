"""Which workspaces Steward is installed in, and each one's bot token.

Two modes (bot/config.py): one workspace with SLACK_BOT_TOKEN from .env, or OAuth (SLACK_CLIENT_ID
and SLACK_CLIENT_SECRET), where each workspace installs through /slack/install and its bot token
is kept by slack_sdk's SQLAlchemy installation store in our own database (tables created by
migration 0008, not by the stores). With both set, the .env token is recorded at start as its
own workspace's installation (`adopt_env_token`); the others come by install.

`TokenSource` answers `team_id -> bot token | None` for every Slack call: None for a workspace
that never installed Steward or uninstalled it (`app_uninstalled`, `tokens_revoked`), whose data
is kept all the same. A reinstall through OAuth makes it active again; in single-token mode, a new
token in .env does (the record keeps a fingerprint of the token that was revoked).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Connection, Table, delete, desc, select
from sqlmodel import Field, SQLModel

from bot.config import Settings
from bot.db import Database

log = logging.getLogger(__name__)

TOKEN_TTL = 30.0
"""Seconds a process keeps a workspace's token before reading it again: an uninstall seen by
another process stops this one's sending within this time (at once in the process that saw it)."""
STATE_SECONDS = 600
"""How long an install link (its OAuth state) stays good: Slack's and Bolt's default."""
INSTALLATIONS, BOTS, STATES = "slack_installations", "slack_bots", "slack_oauth_states"

# slack_sdk's own table definitions, on our metadata: migration 0008 creates them, and the
# schema check (tests/test_migrations.py) and the tests' cleanup see them like our tables.
installations: Table = SQLAlchemyInstallationStore.build_installations_table(
    SQLModel.metadata, INSTALLATIONS
)
bots: Table = SQLAlchemyInstallationStore.build_bots_table(SQLModel.metadata, BOTS)
states: Table = SQLAlchemyOAuthStateStore.build_oauth_states_table(SQLModel.metadata, STATES)


class WorkspaceInstall(SQLModel, table=True):
    """A workspace's installation as Steward saw it: when installed, when uninstalled.

    `revoked_token`: the SHA-256 of the .env token revoked by the uninstall (single-token mode,
    or the .env token in OAuth mode), so that the same token is never used again, and a new one
    (the app reinstalled) is."""

    __tablename__ = "workspace_install"

    team_id: str = Field(primary_key=True, max_length=32)
    team_name: str | None = Field(default=None, max_length=200)
    installed_at: datetime | None = None
    uninstalled_at: datetime | None = None
    revoked_token: str | None = Field(default=None, max_length=64)


def fingerprint(token: str) -> str:
    """A token's SHA-256: enough to recognise it again, useless to call Slack with."""
    return hashlib.sha256(token.encode()).hexdigest()


def installation_store(settings: Settings, db: Database) -> SQLAlchemyInstallationStore:
    assert settings.client_id, "OAuth mode only"
    return SQLAlchemyInstallationStore(
        client_id=settings.client_id,
        engine=db.engine,
        bots_table_name=BOTS,
        installations_table_name=INSTALLATIONS,
        logger=log,
    )


def state_store(db: Database) -> SQLAlchemyOAuthStateStore:
    return SQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_SECONDS, engine=db.engine, logger=log, table_name=STATES
    )


class TokenSource:
    """`team_id -> bot token | None`, read from the database and kept `ttl` seconds."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        ttl: float = TOKEN_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.db = db
        self.ttl = ttl
        self.clock = clock
        self._kept: dict[str, tuple[str, float]] = {}
        self._forgotten = 0  # a read that overlaps a forget() keeps nothing
        self._lock = threading.Lock()

    def __call__(self, team_id: str) -> str | None:
        now = self.clock()
        with self._lock:
            kept, forgotten = self._kept.get(team_id), self._forgotten
        if kept and kept[1] > now:
            return kept[0]
        token = self.read(team_id)
        with self._lock:  # only tokens are kept: an install is seen at once
            if token and forgotten == self._forgotten:
                self._kept[team_id] = (token, now + self.ttl)
            else:
                self._kept.pop(team_id, None)
        return token

    def forget(self, team_id: str) -> None:
        """Read the workspace's token afresh next time (it was just uninstalled, or installed)."""
        with self._lock:
            self._kept.pop(team_id, None)
            self._forgotten += 1

    def read(self, team_id: str) -> str | None:
        with self.db.engine.connect() as connection:
            if self.settings.oauth:
                return connection.execute(
                    select(bots.c.bot_token)
                    .where(
                        bots.c.client_id == self.settings.client_id,
                        bots.c.team_id == team_id,
                        bots.c.bot_token.is_not(None),
                    )
                    .order_by(desc(bots.c.installed_at))
                    .limit(1)
                ).scalar_one_or_none()
            token = self.settings.bot_token
            if not token:
                return None
            revoked = was_revoked(connection, team_id, token)
        return None if revoked else token


def was_revoked(connection: Connection, team_id: str, token: str) -> bool:
    """Whether an uninstall of `team_id` revoked this very token (recorded by its fingerprint)."""
    revoked = connection.execute(
        select(WorkspaceInstall.revoked_token).where(  # type: ignore[call-overload]
            WorkspaceInstall.team_id == team_id
        )
    ).scalar_one_or_none()
    return bool(revoked == fingerprint(token))


def token_source(settings: Settings, db: Database) -> TokenSource:
    """What bot/workspaces.py asks for each workspace's token."""
    return TokenSource(settings, db)


def installed(db: Database, team_id: str, team_name: str | None, now: datetime) -> None:
    """Record an install (or reinstall) through OAuth: the workspace is active again."""
    db.upsert(
        WorkspaceInstall,
        {
            "team_id": team_id,
            "team_name": team_name,
            "installed_at": now,
            "uninstalled_at": None,
            "revoked_token": None,
        },
        ("team_id",),
    )


def uninstalled(settings: Settings, db: Database, team_id: str, now: datetime) -> int:
    """Stop all sending for `team_id`, keeping its data: its stored bot tokens are deleted
    (Slack has revoked them) and the uninstall recorded, with the .env token's fingerprint if
    that token served it. Returns how many stored tokens were deleted."""
    served_by_env = not settings.oauth  # single-token mode: the .env token serves it
    deleted = 0
    with db.session() as session:
        if settings.oauth:  # every installation of this app in that workspace (any org)
            connection = session.connection()
            mine = (bots.c.client_id == settings.client_id) & (bots.c.team_id == team_id)
            held = connection.execute(select(bots.c.bot_token).where(mine)).scalars().all()
            served_by_env = settings.bot_token in held  # adopted at start (adopt_env_token)
            deleted = len(held)
            connection.execute(delete(bots).where(mine))
            connection.execute(
                delete(installations).where(
                    installations.c.client_id == settings.client_id,
                    installations.c.team_id == team_id,
                )
            )
        row = session.get(WorkspaceInstall, team_id) or WorkspaceInstall(team_id=team_id)
        row.uninstalled_at = now
        if settings.bot_token and served_by_env:
            row.revoked_token = fingerprint(settings.bot_token)
        session.add(row)
    return deleted


def adopt_env_token(
    settings: Settings, db: Database, client: WebClient, now: datetime
) -> str | None:
    """OAuth mode with SLACK_BOT_TOKEN set too: record the .env token as its own workspace's
    installation (auth.test says which), unless that workspace has one already or this very
    token was revoked by an uninstall. Returns the workspace it serves, if any."""
    token = settings.bot_token
    if not (settings.oauth and token):
        return None
    auth = client.auth_test(token=token)
    team_id = str(auth["team_id"])
    with db.engine.connect() as connection:
        revoked = was_revoked(connection, team_id, token)
        held = connection.execute(
            select(bots.c.id)
            .where(bots.c.client_id == settings.client_id, bots.c.team_id == team_id)
            .limit(1)
        ).first()
    if revoked:
        log.warning(
            "SLACK_BOT_TOKEN was revoked when workspace %s uninstalled Steward: not used; "
            "reinstall through /slack/install", team_id
        )
        return None
    if held is None:
        installation_store(settings, db).save_bot(
            Bot(
                app_id=str(auth.get("app_id") or ""),
                enterprise_id=auth.get("enterprise_id"),
                team_id=team_id,
                team_name=auth.get("team"),
                bot_token=token,
                bot_id=str(auth["bot_id"]),
                bot_user_id=str(auth["user_id"]),
                installed_at=now,
            )
        )
        installed(db, team_id, auth.get("team"), now)
        log.info("SLACK_BOT_TOKEN recorded as workspace %s's installation", team_id)
    return team_id
