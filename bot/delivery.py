"""Delivering the outbox (bot/outbox.py): messages to Slack, sent after the transaction that
queued them commits, through the gateway (bot/gateway.py), which judges each against where it
is going; a refused message is held (kept, never sent) and a person told (bot/notices.py).

Several processes deliver one outbox, in order per channel. A row is claimed with a conditional
UPDATE that gives this worker a lease (`lease_owner`, `lease_until`, bot/leases.py): nobody else
touches it until the lease runs out, no Slack call starts on less than half of it (60 s: the
call's 10 s timeout and a retry fit), and what the worker writes after the call is conditioned
on still holding it. A lapsed lease (its process died, or hung) is taken over as a send of
unknown outcome, like a timeout or a 5xx: the channel's history, where each message carries its
outbox key in Slack message metadata, is checked before it is tried again. Every step is one
transaction: a process may die at any instant and no row is left where no one picks it up.

Pacing (about one post a second per channel) and a 429's Retry-After are shared by every process
(bot/pacing.py); 5xx and network errors are retried with backoff, 1 s doubling to a minute. A
message Slack refuses for good is kept as failed, and the person who caused it told how to fix
it. Each message is sent
with its workspace's token (the row's `team_id`; none: SLACK_BOT_TOKEN's workspace); a
workspace with no token (not installed, or uninstalled) has its messages wait, retried later.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from sqlmodel import col, select

from bot import keys, leases, notices, pacing
from bot.clock import Clock
from bot.db import Database
from bot.dms import dm_user, known_dms, post_target, remember_dm
from bot.gateway import Gateway, Refused
from bot.models import Audience, OutboxMessage, OutboxStatus
from bot.outbox import UNFINISHED
from bot.workspaces import NotInstalled

log = logging.getLogger(__name__)

METADATA_EVENT = "steward_outbox"
MAX_ATTEMPTS = 30
NOT_SERVED_WAIT = timedelta(minutes=1)  # a workspace with no token: when to look again
PAGE = 10  # rows a worker claims at once on PostgreSQL: few, so idle workers share the rest
UNREADABLE = {"channel_not_found", "not_in_channel", "thread_not_found"}  # so nothing landed


class OutboxWorker:
    """Delivers queued messages from a background thread (or one pass at a time in tests/CLI)."""

    def __init__(
        self,
        db: Database,
        gateway: Gateway,
        clock: Clock,
        *,
        per_channel_interval: float = 1.0,
        lease: float = leases.LEASE.total_seconds(),
    ) -> None:
        self.db = db
        self.gateway = gateway
        self.clock = clock
        self.per_channel_interval = per_channel_interval
        self.lease = timedelta(seconds=lease)
        self.id = leases.worker_id()  # the lease owner it writes on the rows it claims
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
        while not self._stop.is_set():
            self._wake.clear()  # before the pass: a commit during it wakes the next one
            try:
                wait = self.deliver_due()
            except Exception:  # keep the worker alive; the row stays queued
                log.exception("outbox pass failed")
                wait = 2.0
            self._wake.wait(timeout=wait)

    # -- one pass ----------------------------------------------------------------------------
    def deliver_due(self, limit: int = 50) -> float:
        """Send what is due (bot/leases.py); returns how long to wait before the next pass."""
        now = self.clock.now()
        if self.db.is_sqlite:  # one writer at a time: each row is claimed as its turn comes
            rows, held = leases.due(self.db, now, limit), {}
        else:  # a short page claimed at once, rows that other workers are claiming skipped
            limit = min(limit, PAGE)
            taken = leases.take_page(self.db, self.id, now, limit, self.lease)
            rows, held = [r for r, _ in taken], {r.id: until for r, until in taken}
        page, rows = len(rows), [r for r in rows if self._served(r, held.get(r.id), now)]
        dms = known_dms(self.db, [(r.team_id, u) for r in rows if (u := dm_user(r.channel))])
        dm_of = {r.id: dms.get((r.team_id or "", r.channel[1:])) for r in rows}
        idle = pacing.waits(self.db, [post_target(r.channel, dm_of[r.id]) for r in rows], now)
        wait, tried = 5.0, False
        for row in rows:
            lease, dm = held.pop(row.id, None), dm_of[row.id]
            if row.expires_at and row.expires_at <= now:
                lease = lease or leases.claim(self.db, row, self.id, now, self.lease)
                if lease and self._finish(row, lease, status=OutboxStatus.expired):
                    log.warning("outbox %s expired undelivered; dropped", row.key)
                continue
            thread_ts, ready = row.thread_ts, True
            if row.thread_key and not thread_ts:
                thread_ts, ready = leases.parent_ts(self.db, row.thread_key)
            paced = idle[post_target(row.channel, dm)]  # another post's slot, or a 429's wait
            if self._stop.is_set() or paced > 0 or not ready:
                self._release(row, lease)  # not its turn yet: given back, if it was taken
                wait = min(wait, paced or 0.5)
                continue
            wait, tried = min(wait, self._deliver(row, thread_ts, dm, lease)), True
        # A full page with nothing tried (every channel paced) waits like a short one: no spin.
        return 0.0 if page == limit and tried else wait

    def _served(self, row: OutboxMessage, lease: datetime | None, now: datetime) -> bool:
        """Whether Steward has a token for the row's workspace (then `row.team_id`, in this copy,
        names it, also for older rows that had none); if not, the row waits `NOT_SERVED_WAIT`."""
        team = row.team_id or ""
        try:
            if self.gateway.clients(team) is None:
                raise NotInstalled(team)
            row.team_id = team or self.gateway.directory.home("").team_id
        except Exception as error:  # no token, or auth.test failed for an old row: it waits
            log.warning("outbox %s waits: no workspace to send it with (%s)", row.key, error)
            lease = lease or leases.claim(self.db, row, self.id, now, self.lease)
            self._release(row, lease, next_attempt_at=now + NOT_SERVED_WAIT)
            return False
        return True

    def _join(self, team_id: str, channel: str) -> bool:
        """Join a public channel we were asked to post in, once (a private one cannot be)."""
        if channel in self._joined:
            return False
        self._joined.add(channel)
        try:
            self.gateway.join(team_id, channel)
        except Exception as error:
            log.warning("cannot join %s (invite @Steward there): %s", channel, error)
            return False
        return True

    # -- the lease ---------------------------------------------------------------------------
    def _finish(self, row: OutboxMessage, lease: datetime, **values: Any) -> bool:
        """Write the outcome of this worker's send only while the row is still its own."""
        values.setdefault("lease_owner", None)
        values.setdefault("lease_until", None)
        with self.db.session() as session:
            result = session.exec(leases.owned(row, self.id, lease).values(**values))
        if result.rowcount != 1:
            log.warning("outbox %s: lease lost to another worker; its outcome stands", row.key)
        return bool(result.rowcount == 1)

    def _release(self, row: OutboxMessage, lease: datetime | None, **values: Any) -> None:
        """Give a row this worker holds back as it was read, nothing sent, for another pass
        (`values`: what else changes, e.g. when it is due)."""
        if lease is not None:
            back = OutboxStatus.unknown if row.status != OutboxStatus.pending else row.status
            self._finish(row, lease, status=back, attempts=row.attempts, **values)

    def _ready(self, target: str, lease: datetime) -> None:
        """Just before the call: enough lease left, and the channel's slot taken, or NotNow."""
        now = self.clock.now()
        if lease - now < self.lease / 2:
            raise leases.NotNow(0.0)
        wait = pacing.take(self.db, target, now, self.per_channel_interval)
        if wait > 0:
            raise leases.NotNow(wait)

    # -- sending -----------------------------------------------------------------------------
    def _deliver(
        self, row: OutboxMessage, thread_ts: str | None, dm: str | None, lease: datetime | None
    ) -> float:
        """Claim (unless held already), check when in doubt, post; how soon to look again."""
        lease = lease or leases.claim(self.db, row, self.id, self.clock.now(), self.lease)
        if lease is None:
            return 0.05  # another worker has it
        if row.status != OutboxStatus.pending:  # unknown, or taken over: did it land?
            if row.status == OutboxStatus.sending:
                log.info("outbox %s: lease of %s ran out; taken over", row.key, row.lease_owner)
            try:
                found, dm = self._find_posted(row, dm, thread_ts)
            except leases.CannotCheck as error:
                log.warning("outbox %s: cannot check history: %s", row.key, error)
                self._release(  # a read that failed: not a try at sending
                    row,
                    lease,
                    next_attempt_at=self.clock.now()
                    + (timedelta(seconds=error.wait) if error.wait else leases.CHECK_WAIT),
                    last_error=f"history: {error}"[:500],
                )
                return 0.05
            if found:
                now = self.clock.now()
                self._finish(row, lease, status=OutboxStatus.sent, ts=found, sent_at=now)
                return 0.05
        target = post_target(row.channel, dm)
        attempts = row.attempts + 1
        try:
            response = self._post(row, thread_ts, dm, lease)
        except leases.NotNow as not_now:
            self._release(row, lease)
            return not_now.wait or 0.05
        except Refused as refusal:
            log.warning("outbox %s held: %s", row.key, refusal.reason)
            text = notices.held_text(row, refusal.reason)
            self._give_up(row, lease, OutboxStatus.held, refusal.reason, text, keys.held_notice)
            return 0.05
        except SlackApiError as error:
            self._failed_call(row, lease, attempts, target, error)
            return 0.05
        except Exception as error:  # network: the post may or may not have landed
            log.warning("outbox %s: %s; will check before retrying", row.key, error)
            if attempts >= MAX_ATTEMPTS:
                self._fail(row, lease, "unreachable")
                return 0.05
            self._finish(
                row,
                lease,
                status=OutboxStatus.unknown,
                next_attempt_at=self.clock.now() + leases.backoff(attempts),
                last_error=str(error)[:500],
            )
            return 0.05
        posted_in = str(response.get("channel") or target)
        user = dm_user(row.channel)
        if user and posted_in != dm:  # Slack opened the DM: its D… id, from now on
            remember_dm(self.db, row.team_id, user, posted_in)
        self._finish(
            row,
            lease,
            status=OutboxStatus.sent,
            ts=response.get("ts"),
            channel=posted_in,
            thread_ts=thread_ts,
            sent_at=self.clock.now(),
            last_error=None,
        )
        return 0.05

    def _post(
        self, row: OutboxMessage, thread_ts: str | None, dm: str | None, lease: datetime
    ) -> SlackResponse:
        """Post through the exit; once it has judged the message, `_ready`. The channel's next
        post waits `per_channel_interval` from this one's answer, whoever sends it."""
        target = post_target(row.channel, dm)
        called = False

        def ready() -> None:
            nonlocal called
            self._ready(target, lease)
            called = True

        try:
            return self.gateway.post(
                team_id=str(row.team_id),
                channel=row.channel,
                dm=dm,
                before_send=ready,
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
            if called and self.per_channel_interval > 0:
                paced = self.clock.now() + timedelta(seconds=self.per_channel_interval)
                pacing.hold(self.db, target, paced)

    def _give_up(
        self,
        row: OutboxMessage,
        lease: datetime,
        status: OutboxStatus,
        reason: str,
        text: str,
        notice_key: Callable[[str], str],
    ) -> None:
        """Keep the message as held or failed, and tell the person who caused it (one of
        ours: a client's person never is) or the account's owner, in one transaction: nobody
        sees the one without the other, and a worker that lost its lease does neither."""
        person = row.caused_by
        if person and not keys.is_notice(row.key):  # users.info may write: before the txn
            trusted = self.gateway.directory.person(str(row.team_id), person).trusted
            person = person if trusted else None
        with self.db.session() as session:
            done = session.exec(
                leases.owned(row, self.id, lease).values(
                    status=status, last_error=reason[:500], lease_owner=None, lease_until=None
                )
            )
            if done.rowcount != 1:
                return
            told = notices.tell(session, row, person, text, notice_key(row.key), self.clock.now())
        if told:
            self._wake.set()

    def _failed_call(
        self, row: OutboxMessage, lease: datetime, attempts: int, target: str, error: SlackApiError
    ) -> None:
        status = error.response.status_code
        code = str(error.response.get("error", ""))
        now = self.clock.now()
        if code == "not_in_channel" and self._join(str(row.team_id), row.channel):
            self._finish(row, lease, status=OutboxStatus.pending, attempts=attempts - 1)
        elif status == 429:
            retry_after = int(error.response.headers.get("Retry-After", 1) or 1)
            pacing.hold(self.db, target, now + timedelta(seconds=retry_after))  # for everyone
            self._finish(
                row,
                lease,
                status=OutboxStatus.pending,
                attempts=attempts - 1,  # being told to wait is not a failed attempt
                next_attempt_at=now,  # the channel's pace holds it, in every process
                last_error="ratelimited",
            )
        elif status >= 500 and attempts < MAX_ATTEMPTS:
            self._finish(  # Slack may have posted it before failing: check before a retry
                row,
                lease,
                status=OutboxStatus.unknown,
                next_attempt_at=now + leases.backoff(attempts),
                last_error=f"HTTP {status} {code}"[:500],
            )
        else:  # an error Slack will give again (ok: false), or out of attempts
            self._fail(row, lease, code or f"HTTP {status}")

    def _fail(self, row: OutboxMessage, lease: datetime, reason: str) -> None:
        log.error("outbox %s to %s failed for good: %s", row.key, row.channel, reason)
        text = notices.failed_text(row, reason)
        self._give_up(row, lease, OutboxStatus.failed, reason, text, keys.failed_notice)

    def _find_posted(
        self, row: OutboxMessage, dm: str | None, thread_ts: str | None
    ) -> tuple[str | None, str | None]:
        """The ts of a message posted under the row's key, if any, and the DM's channel."""
        user = dm_user(row.channel)
        try:
            if user and dm is None:  # a DM never answered: its D… id, to read its history
                dm = self.gateway.open_dm(str(row.team_id), user)
                remember_dm(self.db, row.team_id, user, dm)
            channel = dm if user and dm else row.channel
            oldest = row.created_at - timedelta(minutes=1)
            history = self.gateway.history(
                str(row.team_id), channel, oldest.timestamp(), thread_ts
            )
        except SlackApiError as error:
            if str(error.response.get("error", "")) in UNREADABLE:
                return None, dm  # not a channel we are in: nothing of ours landed there
            raise leases.CannotCheck.of(error) from error
        except Exception as error:
            raise leases.CannotCheck(type(error).__name__) from error
        for message in history:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key") == row.key:
                return str(message.get("ts")), dm
        return None, dm

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
