"""The digest's reads, set-based: one query per kind of item for every rep who shares a
workspace and a local day, never one per account or per rep."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import and_, case, func, literal, or_
from sqlalchemy import select as rows_of  # more columns than sqlmodel.select types
from sqlmodel import Session, col, select

from bot import keys
from bot.contacts.last import LAST_ON, ON_LAST
from bot.db import day_of, days_before
from bot.models import (
    Account,
    Interaction,
    Member,
    NudgeLedger,
    OutboxMessage,
    OutboxStatus,
    Promise,
    PromiseStatus,
    Snooze,
    Tier,
)

DIGEST = "digest"  # the digest ledger's `kind` for the daily digest
ESCALATE_AFTER = 3  # days overdue before the account's owner hears of someone else's promise
CHUNK = 5000  # ids per IN (...) list: far under SQLite's and PostgreSQL's parameter limits

Snoozed = set[tuple[str, str, int]]
"""(rep, item kind, item id) put aside on a given day."""


@dataclass(frozen=True)
class Candidate:
    """Someone who may get a digest, with their preferences (None: never set)."""

    team_id: str
    user_id: str
    tz: str | None = None
    digest_time: str | None = None
    digest_off: bool = False


@dataclass
class SilentAccount:
    account_id: int
    name: str
    slug: str
    days: int
    threshold: int
    last_on: date | None = None
    last_summary: str | None = None
    quiet_for: int | None = None  # also too quiet to trust (signs.py): days nothing raised


@dataclass
class DueItem:
    promise_id: int
    what: str
    owner_id: str
    due_on: date
    account_name: str
    account_owner_id: str


def chunks(items: list[Any], size: int = CHUNK) -> list[list[Any]]:
    iterator = iter(items)
    return list(iter(lambda: list(islice(iterator, size)), []))


def among(column: Any, users: list[str] | None) -> list[Any]:
    """The filter on `column` for these users; none when they are the whole workspace."""
    return [] if users is None else [col(column).in_(users)]


# -- who may be due ----------------------------------------------------------------------------
def candidates(session: Session) -> list[Candidate]:
    """Everyone who owns an account or an open promise, with their Member preferences if any
    (as rows: the fields, not ORM objects; this runs every tick).

    Three index-only reads instead of one UNION over promises joined to accounts: people who
    hold promises but own no account are few, and only their workspace is looked up.
    """
    people = set(session.exec(select(Account.team_id, Account.owner_id).distinct()).all())
    holders = set(
        session.exec(
            select(Promise.owner_id).where(Promise.status == PromiseStatus.open).distinct()
        ).all()
    )
    others = list(holders - {user for _, user in people})
    for chunk in chunks(others):
        people.update(
            session.exec(
                select(Account.team_id, Promise.owner_id)
                .join(Account, col(Account.id) == col(Promise.account_id))
                .where(Promise.status == PromiseStatus.open, col(Promise.owner_id).in_(chunk))
                .distinct()
            ).all()
        )
    prefs = rows_of(
        col(Member.team_id),
        col(Member.user_id),
        col(Member.tz),
        col(Member.digest_time),
        col(Member.digest_off),
    )
    members = {(m[0], m[1]): m for m in session.connection().execute(prefs).all()}
    found = []
    for team, user in sorted(people):
        member = members.get((team, user))
        found.append(
            Candidate(team, user, member[2], member[3], bool(member[4]))
            if member
            else Candidate(team, user)
        )
    return found


def digests_done(session: Session, days: Iterable[date]) -> set[tuple[str, str, date]]:
    """(workspace, rep, local day) of every digest already in the digest ledger on `days`."""
    rows = session.exec(
        select(
            col(NudgeLedger.team_id), col(NudgeLedger.user_id), col(NudgeLedger.local_day)
        ).where(NudgeLedger.kind == DIGEST, col(NudgeLedger.local_day).in_(set(days)))
    ).all()
    return {(team, user, day) for team, user, day in rows}


# -- what each should read ---------------------------------------------------------------------
def threshold_sql(tiers: Mapping[str, int]) -> Any:
    """SQL for each account's silence threshold (see accounts.silence_threshold)."""
    by_tier = case(
        *((col(Account.tier) == tier, days) for tier, days in tiers.items()),
        else_=tiers[Tier.standard],
    )
    return func.coalesce(Account.silence_days, by_tier)


def snoozed(session: Session, team_id: str, users: list[str] | None, day: date) -> Snoozed:
    rows = session.exec(
        select(Snooze.user_id, Snooze.item_kind, Snooze.item_id).where(
            Snooze.team_id == team_id, col(Snooze.until) > day, *among(Snooze.user_id, users)
        )
    ).all()
    return {(user, kind, item) for user, kind, item in rows}


def silent(
    session: Session, team_id: str, owners: list[str] | None, day: date, tiers: Mapping[str, int]
) -> list[tuple[str, SilentAccount]]:
    """(owner, account) for every account silent past its threshold on `day`: its last contact
    is kept on it, so this reads accounts only, however many contacts were ever logged."""
    since = func.coalesce(LAST_ON, day_of(Account.created_at))
    threshold = threshold_sql(tiers)
    columns = (col(Account.owner_id), col(Account.id), col(Account.name), col(Account.slug))
    query = rows_of(*columns, since, threshold).where(
        col(Account.team_id) == team_id,
        col(Account.archived_at).is_(None),
        since < days_before(literal(day), threshold),
        *among(Account.owner_id, owners),
    )
    rows = session.connection().execute(query).all()
    return [
        (owner, SilentAccount(id_, name, slug, (day - as_date(since_on)).days, limit))
        for owner, id_, name, slug, since_on, limit in rows
    ]


def as_date(value: date | str) -> date:
    """SQLite hands back computed dates as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


DUE_COLUMNS = (
    col(Promise.id),
    col(Promise.what),
    col(Promise.owner_id),
    col(Promise.due_on),
    col(Account.name),
    col(Account.owner_id),
)
"""What a due promise is read as (the digest's and App Home's): rows for `due_items`."""


def due_items(rows: Iterable[Any]) -> list[DueItem]:
    return [
        DueItem(id_ or 0, what, owner, due_on, name, account_owner)
        for id_, what, owner, due_on, name, account_owner in rows
    ]


def due(session: Session, team_id: str, users: list[str] | None, day: date) -> list[DueItem]:
    """Open promises the reps own that are due by tomorrow, and those long overdue on the
    accounts they own that someone else owns (escalations)."""
    tomorrow = day + timedelta(days=1)
    wanted: Any = col(Promise.due_on) <= tomorrow  # escalations are overdue: a subset
    if users is not None:
        wanted = or_(
            and_(col(Promise.owner_id).in_(users), wanted),
            and_(
                col(Account.owner_id).in_(users),
                col(Promise.owner_id) != col(Account.owner_id),
                col(Promise.due_on) < day - timedelta(days=ESCALATE_AFTER),
            ),
        )
    query = (
        rows_of(*DUE_COLUMNS)
        .join(Account, col(Account.id) == col(Promise.account_id))
        .where(
            col(Account.team_id) == team_id,
            col(Account.archived_at).is_(None),
            col(Promise.status) == PromiseStatus.open,
            wanted,
        )
        .order_by(col(Promise.due_on), col(Promise.id))
    )
    return due_items(session.connection().execute(query))  # Core: no ORM bookkeeping per row


def last_summaries(session: Session, silent: list[SilentAccount]) -> None:
    """The last contact of each silent account (only those: the digest shows them): the newest
    of its contacts on its last day (index look-ups on (account, day))."""
    by_id = {s.account_id: s for s in silent}
    for chunk in chunks(list(by_id)):
        latest = (
            select(
                col(Interaction.account_id),
                col(Interaction.occurred_on),
                col(Interaction.summary),
                func.row_number()
                .over(partition_by=col(Interaction.account_id), order_by=col(Interaction.id).desc())
                .label("n"),
            )
            .join(Account, ON_LAST)
            .where(col(Account.id).in_(chunk))
            .subquery()
        )
        rows = session.exec(
            select(latest.c.account_id, latest.c.occurred_on, latest.c.summary).where(
                latest.c.n == 1
            )
        ).all()
        for account_id, occurred_on, summary in rows:
            by_id[account_id].last_on = occurred_on
            by_id[account_id].last_summary = summary


# -- snoozes -----------------------------------------------------------------------------------
def snooze_row(
    session: Session, team_id: str, user_id: str, kind: str, item_id: int
) -> Snooze | None:
    return session.exec(
        select(Snooze).where(
            Snooze.team_id == team_id,
            Snooze.user_id == user_id,
            Snooze.item_kind == kind,
            Snooze.item_id == item_id,
        )
    ).first()


@dataclass(frozen=True)
class Posted:
    """A digest Slack has: where it is, for whom, for which of their days."""

    user_id: str
    day: date
    channel: str
    ts: str


def posted_digest(session: Session, team_id: str, user_id: str, day: date) -> Posted | None:
    """The rep's digest of `day`, if it was sent (a click rewrites it; so does a change made
    elsewhere to what it shows)."""
    ledger = session.exec(
        select(NudgeLedger).where(
            NudgeLedger.team_id == team_id,
            NudgeLedger.user_id == user_id,
            NudgeLedger.kind == DIGEST,
            NudgeLedger.local_day == day,
        )
    ).first()
    if ledger is None or not ledger.outbox_key:
        return None
    sent = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.key == ledger.outbox_key, OutboxMessage.status == OutboxStatus.sent
        )
    ).first()
    if sent is None or not sent.ts:
        return None
    return Posted(user_id, day, sent.channel, sent.ts)


def is_digest_of(session: Session, team_id: str, user_id: str, channel: str, ts: str) -> bool:
    """Whether the message at (channel, ts) is one of this rep's own digests: a click may
    only rewrite that, never a message a forged container points at."""
    sent = session.exec(
        select(OutboxMessage).where(OutboxMessage.channel == channel, OutboxMessage.ts == ts)
    ).first()
    return sent is not None and sent.key.startswith(keys.digest_prefix(team_id, user_id))
