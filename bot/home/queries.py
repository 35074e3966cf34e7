"""What App Home reads for one person: bounded lists (LIMIT) and their totals."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as rows_of  # more columns than sqlmodel.select types
from sqlmodel import Session, col, select

from bot.digest.queries import DueItem
from bot.models import Account, Case, CaseStatus, Promise, PromiseStatus


def _live(team_id: str) -> list[Any]:
    return [col(Account.team_id) == team_id, col(Account.archived_at).is_(None)]


def owned_accounts(session: Session, team_id: str, owner_id: str, limit: int) -> list[Account]:
    """The person's accounts, not archived, by name (at most `limit`)."""
    return list(
        session.exec(
            select(Account)
            .where(*_live(team_id), Account.owner_id == owner_id)
            .order_by(col(Account.name_key), col(Account.id))
            .limit(limit)
        ).all()
    )


def count_owned(session: Session, team_id: str, owner_id: str) -> int:
    query = select(func.count()).select_from(Account)
    return int(session.exec(query.where(*_live(team_id), Account.owner_id == owner_id)).one())


def promises_due(
    session: Session, team_id: str, owner_id: str, through: date, limit: int
) -> tuple[list[DueItem], int]:
    """The person's open promises due by `through` (overdue first), at most `limit`, and how
    many there are in all."""
    where = [
        *_live(team_id),
        col(Promise.owner_id) == owner_id,
        col(Promise.status) == PromiseStatus.open,
        col(Promise.due_on) <= through,
    ]
    joined = col(Account.id) == col(Promise.account_id)
    query = (
        rows_of(
            col(Promise.id),
            col(Promise.what),
            col(Promise.owner_id),
            col(Promise.due_on),
            col(Account.name),
            col(Account.owner_id),
        )
        .join(Account, joined)
        .where(*where)
        .order_by(col(Promise.due_on), col(Promise.id))
        .limit(limit)
    )
    rows = session.connection().execute(query).all()
    total = session.exec(
        select(func.count()).select_from(Promise).join(Account, joined).where(*where)
    ).one()
    items = [
        DueItem(id_ or 0, what, owner, due_on, name, account_owner)
        for id_, what, owner, due_on, name, account_owner in rows
    ]
    return items, int(total)


def open_cases(
    session: Session, team_id: str, owner_id: str, limit: int
) -> tuple[list[tuple[Case, Account]], int]:
    """Unresolved cases on the person's accounts, oldest first (at most `limit`), and the total."""
    where = [
        *_live(team_id),
        col(Account.owner_id) == owner_id,
        col(Case.status) != CaseStatus.resolved,
    ]
    joined = col(Account.id) == col(Case.account_id)
    found = session.exec(
        select(Case, Account)
        .join(Account, joined)
        .where(*where)
        .order_by(col(Case.id))
        .limit(limit)
    ).all()
    total = session.exec(select(func.count()).select_from(Case).join(Account, joined).where(*where))
    return [(c, a) for c, a in found], int(total.one())
