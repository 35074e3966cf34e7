"""Signs a relationship is going bad, for the digest: a key account too quiet to trust (it has
raised nothing with us for long: the seeds' "most convincing sign of a deteriorating
relationship is the absence of complaints"), and stage moves down. Set-based like queries.py:
one query per kind for every rep who shares a workspace and a local day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, literal, or_
from sqlalchemy import select as rows_of
from sqlmodel import Session, col, select

from bot.accounts.queries import stage_rank_sql
from bot.contacts.last import LAST_ON
from bot.db import day_of, days_before
from bot.digest.queries import DIGEST, among, as_date
from bot.models import Account, Case, Interaction, NudgeLedger, StageMove, Tier

QUIET_TIERS = (Tier.strategic, Tier.key)
STAGE_LOOKBACK = 7  # days of stage moves down shown to a rep who had no digest lately
LEDGER_LOOKBACK = 31  # days of the digest ledger read to find a rep's previous digest


@dataclass
class QuietAccount:
    """A key or strategic account that has raised nothing with us (no case, no concern in a
    logged contact, no message from its people in its channel) for longer than its threshold."""

    account_id: int
    name: str
    slug: str
    days: int  # since it last raised anything (or was added)
    threshold: int
    last_on: date | None  # its last logged contact, of any kind: quiet is not silent


@dataclass
class StageDown:
    """A stage move down on a rep's account."""

    account_id: int
    name: str
    slug: str
    from_stage: str
    to_stage: str
    reason: str
    moved_by: str
    moved_at: datetime


def _latest(column: Any, *where: Any) -> Any:
    """SQL for the latest `column` among one account's rows (correlated: an index look-up)."""
    table = column.class_
    return (
        select(func.max(column))
        .where(col(table.account_id) == col(Account.id), *where)
        .correlate(Account)
        .scalar_subquery()
    )


def quiet(
    session: Session, team_id: str, owners: list[str] | None, day: date, default: int
) -> list[tuple[str, QuietAccount]]:
    """(owner, account) for every key or strategic account that has raised nothing with us for
    longer than its threshold on `day`: no case opened on it, no logged contact flagged as a
    concern, no message from its people in its channel, counted from when it was added.

    One query: no sign of life since the cutoff is an anti-join (the concerns on a partial
    index of the few concern rows); only the quiet accounts come back, each with its latest
    signs (index look-ups) to say how long it has been quiet and when we last talked."""
    threshold = func.coalesce(Account.quiet_days, default)
    cutoff = days_before(literal(day), threshold)
    concern = col(Interaction.concern)  # written as the partial index says it, per dialect
    concerned = exists().where(
        col(Interaction.account_id) == col(Account.id),
        concern,
        col(Interaction.occurred_on) >= cutoff,
    )
    raised = exists().where(
        col(Case.account_id) == col(Account.id), day_of(col(Case.created_at)) >= cutoff
    )
    query = rows_of(
        col(Account.owner_id),
        col(Account.id),
        col(Account.name),
        col(Account.slug),
        threshold,
        day_of(Account.created_at),
        day_of(Account.client_spoke_at),
        _latest(col(Interaction.occurred_on), concern),
        day_of(_latest(col(Case.created_at))),
        LAST_ON,
    ).where(
        col(Account.team_id) == team_id,
        col(Account.archived_at).is_(None),
        col(Account.tier).in_([t.value for t in QUIET_TIERS]),
        *among(Account.owner_id, owners),
        day_of(Account.created_at) < cutoff,
        or_(col(Account.client_spoke_at).is_(None), day_of(Account.client_spoke_at) < cutoff),
        ~concerned,
        ~raised,
    )
    found = []
    for owner, id_, name, slug, limit, *signs, last_on in session.connection().execute(query):
        since = max(as_date(sign) for sign in signs if sign is not None)
        last_day = as_date(last_on) if last_on is not None else None
        found.append((owner, QuietAccount(id_, name, slug, (day - since).days, limit, last_day)))
    return found


def previous_digests(
    session: Session, team_id: str, users: list[str] | None, day: date
) -> dict[str, datetime]:
    """When each rep's previous digest (before `day`, within LEDGER_LOOKBACK days) was judged:
    what happened before it, it has already shown."""
    rows = session.exec(
        select(col(NudgeLedger.user_id), func.max(NudgeLedger.created_at))
        .where(
            NudgeLedger.team_id == team_id,
            NudgeLedger.kind == DIGEST,
            col(NudgeLedger.local_day) < day,
            col(NudgeLedger.local_day) >= day - timedelta(days=LEDGER_LOOKBACK),
            *among(NudgeLedger.user_id, users),
        )
        .group_by(col(NudgeLedger.user_id))
    ).all()
    return {user: at for user, at in rows if at is not None}


def stage_downs(
    session: Session, team_id: str, owners: list[str] | None, since: datetime
) -> list[tuple[str, StageDown]]:
    """(owner, move) for every stage move down since `since` on the owners' live accounts,
    oldest first."""
    query = (
        rows_of(
            col(Account.owner_id),
            col(Account.id),
            col(Account.name),
            col(Account.slug),
            col(StageMove.from_stage),
            col(StageMove.to_stage),
            col(StageMove.reason),
            col(StageMove.moved_by),
            col(StageMove.moved_at),
        )
        .join(Account, col(Account.id) == col(StageMove.account_id))
        .where(
            col(Account.team_id) == team_id,
            col(Account.archived_at).is_(None),
            col(StageMove.moved_at) >= since,
            stage_rank_sql(col(StageMove.to_stage)) < stage_rank_sql(col(StageMove.from_stage)),
            *among(Account.owner_id, owners),
        )
        .order_by(col(StageMove.moved_at), col(StageMove.id))
    )
    return [
        (owner, StageDown(id_ or 0, name, slug, from_, to, reason, by, at))
        for owner, id_, name, slug, from_, to, reason, by, at in session.connection().execute(
            query
        )
    ]


def account_in(session: Session, team_id: str, channel_id: str) -> int | None:
    """The account whose own channel (the one it shares with the client) this is."""
    return session.exec(
        select(Account.id).where(Account.team_id == team_id, Account.channel_id == channel_id)
    ).first()
