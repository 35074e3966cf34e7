"""Promises to clients: one owner, a due date, written confirmation, a status."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from bot import keys
from bot.errors import UserError
from bot.models import Account, Promise, PromiseStatus

WHAT_LIMIT = 1000


def label(promise: Promise) -> str:
    return keys.promise_label(promise.id)


def make_promise(
    session: Session,
    *,
    account: Account,
    what: str,
    owner_id: str,
    due_on: date,
    created_by: str,
    now: datetime,
    internal: bool = False,
) -> Promise:
    promise = Promise(
        internal=internal,
        account_id=account.id,
        what=what,
        owner_id=owner_id,
        due_on=due_on,
        created_by=created_by,
        created_at=now,
    )
    session.add(promise)
    session.flush()
    return promise


def get_promise(session: Session, team_id: str, ref: str, example: str) -> Promise:
    """The promise a user names as `P-12`, `p12` or `12`, within their workspace."""
    number = keys.promise_number(ref)
    if number is None:
        raise UserError(f"“{ref}” is not a promise id; ids look like `P-12`.", example)
    promise = session.get(Promise, number)
    account = session.get(Account, promise.account_id) if promise else None
    if not promise or not account or account.team_id != team_id:
        raise UserError(
            f"there is no promise {keys.promise_label(number)}.",
            "/promise list   (shows the ids of open promises)",
        )
    return promise


def require_open(promise: Promise, doing: str) -> None:
    if promise.status != PromiseStatus.open:
        raise UserError(
            f"{label(promise)} is already {promise.status}; only open promises can be {doing}.",
            "/promise list",
        )


def close(
    session: Session,
    promise: Promise,
    *,
    status: PromiseStatus,
    by: str,
    now: datetime,
    note: str | None = None,
) -> None:
    require_open(promise, "closed")
    promise.status = status
    promise.closed_at = now
    promise.closed_by = by
    promise.note = note
    session.add(promise)


def reschedule(session: Session, promise: Promise, due_on: date) -> date:
    """Move the due date; returns the old one."""
    require_open(promise, "rescheduled")
    old = promise.due_on
    promise.due_on = due_on
    session.add(promise)
    return old


def open_promises(
    session: Session,
    team_id: str,
    *,
    account: Account | None = None,
    owner_id: str | None = None,
    due_before: date | None = None,
    limit: int = 200,
) -> list[tuple[Promise, Account]]:
    query = (
        select(Promise, Account)
        .join(Account, col(Account.id) == col(Promise.account_id))
        .where(Account.team_id == team_id, Promise.status == PromiseStatus.open)
    )
    if account is not None:
        query = query.where(Promise.account_id == account.id)
    if owner_id is not None:
        query = query.where(Promise.owner_id == owner_id)
    if due_before is not None:
        query = query.where(col(Promise.due_on) < due_before)
    query = query.order_by(Promise.due_on, Promise.id).limit(limit)
    return [(p, a) for p, a in session.exec(query).all()]
