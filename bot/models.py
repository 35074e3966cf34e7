"""The nouns of DESIGN.md as SQLModel tables. Datetimes are aware UTC; days are local dates."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint, text
from sqlalchemy.types import JSON
from sqlmodel import Field, SQLModel

from bot.delivery_tables import ChannelPace as ChannelPace  # registers the tables
from bot.delivery_tables import DmChannel as DmChannel


class Tier(StrEnum):
    strategic = "strategic"
    key = "key"
    standard = "standard"


class Stage(StrEnum):
    """The six relationship stages, from cold to partner."""

    rejecting = "rejecting"
    detached = "detached"
    responsive = "responsive"
    convinced = "convinced"
    cooperating = "cooperating"
    strategic = "strategic"


class InteractionKind(StrEnum):
    call = "call"
    meeting = "meeting"
    email = "email"
    visit = "visit"
    message = "message"
    demo = "demo"
    training = "training"
    other = "other"


class PromiseStatus(StrEnum):
    open = "open"
    kept = "kept"
    broken = "broken"
    cancelled = "cancelled"


class Audience(StrEnum):
    """Who a message is written for: our people only, or the client too."""

    internal = "internal"
    client = "client"


class Standing(StrEnum):
    """A channel's standing, as last checked with Slack."""

    internal = "internal"  # only our organisation's people
    shared = "shared"  # shared with another organisation (Slack Connect), or unsure
    dm = "dm"  # a direct message with one of our people


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    unknown = "unknown"  # a send whose outcome is unknown: checked before it is tried again
    sent = "sent"
    failed = "failed"
    expired = "expired"
    held = "held"  # refused by the exit (internal content, shared channel): kept, never sent


class BuyingRole(StrEnum):
    initiator = "initiator"
    user = "user"
    influencer = "influencer"
    gatekeeper = "gatekeeper"
    buyer = "buyer"
    decider = "decider"
    approver = "approver"


class Attitude(StrEnum):
    """A key contact's attitude to us, warmest first."""

    champion = "champion"
    supporter = "supporter"
    neutral = "neutral"
    sceptic = "sceptic"
    opponent = "opponent"


class EventKind(StrEnum):
    """What an `AccountEvent` records: changes kept in the account's story."""

    contact_edited = "contact_edited"  # a logged contact (L-12) re-worded, re-dated…
    contact_deleted = "contact_deleted"
    person_added = "person_added"  # a key contact at the client
    person_changed = "person_changed"
    person_removed = "person_removed"
    promise_reassigned = "promise_reassigned"
    promise_reworded = "promise_reworded"
    promise_reopened = "promise_reopened"
    renamed = "renamed"
    archived = "archived"
    unarchived = "unarchived"
    assessed = "assessed"  # buys / competitors / perception changed


class Account(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("team_id", "slug", name="uq_account_slug"),
        UniqueConstraint("team_id", "channel_id", name="uq_account_channel"),
        Index("ix_account_team_name_key", "team_id", "name_key"),
        Index("ix_account_owner", "team_id", "owner_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, description="casefolded name, for matching")
    slug: str = Field(max_length=80)
    owner_id: str = Field(max_length=32)
    channel_id: str | None = Field(default=None, max_length=32)
    internal_channel_id: str | None = Field(
        default=None, max_length=32, description="our own channel about the account"
    )
    clients_may_route: bool = True  # the client's people may `@Steward route` in its channel
    tier: str = Field(default=Tier.standard, max_length=16)
    stage: str = Field(default=Stage.responsive, max_length=16)
    silence_days: int | None = None
    quiet_days: int | None = None  # `quiet:<N>d`: too quiet to trust after N days (default 60)
    buys: str | None = Field(default=None, max_length=1000)  # what they buy from us
    competitors: str | None = Field(default=None, max_length=1000)  # and from whom else, why
    perception: str | None = Field(default=None, max_length=1000)  # how they see us
    client_spoke_at: datetime | None = None  # last message of the client's people in its channel
    last_contact_on: date | None = None  # its last logged contact's day, kept: contacts/last.py
    archived_at: datetime | None = None  # archived: no nudges, hidden from lists, story kept
    created_at: datetime
    created_by: str = Field(max_length=32)


class StageMove(SQLModel, table=True):
    """One move of an account along the six stages: who, when, from, to and why."""

    __tablename__ = "stage_move"
    __table_args__ = (Index("ix_stage_move_account_at", "account_id", "moved_at"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    from_stage: str = Field(max_length=16)
    to_stage: str = Field(max_length=16)
    reason: str = Field(max_length=1000)
    moved_by: str = Field(max_length=32)
    moved_at: datetime


class AccountEvent(SQLModel, table=True):
    """A change kept in the account's story (an edited or deleted contact, a reassigned
    promise, a rename…): `subject` is the label it is about (L-12, P-3), `detail` what changed."""

    __tablename__ = "account_event"
    __table_args__ = (Index("ix_account_event_account_at", "account_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    kind: str = Field(max_length=32)
    subject: str | None = Field(default=None, max_length=32)
    detail: str = Field(max_length=3000)
    by: str = Field(max_length=32)
    at: datetime


class Contact(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("account_id", "name_key", name="uq_contact_name"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200)
    title: str | None = Field(default=None, max_length=200)
    roles: str = Field(default="", max_length=120)  # buying-centre roles, "a,b"; "": unknown
    attitude: str | None = Field(default=None, max_length=16)
    looks_after: str | None = Field(default=None, max_length=32)  # which of our people
    removed_at: datetime | None = None  # no longer a key contact; their logged contacts stay
    created_at: datetime


class Interaction(SQLModel, table=True):
    __table_args__ = (
        Index("ix_interaction_account_day", "account_id", "occurred_on"),
        # the few concern rows, for the digest's "too quiet to trust" (bot/digest/signs.quiet)
        Index(
            "ix_interaction_concern",
            "account_id",
            "occurred_on",
            sqlite_where=text("concern = 1"),  # as SQLAlchemy writes it there
            postgresql_where=text("concern"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    kind: str = Field(default=InteractionKind.other, max_length=16)
    occurred_on: date
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    summary: str = Field(max_length=3000)
    concern: bool = False  # the summary raises a concern (the client complained, worried…)
    logged_by: str = Field(max_length=32)
    created_at: datetime


class Promise(SQLModel, table=True):
    __table_args__ = (
        Index("ix_promise_owner_status_due", "owner_id", "status", "due_on"),
        Index("ix_promise_account_status", "account_id", "status"),
        Index("ix_promise_status_due", "status", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    what: str = Field(max_length=1000)
    owner_id: str = Field(max_length=32)
    due_on: date
    status: str = Field(default=PromiseStatus.open, max_length=16)
    created_by: str = Field(max_length=32)
    created_at: datetime
    closed_at: datetime | None = None
    closed_by: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=1000)
    internal: bool = False  # confirmed in our own channel (or the owner's DM), not the client's


class Member(SQLModel, table=True):
    """A person Slack told us about (users.info, cached): their organisation, name and time
    zone, and, for our people, their preferences. `team_id` is the workspace Steward serves."""

    team_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    tz: str | None = Field(default=None, max_length=64)
    tz_fetched_at: datetime | None = None  # when users.info last answered for this person
    org_team_id: str | None = Field(default=None, max_length=32)  # their own workspace
    org_enterprise_id: str | None = Field(default=None, max_length=32)
    name: str | None = Field(default=None, max_length=200)
    locale: str | None = Field(default=None, max_length=16)  # users.info's, e.g. en-US, pl-PL
    digest_time: str | None = Field(default=None, max_length=5)  # "HH:MM"; None: 09:00
    digest_off: bool = False
    home_opened_at: datetime | None = None  # they have a Home tab to keep fresh


class OutboxMessage(SQLModel, table=True):
    """A message to Slack not yet delivered; `key` makes enqueueing idempotent."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
        Index("ix_outbox_channel_ts", "channel", "ts"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    team_id: str | None = Field(default=None, max_length=32)  # whose token sends it (None: the one)
    channel: str = Field(max_length=32)
    text: str
    blocks: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    thread_ts: str | None = Field(default=None, max_length=32)
    thread_key: str | None = Field(
        default=None, max_length=200, description="post in the thread of this outbox message"
    )
    status: str = Field(default=OutboxStatus.pending, max_length=16)
    audience: str = Field(default=Audience.internal, max_length=16)
    account_id: int | None = None  # whose content it is: never posted in another account's channel
    caused_by: str | None = Field(default=None, max_length=32)  # told if held or failed for good
    attempts: int = 0
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None = None
    ts: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, max_length=500)
    expires_at: datetime | None = None  # not delivered by then: dropped (a digest of a past day)
    lease_owner: str | None = Field(default=None, max_length=80)  # the sender: host:pid:random
    lease_until: datetime | None = None  # `sending` past this: taken over, checked before a retry


class NudgeLedger(SQLModel, table=True):
    """The digest ledger (its table keeps an older name): one row per digest judged, (workspace,
    rep, kind, rep's local day) only once.

    Written in the transaction that queues the message, so a second run, a second scheduler or
    a restart finds it and sends nothing.
    """

    __tablename__ = "nudge_ledger"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id", "kind", "local_day", name="uq_nudge_once"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    kind: str = Field(max_length=32)
    local_day: date
    outbox_key: str = Field(max_length=200)
    created_at: datetime


class Snooze(SQLModel, table=True):
    """A digest item a rep has put aside until `until` (their local day)."""

    __table_args__ = (
        UniqueConstraint("team_id", "user_id", "item_kind", "item_id", name="uq_snooze_item"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    item_kind: str = Field(max_length=16)  # "account" | "promise"
    item_id: int
    until: date
    created_at: datetime


class SeenEvent(SQLModel, table=True):
    """Events Slack delivered that we have handled: a retry (same event_id) is dropped."""

    __tablename__ = "seen_event"

    event_id: str = Field(primary_key=True, max_length=64)
    seen_at: datetime


class ChannelState(SQLModel, table=True):
    """A channel's standing as last checked (conversations.info, and Slack's channel events)."""

    __tablename__ = "channel_state"

    channel_id: str = Field(primary_key=True, max_length=32)
    standing: str = Field(max_length=16)
    dm_user: str | None = Field(default=None, max_length=32)  # for a DM: the person in it
    checked_at: datetime


class CaseStatus(StrEnum):
    open = "open"
    taken = "taken"
    resolved = "resolved"


class Route(SQLModel, table=True):
    """Our channel for a function (finance, logistics…); `account_id` 0 is the default route.
    `tz` and `workdays` are the counterpart team's working week (09:00–17:00 there): a case
    ages by them. No `tz`: UTC."""

    __table_args__ = (
        UniqueConstraint("team_id", "function", "account_id", name="uq_route_function"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    function: str = Field(max_length=40)
    account_id: int = 0
    channel_id: str = Field(max_length=32)
    created_by: str = Field(max_length=32)
    created_at: datetime
    tz: str | None = Field(default=None, max_length=64)  # IANA name, e.g. America/New_York
    workdays: str = Field(default="mon,tue,wed,thu,fri", max_length=32)


class Case(SQLModel, table=True):
    """A client thread routed to our counterpart team, tracked until it is resolved.

    The case's post in the counterpart channel is the outbox message keyed `keys.case_post(id)`;
    its thread is the case thread. Once Slack has it, where it is (`post_channel`, `post_ts`)
    is recorded here, so a case thread leads to its case. A thread may be routed again once
    its case is resolved.
    """

    __table_args__ = (
        UniqueConstraint("team_id", "origin_channel", "source_key", name="uq_case_source"),
        Index("ix_case_origin", "origin_channel", "origin_ts"),
        Index("ix_case_account_status", "account_id", "status"),
        Index("ix_case_post", "post_channel", "post_ts"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    account_id: int = Field(foreign_key="account.id")
    function: str = Field(max_length=40)
    status: str = Field(default=CaseStatus.open, max_length=16)
    origin_channel: str = Field(max_length=32)
    origin_ts: str = Field(max_length=32)  # the origin thread's root
    source_key: str = Field(max_length=64)  # what asked for it: the same request opens one case
    counterpart_channel: str = Field(max_length=32)
    raised_by: str = Field(max_length=32)
    note: str | None = Field(default=None, max_length=3000)
    taken_by: str | None = Field(default=None, max_length=32)
    resolved_by: str | None = Field(default=None, max_length=32)
    resolution: str | None = Field(default=None, max_length=3000)
    created_at: datetime
    resolved_at: datetime | None = None
    nudged_at: datetime | None = None  # the last aging nudge
    nudges: int = 0  # aging nudges said so far (each once: its outbox key has its number)
    post_channel: str | None = Field(default=None, max_length=32)  # the case post, once sent
    post_ts: str | None = Field(default=None, max_length=32)


def stored_id(row_id: int | None) -> int:
    """A row's id once it is stored (flushed): SQLModel types ids as optional until then."""
    if row_id is None:
        raise ValueError("the row has no id yet: flush it first")
    return row_id
