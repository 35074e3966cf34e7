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

from sqlalchemy import BindParameter, Date, and_, bindparam, case, func
from sqlalchemy import select as rows_of  # more columns than sqlmodel.select types
from sqlmodel import Session, col, select
from sqlmodel.sql.sqltypes import UTCDateTime

from bot.accounts.queries import stage_rank_sql
from bot.contacts.last import LAST_ON, ON_LAST
from bot.db import day_of
from bot.models import (
    Account,
    Attitude,
    BuyingRole,
    Case,
    CaseStatus,
    Contact,
    Interaction,
    Promise,
    PromiseStatus,
    StageMove,
)

WINDOW = timedelta(days=90)  # promises kept on time and stage moves are judged over this
SHOWN_CONTACTS = 10  # key contacts on the card, deciders first
SHOWN_MOVES = 3
SHOWN_PROMISES = 5
SHOWN_CASES = 3
CHUNK = 1000  # account ids per IN (...) list


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


IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)  # the accounts asked about
TODAY: BindParameter[date] = bindparam("today", type_=Date())
SINCE_DAY: BindParameter[date] = bindparam("since_day", type_=Date())
SINCE: BindParameter[datetime] = bindparam("since", type_=UTCDateTime())


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# The statements are built once, here, and run with parameters: building them per request
# cost more than running them (as bench/burst.py found for the account look-up).
INTERACTIONS = (
    rows_of(col(Interaction.account_id), func.count())
    .where(col(Interaction.account_id).in_(IDS))
    .group_by(col(Interaction.account_id))
)
"""How many contacts were logged: read from the index on (account, day) alone."""

CONCERNS = rows_of(
    col(Account.id),
    LAST_ON,
    rows_of(col(Interaction.occurred_on))
    .where(col(Interaction.account_id) == col(Account.id), col(Interaction.concern))
    .order_by(col(Interaction.occurred_on).desc())
    .limit(1)
    .correlate(Account)
    .scalar_subquery(),
).where(col(Account.id).in_(IDS))
"""Each account's last contact (kept on it) and last concern, the concern walking its index
backwards from the newest contact: a grouped max would read every one of an account's logged
contacts."""

_DUE = col(Promise.due_on)
_OPEN = col(Promise.status) == PromiseStatus.open
_IN_WINDOW = and_(_DUE >= SINCE_DAY, _DUE <= TODAY)
PROMISES = (
    rows_of(
        col(Promise.account_id),
        _count(_OPEN),
        _count(and_(_OPEN, _DUE < TODAY)),
        _count(
            and_(
                _IN_WINDOW,
                col(Promise.status).in_((PromiseStatus.kept, PromiseStatus.broken))
                | and_(_OPEN, _DUE < TODAY),
            )
        ),
        _count(
            and_(
                _IN_WINDOW,
                col(Promise.status) == PromiseStatus.kept,
                day_of(Promise.closed_at) <= _DUE,
            )
        ),
        _count(and_(_IN_WINDOW, col(Promise.status) == PromiseStatus.broken)),
    )
    .where(col(Promise.account_id).in_(IDS), col(Promise.status) != PromiseStatus.cancelled)
    .group_by(col(Promise.account_id))
)
"""Open, overdue, and of those due in the window: judged (kept, broken, or open and overdue),
kept by their due day (closed_at's UTC day), broken."""

CASES = (
    rows_of(
        col(Case.account_id),
        _count(col(Case.status) != CaseStatus.resolved),
        func.max(Case.created_at),
    )
    .where(col(Case.account_id).in_(IDS))
    .group_by(col(Case.account_id))
)

_GAINED = stage_rank_sql(col(StageMove.to_stage)) - stage_rank_sql(col(StageMove.from_stage))
_RECENT = col(StageMove.moved_at) >= SINCE
MOVES = (
    rows_of(
        col(StageMove.account_id),
        func.max(StageMove.moved_at),
        func.coalesce(func.sum(case((_RECENT, _GAINED), else_=0)), 0),
        _count(and_(_RECENT, _GAINED < 0)),
    )
    .where(col(StageMove.account_id).in_(IDS))
    .group_by(col(StageMove.account_id))
)
"""The last move, and ranks gained or lost in the window (by the Stage enum's order)."""

_DECIDER = col(Contact.roles).contains(BuyingRole.decider.value)
CONTACTS = (
    rows_of(
        col(Contact.account_id),
        func.count(),
        func.count(func.distinct(Contact.looks_after)),
        _count(col(Contact.looks_after).is_(None)),
        func.min(Contact.looks_after),
        _count(_DECIDER),
        _count(and_(_DECIDER, col(Contact.attitude) == Attitude.opponent.value)),
    )
    .where(col(Contact.account_id).in_(IDS), col(Contact.removed_at).is_(None))
    .group_by(col(Contact.account_id))
)
"""Key contacts (not removed): how many, who looks after them, deciders and opponents."""


def tallies(
    session: Session, account_ids: list[int], today: date, now: datetime
) -> dict[int, Tally]:
    """Each account's counts, in six queries for all of them."""
    found = {a: Tally(a) for a in account_ids}
    run = session.connection().execute  # Core: no ORM work per row
    for ids in _chunks(account_ids):
        for account_id, logged in run(INTERACTIONS, {"ids": ids}):
            found[account_id].logged = logged
        for account_id, last, concern_on in run(CONCERNS, {"ids": ids}):
            tally = found[account_id or 0]
            tally.last_contact_on, tally.last_concern_on = _as_date(last), _as_date(concern_on)
        window = {"ids": ids, "today": today, "since_day": today - WINDOW}
        for account_id, *counts in run(PROMISES, window):
            tally = found[account_id]
            tally.open_promises, tally.overdue, tally.promised = map(int, counts[:3])
            tally.kept_on_time, tally.broken = map(int, counts[3:])
        for account_id, open_cases, last in run(CASES, {"ids": ids}):
            found[account_id].open_cases, found[account_id].last_case_at = int(open_cases), last
        for account_id, last, net, down in run(MOVES, {"ids": ids, "since": now - WINDOW}):
            tally = found[account_id]
            tally.last_move_at, tally.net_moves, tally.moved_down = last, int(net), int(down) > 0
        for account_id, people, lookers, unlooked, looker, deciders, opponents in run(
            CONTACTS, {"ids": ids}
        ):
            tally = found[account_id]
            tally.contacts, tally.lookers, tally.unlooked = people, lookers, int(unlooked)
            tally.looker, tally.deciders = looker, int(deciders)
            tally.opponent_deciders = int(opponents)
    return found


# -- the card's lists --------------------------------------------------------------------------
@dataclass
class LastContact:
    kind: str
    occurred_on: date
    summary: str
    with_whom: str | None


ACCOUNT: BindParameter[int] = bindparam("account")
LAST_CONTACT = (
    rows_of(
        col(Interaction.kind),
        col(Interaction.occurred_on),
        col(Interaction.summary),
        col(Contact.name),
    )
    .join(Account, ON_LAST)
    .outerjoin(Contact, col(Contact.id) == col(Interaction.contact_id))
    .where(col(Account.id) == ACCOUNT)
    .order_by(col(Interaction.id).desc())
    .limit(1)
)
"""The newest of the account's contacts on its last day."""
LAST_MOVES = (
    select(StageMove)
    .where(col(StageMove.account_id) == ACCOUNT)
    .order_by(col(StageMove.moved_at).desc(), col(StageMove.id).desc())
    .limit(SHOWN_MOVES)
)
KEY_CONTACTS = (
    select(Contact)
    .where(col(Contact.account_id) == ACCOUNT, col(Contact.removed_at).is_(None))
    .order_by(case((_DECIDER, 0), (col(Contact.roles) != "", 1), else_=2), col(Contact.name_key))
    .limit(SHOWN_CONTACTS)
)
"""Key contacts to show: deciders first, then those with a known role, then by name."""
OPEN_PROMISES = (
    select(Promise)
    .where(col(Promise.account_id) == ACCOUNT, col(Promise.status) == PromiseStatus.open)
    .order_by(col(Promise.due_on), col(Promise.id))
    .limit(SHOWN_PROMISES)
)
OPEN_CASES = (
    select(Case)
    .where(col(Case.account_id) == ACCOUNT, col(Case.status) != CaseStatus.resolved)
    .order_by(col(Case.id))
    .limit(SHOWN_CASES)
)


@dataclass
class Lists:
    """What the card lists of one account, each list short."""

    last: LastContact | None
    moves: list[StageMove]
    contacts: list[Contact]
    promises: list[Promise]
    cases: list[Case]


def lists(session: Session, account_id: int) -> Lists:
    params = {"account": account_id}
    row = session.connection().execute(LAST_CONTACT, params).first()
    return Lists(
        last=LastContact(row[0], row[1], row[2], row[3]) if row else None,
        moves=list(session.exec(LAST_MOVES, params=params).all()),
        contacts=list(session.exec(KEY_CONTACTS, params=params).all()),
        promises=list(session.exec(OPEN_PROMISES, params=params).all()),
        cases=list(session.exec(OPEN_CASES, params=params).all()),
    )
