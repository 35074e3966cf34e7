"""What App Home reads for one person: bounded lists (LIMIT) and their totals. The statements
are built once and run with parameters (building them cost more than running them)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BindParameter, Date, bindparam, func
from sqlalchemy import select as rows_of  # more columns than sqlmodel.select types
from sqlmodel import Session, col, select

from bot.digest.queries import DUE_COLUMNS, DueItem, due_items
from bot.models import Account, Case, CaseStatus, Promise, PromiseStatus

TEAM: BindParameter[str] = bindparam("team")
OWNER: BindParameter[str] = bindparam("owner")
THROUGH: BindParameter[date] = bindparam("through", type_=Date())
LIMIT: BindParameter[int] = bindparam("limit")
LIVE = [col(Account.team_id) == TEAM, col(Account.archived_at).is_(None)]
MINE = [*LIVE, col(Account.owner_id) == OWNER]

OWNED = select(Account).where(*MINE).order_by(col(Account.name_key), col(Account.id)).limit(LIMIT)
OWNED_COUNT = select(func.count()).select_from(Account).where(*MINE)

_ON_PROMISE = col(Account.id) == col(Promise.account_id)
_DUE = [
    *LIVE,
    col(Promise.owner_id) == OWNER,
    col(Promise.status) == PromiseStatus.open,
    col(Promise.due_on) <= THROUGH,
]
DUE = (
    rows_of(*DUE_COLUMNS)
    .join(Account, _ON_PROMISE)
    .where(*_DUE)
    .order_by(col(Promise.due_on), col(Promise.id))
    .limit(LIMIT)
)
DUE_COUNT = select(func.count()).select_from(Promise).join(Account, _ON_PROMISE).where(*_DUE)

_ON_CASE = col(Account.id) == col(Case.account_id)
_CASES = [*MINE, col(Case.status) != CaseStatus.resolved]
CASES = (
    select(Case, Account).join(Account, _ON_CASE).where(*_CASES).order_by(col(Case.id)).limit(LIMIT)
)
CASES_COUNT = select(func.count()).select_from(Case).join(Account, _ON_CASE).where(*_CASES)


def _params(team_id: str, owner_id: str, **more: Any) -> dict[str, Any]:
    return {"team": team_id, "owner": owner_id, **more}


def owned_accounts(session: Session, team_id: str, owner_id: str, limit: int) -> list[Account]:
    """The person's accounts, not archived, by name (at most `limit`)."""
    return list(session.exec(OWNED, params=_params(team_id, owner_id, limit=limit)).all())


def count_owned(session: Session, team_id: str, owner_id: str) -> int:
    return int(session.exec(OWNED_COUNT, params=_params(team_id, owner_id)).one())


def promises_due(
    session: Session, team_id: str, owner_id: str, through: date, limit: int
) -> tuple[list[DueItem], int]:
    """The person's open promises due by `through` (overdue first), at most `limit`, and how
    many there are in all."""
    params = _params(team_id, owner_id, through=through, limit=limit)
    items = due_items(session.connection().execute(DUE, params))
    total = session.exec(DUE_COUNT, params=params).one()
    return items, int(total)


def open_cases(
    session: Session, team_id: str, owner_id: str, limit: int
) -> tuple[list[tuple[Case, Account]], int]:
    """Unresolved cases on the person's accounts, oldest first (at most `limit`), and the total."""
    params = _params(team_id, owner_id, limit=limit)
    found = session.exec(CASES, params=params).all()
    total = session.exec(CASES_COUNT, params=params).one()
    return [(c, a) for c, a in found], int(total)
