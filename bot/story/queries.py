"""Reading an account's story: logged contacts, promises made and closed, stage moves, cases
opened and resolved, and the changes kept as AccountEvents, merged newest first.

Each source is read with its own bounded query (at most `page * size` rows, in the order the
merge uses), then merged in Python: page 2 of an account with 5,000 logged contacts reads 30 of
them, never all.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import reduce
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.models import (
    Account,
    AccountEvent,
    Case,
    Contact,
    Interaction,
    Promise,
    StageMove,
    stored_id,
)

PAGE_SIZE = 15


class Happened(StrEnum):
    """What an entry of the story is; its value orders entries of the same moment."""

    event = "event"
    case_resolved = "case_resolved"
    case_opened = "case_opened"
    stage = "stage"
    promise_closed = "promise_closed"
    promise_made = "promise_made"
    contact = "contact"
    added = "added"


ORDER = {h: n for n, h in enumerate(reversed(Happened))}  # later in the enum: earlier


@dataclass(frozen=True)
class Entry:
    """One line of the story. `day` is the person's local day it happened on (a logged
    contact's own day); `at` orders entries within a day."""

    day: date
    at: datetime
    happened: Happened
    row: Any  # Interaction | Promise | StageMove | Case | AccountEvent | Account
    contact: Contact | None = None  # whom a logged contact was with

    @property
    def key(self) -> tuple[date, datetime, int, int]:
        return (self.day, self.at, ORDER[self.happened], getattr(self.row, "id", 0) or 0)


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    number: int
    pages: int
    total: int


def _count(model: type[Any], *where: Any) -> Any:
    return select(func.count()).select_from(model).where(*where).scalar_subquery()


def total(session: Session, account_id: int) -> int:
    """How many entries the story has, in one query (the account's creation is one)."""
    counts: list[Any] = [
        _count(Interaction, Interaction.account_id == account_id),
        _count(Promise, Promise.account_id == account_id),
        _count(Promise, Promise.account_id == account_id, col(Promise.closed_at).is_not(None)),
        _count(StageMove, StageMove.account_id == account_id),
        _count(Case, Case.account_id == account_id),
        _count(Case, Case.account_id == account_id, col(Case.resolved_at).is_not(None)),
        _count(AccountEvent, AccountEvent.account_id == account_id),
    ]
    summed: Any = reduce(operator.add, counts)
    return 1 + int(session.exec(select(summed)).one() or 0)


def story_page(
    session: Session, account: Account, tz: ZoneInfo, number: int, size: int = PAGE_SIZE
) -> Page:
    """Page `number` (from 1) of the account's story, newest first. A page past the last is
    the last page."""
    account_id = stored_id(account.id)
    count = total(session, account_id)
    pages = max(1, -(-count // size))
    number = min(max(1, number), pages)
    limit = number * size

    def local(at: datetime) -> date:
        return at.astimezone(tz).date()

    entries: list[Entry] = []
    logged = session.exec(
        select(Interaction)
        .where(Interaction.account_id == account_id)
        .order_by(
            col(Interaction.occurred_on).desc(),
            col(Interaction.created_at).desc(),
            col(Interaction.id).desc(),
        )
        .limit(limit)
    ).all()
    ids = {i.contact_id for i in logged if i.contact_id}
    people = (
        {c.id: c for c in session.exec(select(Contact).where(col(Contact.id).in_(ids))).all()}
        if ids
        else {}
    )
    entries += [
        Entry(i.occurred_on, i.created_at, Happened.contact, i, people.get(i.contact_id))
        for i in logged
    ]
    sources: list[tuple[type[Any], str, Happened]] = [
        (Promise, "created_at", Happened.promise_made),
        (Promise, "closed_at", Happened.promise_closed),
        (StageMove, "moved_at", Happened.stage),
        (Case, "created_at", Happened.case_opened),
        (Case, "resolved_at", Happened.case_resolved),
        (AccountEvent, "at", Happened.event),
    ]
    for model, at, happened in sources:
        for row in _newest(session, model, account_id, at, limit):
            when: datetime = getattr(row, at)
            entries.append(Entry(local(when), when, happened, row))
    entries.append(Entry(local(account.created_at), account.created_at, Happened.added, account))
    entries.sort(key=lambda e: e.key, reverse=True)
    return Page(entries[(number - 1) * size : limit], number, pages, count)


def _newest(session: Session, model: type[Any], account_id: int, at: str, limit: int) -> list[Any]:
    """The account's newest `limit` rows of `model` by its column `at` (then id), skipping
    rows where `at` is not set (a promise still open, a case not resolved)."""
    column = col(getattr(model, at))
    return list(
        session.exec(
            select(model)
            .where(model.account_id == account_id, column.is_not(None))
            .order_by(column.desc(), col(model.id).desc())
            .limit(limit)
        ).all()
    )
