"""Delivering the outbox (bot/outbox.py): messages to Slack, sent after the transaction that
queued them commits.

Every message leaves through the gateway (bot/gateway.py), which judges its audience against
where it is going at that moment: a refused message is held (kept, never sent) and the person
whose action caused it, or else the account's owner, is told by DM.

Messages to one channel leave in the order they were queued, whichever worker sends them.
Delivery is paced to Slack's limit for chat.postMessage (about one message a second per channel),
honours a 429's Retry-After, retries 5xx and network errors with backoff, and never posts twice:
a row is claimed with a conditional UPDATE (so two workers cannot both send it), and a send whose
outcome is unknown (timeout, crash mid-call) is checked against the channel's history, where each
message carries its outbox key in Slack message metadata, before it is tried again.

Each message is sent with its own workspace's token (the row's `team_id`; none recorded: the
workspace of SLACK_BOT_TOKEN). A workspace with no token (not installed, or uninstalled) has its
messages left waiting, untouched but for their next attempt, and retried later.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from sqlalchemy import exists, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from bot import keys
from bot.clock import Clock
from bot.db import Database
from bot.gateway import Gateway, Refused
from bot.models import Account, Audience, OutboxMessage, OutboxStatus
from bot.outbox import UNFINISHED, WAITING, enqueue
from bot.slacktext import clip
from bot.workspaces import NotInstalled

log = logging.getLogger(__name__)

METADATA_EVENT = "steward_outbox"
MAX_ATTEMPTS = 12
NOT_SERVED_WAIT = timedelta(minutes=1)  # a workspace with no token: when to look again
PERMANENT_ERRORS = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "msg_too_long",
    "no_text",
    "invalid_blocks",
    "too_many_attachments",
    "restricted_action",
    "cannot_reply_to_message",
    "user_not_found",
}


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(300, 2 ** max(0, attempts - 1)))


class OutboxWorker:
    """Delivers queued messages from a background thread (or one pass at a time in tests/CLI)."""

    def __init__(
        self, db: Database, gateway: Gateway, clock: Clock, *, per_channel_interval: float = 1.0
    ) -> None:
        self.db = db
        self.gateway = gateway
        self.clock = clock
        self.per_channel_interval = per_channel_interval
        self._not_before: dict[str, datetime] = {}  # per channel: pacing and Retry-After
        self._dm_channels: dict[str, str] = {}  # user → DM channel (conversations.open)
        self._joined: set[str] = set()  # channels we tried to join after not_in_channel
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        db.on_queued(self.notify)

    # -- running -----------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="steward-outbox", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the background thread; `drain()` still delivers on the caller's thread."""
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
            if self._thread.is_alive():
                return  # still mid-send: it stops at its next row
            self._thread = None
        self._stop.clear()

    def notify(self) -> None:
        """Something was queued and committed: deliver now rather than at the next poll.
        Called by the database after such a commit (Database.on_queued), never by hand."""
        self._wake.set()

    def _run(self) -> None:
        self.recover()
        while not self._stop.is_set():
            self._wake.clear()  # before the pass: a commit during it wakes the next one
            try:
                wait = self.deliver_due()
            except Exception:  # keep the worker alive; the row stays queued
                log.exception("outbox pass failed")
                wait = 2.0
            self._wake.wait(timeout=wait)

    # -- one pass ----------------------------------------------------------------------------
    def recover(self) -> None:
        """After a crash, a row left 'sending' may or may not have reached Slack: check first."""
        with self.db.session() as session:
            session.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.status) == OutboxStatus.sending)
                .values(status=OutboxStatus.unknown)
            )

    def deliver_due(self, limit: int = 50) -> float:
        """Send what is due; returns how long to wait before the next pass."""
        now = self.clock.now()
        earlier = aliased(OutboxMessage)
        with self.db.session() as session:
            rows = session.exec(
                select(OutboxMessage)
                .where(
                    col(OutboxMessage.status).in_(WAITING),
                    col(OutboxMessage.next_attempt_at) <= now,
                    ~exists().where(  # first in, first out per channel, whoever is delivering
                        col(earlier.channel) == col(OutboxMessage.channel),
                        col(earlier.id) < col(OutboxMessage.id),
                        col(earlier.status).in_(UNFINISHED),
                    ),
                )
                .order_by(col(OutboxMessage.id))
                .limit(limit)
            ).all()
        wait = 5.0
        for row in rows:
            if self._stop.is_set():
                break
            if row.expires_at and row.expires_at <= now:
                log.warning("outbox %s expired undelivered; dropped", row.key)
                self._finish(row.id, status=OutboxStatus.expired)
                continue
            if not self._served(row):
                self._finish(row.id, next_attempt_at=now + NOT_SERVED_WAIT)
                continue
            if row.channel.startswith("@") and not self._open_dm(row):
                continue
            idle = self._channel_wait(row.channel)
            if idle > 0:
                wait = min(wait, idle)
                continue
            thread_ts = row.thread_ts
            if row.thread_key and not thread_ts:
                thread_ts, ready = self._parent_ts(row.thread_key)
                if not ready:
                    wait = min(wait, 0.5)
                    continue
            self._deliver(row, thread_ts)
            wait = min(wait, 0.05)
        return wait if len(rows) < limit else 0.0

    def _served(self, row: OutboxMessage) -> bool:
        """Whether Steward has a token for the row's workspace; if so, `row.team_id` (in this
        copy only) is that workspace, also for rows queued before rows recorded theirs."""
        team = row.team_id or ""
        try:
            if self.gateway.clients(team) is None:
                raise NotInstalled(team)
            row.team_id = team or self.gateway.directory.home("").team_id
        except Exception as error:  # no token, or auth.test failed for an old row: it waits
            log.warning("outbox %s waits: no workspace to send it with (%s)", row.key, error)
            return False
        return True

    def _open_dm(self, row: OutboxMessage) -> bool:
        """A message for `@U123` goes to the app's DM with that person (conversations.open)."""
        user = row.channel[1:]
        channel = self._dm_channels.get(user)
        if channel is None:
            try:
                channel = self.gateway.open_dm(str(row.team_id), user)
            except SlackApiError as error:
                self._failed_call(row, row.attempts + 1, error)
                return False
            except Exception as error:  # network: nothing was posted, try again later
                self._finish(row.id, next_attempt_at=self.clock.now() + backoff(row.attempts + 1))
                log.warning("outbox %s: conversations.open failed: %s", row.key, error)
                return False
            self._dm_channels[user] = channel
        self._finish(row.id, channel=channel)
        row.channel = channel
        return True

    def _join(self, team_id: str, channel: str) -> bool:
        """Join a public channel we were asked to post in (channels:join); once per channel.

        Private channels cannot be joined: someone must invite @Steward, and the post fails.
        """
        if channel in self._joined:
            return False
        self._joined.add(channel)
        try:
            self.gateway.join(team_id, channel)
        except Exception as error:
            log.warning("cannot join %s (invite @Steward there): %s", channel, error)
            return False
        return True

    def _channel_wait(self, channel: str) -> float:
        not_before = self._not_before.get(channel)
        return 0.0 if not_before is None else (not_before - self.clock.now()).total_seconds()

    def _parent_ts(self, key: str) -> tuple[str | None, bool]:
        with self.db.session() as session:
            parent = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).first()
        if parent is None or parent.status in (OutboxStatus.failed, OutboxStatus.held):
            return None, True  # no thread to join: post on its own
        return parent.ts, parent.status == OutboxStatus.sent

    def _claim(self, row: OutboxMessage) -> bool:
        with self.db.session() as session:
            result = session.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == row.id, col(OutboxMessage.status) == row.status)
                .values(status=OutboxStatus.sending, attempts=OutboxMessage.attempts + 1)
            )
            return result.rowcount == 1

    def _finish(self, row_id: int | None, **values: Any) -> None:
        with self.db.session() as session:
            session.exec(
                update(OutboxMessage).where(col(OutboxMessage.id) == row_id).values(**values)
            )

    def _deliver(self, row: OutboxMessage, thread_ts: str | None) -> None:
        if row.status == OutboxStatus.unknown:
            found = self._find_posted(row)
            if found:
                self._finish(row.id, status=OutboxStatus.sent, ts=found, sent_at=self.clock.now())
                return
        if not self._claim(row):
            return  # another worker has it
        attempts = row.attempts + 1
        try:
            response = self._post(row, thread_ts)
        except Refused as refusal:
            self._hold(row, refusal.reason)
            return
        except SlackApiError as error:
            self._failed_call(row, attempts, error)
            return
        except Exception as error:  # network: the post may or may not have landed
            log.warning("outbox %s: %s; will check before retrying", row.key, error)
            self._finish(
                row.id,
                status=OutboxStatus.unknown if attempts < MAX_ATTEMPTS else OutboxStatus.failed,
                next_attempt_at=self.clock.now() + backoff(attempts),
                last_error=str(error)[:500],
            )
            return
        self._finish(
            row.id,
            status=OutboxStatus.sent,
            ts=response.get("ts"),
            channel=response.get("channel") or row.channel,
            thread_ts=thread_ts,
            sent_at=self.clock.now(),
            last_error=None,
        )

    def _post(self, row: OutboxMessage, thread_ts: str | None) -> SlackResponse:
        """Post through the exit, paced: the channel's next post waits `per_channel_interval`
        from when this one reached Slack (the exit's own checks before it take varying time,
        so pacing from before them would let two posts arrive closer than that)."""
        try:
            return self.gateway.post(
                team_id=str(row.team_id),
                channel=row.channel,
                audience=Audience(row.audience),
                account_id=row.account_id,
                text=row.text,
                blocks=row.blocks,
                thread_ts=thread_ts,
                unfurl_links=False,
                metadata={
                    "event_type": METADATA_EVENT,
                    "event_payload": {"key": row.key, "audience": row.audience},
                },
            )
        finally:
            paced = self.clock.now() + timedelta(seconds=self.per_channel_interval)
            self._not_before[row.channel] = max(paced, self._not_before.get(row.channel, paced))

    def _hold(self, row: OutboxMessage, reason: str) -> None:
        """Keep a message the exit refused, and tell the person who caused it (or the account's
        owner, for what nobody of ours caused) what was held back, where, and why. The row is
        held and the notice queued in one transaction: nobody sees the one without the other."""
        log.warning("outbox %s held: %s", row.key, reason)
        tell = row.caused_by
        if tell and not keys.is_held_notice(row.key):  # users.info may write: before the txn
            person = self.gateway.directory.person(str(row.team_id), tell)
            tell = tell if person.trusted else None
        with self.db.session() as session:
            session.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == row.id)
                .values(status=OutboxStatus.held, last_error=reason[:500])
            )
            if keys.is_held_notice(row.key):
                return  # a notice about a held message that was itself held: the log has it
            account = session.get(Account, row.account_id) if row.account_id else None
            tell = tell or (account.owner_id if account else None)
            if tell is None:
                return
            where = f"<#{row.channel}>" if not row.channel.startswith("@") else "a DM"
            text = (
                f":lock: I held back a message for {where}: {reason}. Nothing was posted there. "
                "It said:\n" + "\n".join("> " + line for line in clip(row.text, 1500).splitlines())
            )
            enqueue(
                session,
                key=keys.held_notice(row.key),
                channel=f"@{tell}",
                text=text,
                now=self.clock.now(),
                audience=Audience.internal,
                team_id=row.team_id,
            )
        self._wake.set()

    def _failed_call(self, row: OutboxMessage, attempts: int, error: SlackApiError) -> None:
        status = error.response.status_code
        code = str(error.response.get("error", ""))
        now = self.clock.now()
        if code == "not_in_channel" and self._join(str(row.team_id), row.channel):
            self._finish(
                row.id, status=OutboxStatus.pending, attempts=attempts - 1, next_attempt_at=now
            )
        elif status == 429:
            retry_after = int(error.response.headers.get("Retry-After", 1) or 1)
            self._not_before[row.channel] = now + timedelta(seconds=retry_after)
            self._finish(
                row.id,
                status=OutboxStatus.pending,
                attempts=attempts - 1,  # being told to wait is not a failed attempt
                next_attempt_at=now + timedelta(seconds=retry_after),
                last_error="ratelimited",
            )
        elif status >= 500 and attempts < MAX_ATTEMPTS:
            self._finish(
                row.id,
                status=OutboxStatus.pending,
                next_attempt_at=now + backoff(attempts),
                last_error=f"HTTP {status} {code}"[:500],
            )
        elif code in PERMANENT_ERRORS or attempts >= MAX_ATTEMPTS or status < 500:
            log.error("outbox %s to %s failed for good: %s", row.key, row.channel, code or status)
            self._finish(
                row.id, status=OutboxStatus.failed, last_error=(code or f"HTTP {status}")[:500]
            )

    def _find_posted(self, row: OutboxMessage) -> str | None:
        """The ts of a message already posted under this row's key, if Slack has one."""
        oldest = row.created_at - timedelta(minutes=1)
        try:
            history = self.gateway.history(str(row.team_id), row.channel, oldest.timestamp())
        except Exception as error:
            log.warning("outbox %s: cannot check history: %s", row.key, error)
            return None
        for message in history:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key") == row.key:
                return str(message.get("ts"))
        return None

    def drain(self, timeout: float = 10.0) -> bool:
        """Deliver until nothing is left to send, retries included (CLI runs and tests), pacing
        like the worker; a row another worker is sending counts as not done yet. Returns False
        when messages were still waiting at the timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.db.session() as session:
                waiting = session.exec(
                    select(OutboxMessage.id)
                    .where(col(OutboxMessage.status).in_(UNFINISHED))
                    .limit(1)
                ).first()
            if waiting is None:
                return True
            time.sleep(min(self.deliver_due(), 0.05, max(0.0, deadline - time.monotonic())))
        return False
