"""What an account's assessment is read from: a few grouped aggregates for any number of
accounts at once (the card reads one; App Home reads a person's accounts in the same five
queries), and the card's bounded lists (the last contact, moves, key contacts, promises).

Never one query per account, never a whole table: every read is an aggregate grouped by
account or a list with a LIMIT, so an account with 5,000 logged contacts and 200 key contacts
costs what one with five does (bench/card.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func
from sqlalchemy import select as rows_of  # more columns than sqlmodel.select types
from sqlmodel import Session, col, select

from bot.db import day_of
from bot.models import (
    Attitude,
    BuyingRole,
    Case,
    CaseStatus,
    Contact,
    Interaction,
    Promise,
    PromiseStatus,
    Stage,
    StageMove,
)

WINDOW = timedelta(days=90)  # promises kept on time and stage moves are judged over this
SHOWN_CONTACTS = 10  # key contacts on the card, deciders first
SHOWN_MOVES = 3
SHOWN_PROMISES = 5
CHUNK = 1000  # account ids per IN (...) list


def stage_rank(stage: str) -> int:
    """Where a stage stands from cold (0, rejecting) to partner (5, strategic)."""
    return list(Stage).index(Stage(stage))


def _rank_sql(column: Any) -> Any:
    return case(*((column == s.value, n) for n, s in enumerate(Stage)), else_=0)


@dataclass
class Tally:
    """One account's facts as counted by the database (zero when it has none of a kind)."""

    account_id: int
    last_contact_on: date | None = None
    logged: int = 0  # logged contacts, ever
    last_concern_on: date | None = None  # the last logged contact that raised a concern
    open_promises: int = 0
    overdue: int = 0  # open and past due
    promised: int = 0  # due in the window: kept, broken, or open and overdue
    kept_on_time: int = 0  # of those, kept by their due day
    broken: int = 0  # of those, broken
    open_cases: int = 0
    last_case_at: datetime | None = None
    last_move_at: datetime | None = None
    net_moves: int = 0  # ranks gained (+) or lost (-) by the moves in the window
    moved_down: bool = False  # at least one move down in the window
    contacts: int = 0  # key contacts (not removed)
    lookers: int = 0  # distinct people of ours looking after them
    unlooked: int = 0  # contacts nobody of ours looks after
    looker: str | None = None  # one of those people (the only one, when lookers == 1)
    deciders: int = 0
    opponent_deciders: int = 0


def _as_date(value: date | str | None) -> date | None:
    """SQLite hands back computed dates as text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def tallies(
    session: Session, account_ids: list[int], today: date, now: datetime
) -> dict[int, Tally]:
    """Each account's counts, in five grouped queries for all of them."""
    found = {a: Tally(a) for a in account_ids}
    for ids in _chunks(account_ids):
        _interactions(session, found, ids)
        _promises(session, found, ids, today)
        _cases(session, found, ids)
        _moves(session, found, ids, now)
        _contacts(session, found, ids)
    return found


def _rows(session: Session, query: Any) -> list[Any]:
    return list(session.connection().execute(query).all())  # Core: no ORM work per row


def _interactions(session: Session, found: dict[int, Tally], ids: list[int]) -> None:
    concern = case((col(Interaction.concern), col(Interaction.occurred_on)), else_=None)
    query = (
        rows_of(
            col(Interaction.account_id),
            func.max(Interaction.occurred_on),
            func.count(),
            func.max(concern),
        )
        .where(col(Interaction.account_id).in_(ids))
        .group_by(col(Interaction.account_id))
    )
    for account_id, last, logged, concern_on in _rows(session, query):
        tally = found[account_id]
        tally.last_contact_on, tally.logged = _as_date(last), logged
        tally.last_concern_on = _as_date(concern_on)


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _promises(session: Session, found: dict[int, Tally], ids: list[int], today: date) -> None:
    is_open = col(Promise.status) == PromiseStatus.open
    due = col(Promise.due_on)
    in_window = and_(due >= today - WINDOW, due <= today)
    judged = and_(
        in_window,
        (col(Promise.status).in_((PromiseStatus.kept, PromiseStatus.broken)))
        | and_(is_open, due < today),
    )
    on_time = and_(
        in_window, col(Promise.status) == PromiseStatus.kept, day_of(Promise.closed_at) <= due
    )
    broken = and_(in_window, col(Promise.status) == PromiseStatus.broken)
    query = (
        rows_of(
            col(Promise.account_id),
            _count(is_open),
            _count(and_(is_open, due < today)),
            _count(judged),
            _count(on_time),
            _count(broken),
        )
        .where(col(Promise.account_id).in_(ids), col(Promise.status) != PromiseStatus.cancelled)
        .group_by(col(Promise.account_id))
    )
    for account_id, open_, overdue, promised, kept, broke in _rows(session, query):
        tally = found[account_id]
        tally.open_promises, tally.overdue = int(open_), int(overdue)
        tally.promised, tally.kept_on_time, tally.broken = int(promised), int(kept), int(broke)


def _cases(session: Session, found: dict[int, Tally], ids: list[int]) -> None:
    query = (
        rows_of(
            col(Case.account_id),
            _count(col(Case.status) != CaseStatus.resolved),
            func.max(Case.created_at),
        )
        .where(col(Case.account_id).in_(ids))
        .group_by(col(Case.account_id))
    )
    for account_id, open_cases, last in _rows(session, query):
        found[account_id].open_cases, found[account_id].last_case_at = int(open_cases), last


def _moves(session: Session, found: dict[int, Tally], ids: list[int], now: datetime) -> None:
    gained = _rank_sql(col(StageMove.to_stage)) - _rank_sql(col(StageMove.from_stage))
    recent = col(StageMove.moved_at) >= now - WINDOW
    query = (
        rows_of(
            col(StageMove.account_id),
            func.max(StageMove.moved_at),
            func.coalesce(func.sum(case((recent, gained), else_=0)), 0),
            _count(and_(recent, gained < 0)),
        )
        .where(col(StageMove.account_id).in_(ids))
        .group_by(col(StageMove.account_id))
    )
    for account_id, last, net, down in _rows(session, query):
        tally = found[account_id]
        tally.last_move_at, tally.net_moves, tally.moved_down = last, int(net), int(down) > 0


def _contacts(session: Session, found: dict[int, Tally], ids: list[int]) -> None:
    decider = col(Contact.roles).contains(BuyingRole.decider.value)
    query = (
        rows_of(
            col(Contact.account_id),
            func.count(),
            func.count(func.distinct(Contact.looks_after)),
            _count(col(Contact.looks_after).is_(None)),
            func.min(Contact.looks_after),
            _count(decider),
            _count(and_(decider, col(Contact.attitude) == Attitude.opponent.value)),
        )
        .where(col(Contact.account_id).in_(ids), col(Contact.removed_at).is_(None))
        .group_by(col(Contact.account_id))
    )
    for account_id, contacts, lookers, unlooked, looker, deciders, opponents in _rows(
        session, query
    ):
        tally = found[account_id]
        tally.contacts, tally.lookers, tally.unlooked = contacts, lookers, int(unlooked)
        tally.looker, tally.deciders, tally.opponent_deciders = (
            looker,
            int(deciders),
            int(opponents),
        )


# -- the card's lists --------------------------------------------------------------------------
@dataclass
class LastContact:
    kind: str
    occurred_on: date
    summary: str
    with_whom: str | None


def last_contact(session: Session, account_id: int) -> LastContact | None:
    query = (
        rows_of(
            col(Interaction.kind),
            col(Interaction.occurred_on),
            col(Interaction.summary),
            col(Contact.name),
        )
        .outerjoin(Contact, col(Contact.id) == col(Interaction.contact_id))
        .where(col(Interaction.account_id) == account_id)
        .order_by(col(Interaction.occurred_on).desc(), col(Interaction.id).desc())
        .limit(1)
    )
    row = session.connection().execute(query).first()
    return LastContact(row[0], row[1], row[2], row[3]) if row else None


def last_moves(session: Session, account_id: int, limit: int = SHOWN_MOVES) -> list[StageMove]:
    """The account's latest stage moves, newest first."""
    return list(
        session.exec(
            select(StageMove)
            .where(StageMove.account_id == account_id)
            .order_by(col(StageMove.moved_at).desc(), col(StageMove.id).desc())
            .limit(limit)
        ).all()
    )


def key_contacts(session: Session, account_id: int, limit: int = SHOWN_CONTACTS) -> list[Contact]:
    """Key contacts to show: deciders first, then those with a known role, then by name."""
    decider = col(Contact.roles).contains(BuyingRole.decider.value)
    first = case((decider, 0), (col(Contact.roles) != "", 1), else_=2)
    return list(
        session.exec(
            select(Contact)
            .where(Contact.account_id == account_id, col(Contact.removed_at).is_(None))
            .order_by(first, col(Contact.name_key))
            .limit(limit)
        ).all()
    )


def open_promises(session: Session, account_id: int, limit: int = SHOWN_PROMISES) -> list[Promise]:
    return list(
        session.exec(
            select(Promise)
            .where(Promise.account_id == account_id, Promise.status == PromiseStatus.open)
            .order_by(col(Promise.due_on), col(Promise.id))
            .limit(limit)
        ).all()
    )


def open_cases(session: Session, account_id: int, limit: int = 3) -> list[Case]:
    return list(
        session.exec(
            select(Case)
            .where(Case.account_id == account_id, Case.status != CaseStatus.resolved)
            .order_by(col(Case.id))
            .limit(limit)
        ).all()
    )
