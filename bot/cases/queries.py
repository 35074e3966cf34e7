"""What the cases feature reads from the database (and the one insert event de-duplication
needs: it is a question, "seen before?", answered by the primary key)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot import keys
from bot.db import Database
from bot.models import Account, Case, CaseStatus, OutboxMessage, Route, SeenEvent


# -- routes ------------------------------------------------------------------------------------
def routes(session: Session, team_id: str) -> list[Route]:
    return list(
        session.exec(
            select(Route)
            .where(Route.team_id == team_id)
            .order_by(col(Route.function), col(Route.account_id))
        ).all()
    )


def route_at(session: Session, team_id: str, function: str, scope: int) -> Route | None:
    """The route set for exactly this function and scope (an account's id, or 0 for all)."""
    return session.exec(
        select(Route).where(
            Route.team_id == team_id, Route.function == function, Route.account_id == scope
        )
    ).first()


def functions_for(session: Session, team_id: str, account: Account | None) -> list[str]:
    """Functions that have a counterpart for this account (its own or the default)."""
    ids = {0, account.id if account else 0}
    return sorted({r.function for r in routes(session, team_id) if r.account_id in ids})


def counterpart(session: Session, team_id: str, function: str, account: Account) -> Route | None:
    found = session.exec(
        select(Route).where(
            Route.team_id == team_id,
            Route.function == function,
            col(Route.account_id).in_((0, account.id)),
        )
    ).all()
    return max(found, key=lambda r: r.account_id, default=None)  # the account's own first


# -- cases -------------------------------------------------------------------------------------
def live_case(
    session: Session, team_id: str, channel: str, thread_ts: str, function: str
) -> Case | None:
    """The unresolved case this thread already is for this function, if any."""
    return session.exec(
        select(Case).where(
            Case.team_id == team_id,
            Case.origin_channel == channel,
            Case.origin_ts == thread_ts,
            Case.function == function,
            Case.status != CaseStatus.resolved,
        )
    ).first()


def case_from_origin(session: Session, channel: str, thread_ts: str) -> Case | None:
    """The case this origin thread raised: its live one, else the one resolved last."""
    return session.exec(
        select(Case)
        .where(Case.origin_channel == channel, Case.origin_ts == thread_ts)
        .order_by(col(Case.status) == CaseStatus.resolved, col(Case.id).desc())
    ).first()


def case_by_post(session: Session, channel: str, ts: str) -> Case | None:
    """The case whose post (as recorded on the case) is this message."""
    found = select(Case).where(Case.post_channel == channel, Case.post_ts == ts)
    return session.exec(found).first()


def outbox_key_at(session: Session, channel: str, ts: str) -> str | None:
    """The key of the outbox message Slack delivered as this message, if it is one of ours."""
    return session.exec(
        select(OutboxMessage.key).where(OutboxMessage.channel == channel, OutboxMessage.ts == ts)
    ).first()


def unrecorded_posts(session: Session, channel: str) -> list[Case]:
    """Cases posted to this counterpart channel whose post is not yet recorded on them."""
    return list(
        session.exec(
            select(Case).where(Case.counterpart_channel == channel, col(Case.post_ts).is_(None))
        ).all()
    )


def post_of(session: Session, case: Case) -> OutboxMessage | None:
    """The case's post as queued in the outbox (found by its exact key)."""
    return session.exec(
        select(OutboxMessage).where(OutboxMessage.key == keys.case_post(case.id))
    ).first()


def case_list(
    session: Session,
    team_id: str,
    *,
    mine: str | None = None,
    account_id: int | None = None,
    resolved_too: bool = False,
    limit: int = 40,
) -> list[tuple[Case, Account]]:
    """Cases newest first: those `mine` took, raised or owns the account of; one account's."""
    query = (
        select(Case, Account)
        .join(Account, col(Account.id) == col(Case.account_id))
        .where(Case.team_id == team_id)
    )
    if mine is not None:
        query = query.where(
            (Case.taken_by == mine) | (Case.raised_by == mine) | (Account.owner_id == mine)
        )
    if account_id is not None:
        query = query.where(Case.account_id == account_id)
    if not resolved_too:
        query = query.where(Case.status != CaseStatus.resolved)
    return [(c, a) for c, a in session.exec(query.order_by(col(Case.id).desc()).limit(limit))]


def waiting_cases(session: Session) -> list[tuple[int, str]]:
    """Open cases nobody has taken (the aging job nudges them until someone does), on accounts
    not archived (an archived account sends no nudges): each id with its workspace."""
    found = (
        select(Case.id, Case.team_id)
        .join(Account, col(Account.id) == col(Case.account_id))
        .where(Case.status == CaseStatus.open, col(Account.archived_at).is_(None))
        .order_by(col(Case.id))
    )
    return [(i, team) for i, team in session.exec(found).all() if i is not None]


def route_of(session: Session, case: Case) -> Route | None:
    """The route the case's function takes for its account now (its own, else the default)."""
    found = session.exec(
        select(Route).where(
            Route.team_id == case.team_id,
            Route.function == case.function,
            col(Route.account_id).in_((0, case.account_id)),
        )
    ).all()
    return max(found, key=lambda r: r.account_id, default=None)


def count_nudge(session: Session, case_id: int, seen: int, nudges: int, at: datetime) -> bool:
    """Record that the case has had `nudges` nudges, if it still has the `seen` this process
    read and is still waiting: False when another run got there first, or someone took it."""
    done = session.connection().execute(
        update(Case)
        .where(
            col(Case.id) == case_id,
            col(Case.nudges) == seen,
            col(Case.status) == CaseStatus.open,
        )
        .values(nudges=nudges, nudged_at=at)
    )
    return bool(done.rowcount)


def open_cases_for(
    session: Session, team_id: str, owners: list[str] | None
) -> list[tuple[Case, Account]]:
    """Unresolved cases on the accounts these reps own (all of the workspace's when None)."""
    query = (
        select(Case, Account)
        .join(Account, col(Account.id) == col(Case.account_id))
        .where(Case.team_id == team_id, Case.status != CaseStatus.resolved)
    )
    if owners is not None:
        query = query.where(col(Account.owner_id).in_(owners))
    return [(c, a) for c, a in session.exec(query.order_by(col(Case.id))).all()]


# -- seen before? ------------------------------------------------------------------------------
def seen_before(session: Session, key: str) -> bool:
    return session.get(SeenEvent, key[:64]) is not None


def first_sighting(db: Database, key: str, now: datetime) -> bool:
    """True the first time `key` (an event_id) is recorded, in a transaction of its own;
    False ever after (Slack's retries of an event carry the same event_id)."""
    try:
        with db.session() as session:
            session.add(SeenEvent(event_id=key[:64], seen_at=now))
    except IntegrityError:
        return False
    return True
