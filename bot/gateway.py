"""The one exit: every message Steward sends to Slack leaves through here, with its audience.

A message is written either for our people only (`Audience.internal`) or for the client too
(`Audience.client`), and is about one account or none. Before it leaves, the gateway judges it
against where it is going, as things stand *now*:

- internal content never goes to a channel shared with another organisation (Slack Connect),
  nor to a DM with someone outside our organisation, nor in an ephemeral to such a person;
- nothing about one account goes to another account's channel (its client or internal one).

A channel's standing comes from conversations.info, kept in the database, updated at once by
Slack's `channel_shared` / `channel_unshared` / `member_joined_channel` events, and checked again
before internal content goes out when it is older than `STANDING_TTL`. When Slack cannot tell
us, the channel is taken as shared. A refused message raises `Refused`; the caller keeps it and
tells the person who caused it (the outbox holds it and sends them a DM).

Every call names the workspace it concerns (`team_id`) and goes out with that workspace's own
client (bot/workspaces.py); where Steward has no token it raises NotInstalled, sending nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse
from sqlmodel import Session

from bot.accounts.queries import account_for_channel
from bot.clock import Clock
from bot.db import Database
from bot.directory import Directory
from bot.dms import post_target
from bot.models import Audience, ChannelState, Standing
from bot.people import Person
from bot.workspaces import Clients, client_for

log = logging.getLogger(__name__)
STANDING_TTL = timedelta(minutes=3)


class Refused(Exception):
    """The exit would not send this message; `reason` says why, in words for the person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def standing_of(info: dict[str, Any]) -> Standing:
    """A channel's standing from conversations.info's `channel` object."""
    if info.get("is_im"):
        return Standing.dm
    if info.get("is_ext_shared") or info.get("is_pending_ext_shared"):
        return Standing.shared
    if info.get("is_shared") and not info.get("is_org_shared"):
        return Standing.shared  # shared, and not only within our own Enterprise Grid org
    return Standing.internal


class Gateway:
    def __init__(self, db: Database, clients: Clients, clock: Clock, directory: Directory) -> None:
        self.db = db
        self.clients = clients  # each workspace's own client: every call names its workspace
        self.clock = clock
        self.directory = directory
        self._seen: dict[str, tuple[Standing, datetime]] = {}  # recent_standing's memory
        self._marks = 0  # mark() calls so far: a look-up that raced one is not remembered
        self._seen_lock = threading.Lock()

    def client(self, team_id: str) -> WebClient:
        """The workspace's client; NotInstalled (bot/workspaces.py) where it has no token."""
        return client_for(self.clients, team_id)

    # -- where things stand ----------------------------------------------------------------------
    def standing(self, team_id: str, channel: str, *, session: Session | None = None) -> Standing:
        """The channel's standing; checked with Slack when older than `STANDING_TTL`. A `@U…`
        target is a DM with that person: internal only when the person is ours. `session`:
        the caller's open transaction, if any (what Slack says is recorded in it)."""
        if channel.startswith("@"):
            return self._dm_standing(team_id, channel[1:], session)
        with self.db.session() as reading:
            state = reading.get(ChannelState, channel)
        if state and self.clock.now() - state.checked_at < STANDING_TTL:
            if state.standing == Standing.dm and state.dm_user:
                return self._dm_standing(team_id, state.dm_user, session)
            return Standing(state.standing)
        try:
            info = self.client(team_id).conversations_info(channel=channel)["channel"]
        except Exception as error:
            log.warning("conversations.info %s: %s; taking it as shared", channel, error)
            return Standing.shared
        standing = standing_of(info)
        self.mark(channel, standing, dm_user=info.get("user"), session=session)
        if standing == Standing.dm and info.get("user"):
            return self._dm_standing(team_id, str(info["user"]), session)
        return standing

    def recent_standing(self, team_id: str, channel: str) -> Standing:
        """The standing as this process last saw it, within `STANDING_TTL`; else `standing()`.
        Only for what a person is told before any transaction (handlers/guard.invocation):
        the exit itself always asks `standing()`, which every process's events keep current."""
        now = self.clock.now()
        with self._seen_lock:
            seen, marks = self._seen.get(channel), self._marks
        if seen and now - seen[1] < STANDING_TTL:
            return seen[0]
        standing = self.standing(team_id, channel)
        with self._seen_lock:
            if self._marks == marks:
                self._seen[channel] = (standing, now)
        return standing

    def _dm_standing(self, team_id: str, user: str, session: Session | None) -> Standing:
        person = self.directory.person(team_id, user, session=session)
        return Standing.dm if person.trusted else Standing.shared

    def mark(
        self,
        channel: str,
        standing: Standing,
        *,
        dm_user: str | None = None,
        session: Session | None = None,
    ) -> None:
        """Record a channel's standing as Slack just told us (an event or conversations.info)."""
        with self._seen_lock:
            self._seen.pop(channel, None)
            self._marks += 1
        values = {
            "channel_id": channel,
            "standing": standing,
            "dm_user": dm_user,
            "checked_at": self.clock.now(),
        }
        self.db.upsert(ChannelState, values, ("channel_id",), session)

    def is_shared(self, team_id: str, channel: str, *, session: Session | None = None) -> bool:
        """Could someone outside our organisation read this channel? (When unsure: yes.)"""
        return self.standing(team_id, channel, session=session) == Standing.shared

    def judge(
        self, team_id: str, channel: str, audience: Audience, account_id: int | None
    ) -> str | None:
        """Why this message may not go to `channel` of workspace `team_id` now, or None."""
        with self.db.session() as session:
            owner = account_for_channel(session, team_id, channel)
        if account_id is not None and owner is not None and owner.id != account_id:
            return "it is another account's channel"
        if audience == Audience.internal and self.standing(team_id, channel) == Standing.shared:
            if channel.startswith(("@", "D")):
                return "that person is not of our organisation"
            return (
                "it is shared with another organisation, or Slack would not tell me who can "
                "read it (for a private channel: `/invite @Steward` there)"
            )
        return None

    def _check(
        self, team_id: str, channel: str, audience: Audience, account_id: int | None
    ) -> None:
        reason = self.judge(team_id, channel, audience, account_id)
        if reason:
            raise Refused(reason)

    @staticmethod
    def _check_person(person: Person, audience: Audience) -> None:
        if audience == Audience.internal and not person.trusted:
            raise Refused("that person is not of our organisation")

    # -- sending ---------------------------------------------------------------------------------
    def post(
        self,
        *,
        team_id: str,
        channel: str,
        audience: Audience,
        account_id: int | None,
        dm: str | None = None,
        before_send: Callable[[], None] | None = None,
        **message: Any,
    ) -> SlackResponse:
        """chat.postMessage, once judged. Only the outbox calls this: it paces and retries.

        A `@U123` target is the app's DM with that person, judged by who they are: posted to
        `dm`, the D… id Slack gave for it, when known, else to the user id, which opens the DM
        (Slack answers with its D… id). `before_send`: called once judged, just before the
        call (the outbox takes its pacing slot there); it raises to stop the call.
        """
        client = self.client(team_id)
        self._check(team_id, channel, audience, account_id)
        if before_send is not None:
            before_send()
        return client.chat_postMessage(channel=post_target(channel, dm), **message)

    def update(
        self,
        *,
        team_id: str,
        channel: str,
        ts: str,
        audience: Audience,
        account_id: int | None,
        **message: Any,
    ) -> SlackResponse:
        """chat.update of a message Steward posted, judged like a new post."""
        self._check(team_id, channel, audience, account_id)
        return self.client(team_id).chat_update(channel=channel, ts=ts, **message)

    def ephemeral(
        self, *, team_id: str, channel: str, person: Person, audience: Audience, **message: Any
    ) -> SlackResponse:
        """chat.postEphemeral: seen by `person` alone, so judged by who they are."""
        self._check_person(person, audience)
        client = self.client(team_id)
        return client.chat_postEphemeral(channel=channel, user=person.user_id, **message)

    def respond(
        self, respond: Callable[..., Any], *, person: Person, audience: Audience, **message: Any
    ) -> None:
        """An answer through the request's response_url (seen by the person alone)."""
        self._check_person(person, audience)
        respond(**message)

    def open_view(
        self, *, team_id: str, trigger_id: str, person: Person, view: dict[str, Any]
    ) -> None:
        """views.open: our forms show accounts and people, so only for our people."""
        self._check_person(person, Audience.internal)
        self.client(team_id).views_open(trigger_id=trigger_id, view=view)

    def publish_home(
        self,
        *,
        team_id: str,
        person: Person,
        view: dict[str, Any],
        audience: Audience = Audience.internal,
    ) -> None:
        """views.publish: a person's App Home tab, seen by them alone. With their accounts
        and promises (internal) only for our people; anyone else gets only a line for anyone."""
        self._check_person(person, audience)
        self.client(team_id).views_publish(user_id=person.user_id, view=view)

    # -- plumbing the outbox needs (no message content) ------------------------------------------
    def open_dm(self, team_id: str, user: str) -> str:
        return str(self.client(team_id).conversations_open(users=user)["channel"]["id"])

    def join(self, team_id: str, channel: str) -> None:
        self.client(team_id).conversations_join(channel=channel)

    def history(
        self, team_id: str, channel: str, oldest: float, thread_ts: str | None = None
    ) -> list[dict[str, Any]]:
        """The channel's messages since `oldest`, with their metadata; a thread's replies
        when `thread_ts` is given (replies are not in the channel's history)."""
        since, client = f"{oldest:.6f}", self.client(team_id)
        if thread_ts:
            response = client.conversations_replies(
                channel=channel, ts=thread_ts, oldest=since, include_all_metadata=True, limit=200
            )
        else:
            response = client.conversations_history(
                channel=channel, oldest=since, include_all_metadata=True, limit=200
            )
        return list(response.get("messages", []))

    # -- reading (what a handler gathers before a service runs) ------------------------------------
    def thread(
        self, team_id: str, channel: str, ts: str, *, limit: int = 200
    ) -> list[dict[str, Any]]:
        """conversations.replies: the thread's messages so far, parent first ([] when Slack
        would not say)."""
        try:
            replies = self.client(team_id).conversations_replies(
                channel=channel, ts=ts, limit=limit
            )
            return list(replies["messages"])
        except Exception as error:
            log.warning("conversations.replies %s %s: %s", channel, ts, error)
            return []

    def members(self, team_id: str, channel: str, *, limit: int = 200) -> list[str] | None:
        """conversations.members: up to `limit` of the channel's members, Steward itself left
        out (None when Slack would not say)."""
        try:
            found = self.client(team_id).conversations_members(channel=channel, limit=limit)[
                "members"
            ]
        except Exception as error:
            log.warning("conversations.members %s: %s", channel, error)
            return None
        me = self.directory.home(team_id).bot_user_id
        return [str(m) for m in found[:limit] if m != me]

    def permalink(self, team_id: str, channel: str, ts: str) -> str | None:
        """chat.getPermalink: a link to the message (None when Slack would not say)."""
        try:
            return str(
                self.client(team_id).chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
            )
        except Exception as error:
            log.warning("chat.getPermalink %s %s: %s", channel, ts, error)
            return None
