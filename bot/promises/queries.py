"""Reading promises: one by its label, the open ones by account, owner or due date."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from bot import keys
from bot.errors import UserError
from bot.models import Account, Promise, PromiseStatus


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
    query = query.order_by(col(Promise.due_on), col(Promise.id)).limit(limit)
    return [(p, a) for p, a in session.exec(query).all()]
