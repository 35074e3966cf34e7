"""An account's last contact, kept on the account (`Account.last_contact_on`) so that reading
it costs the same with 20 million logged contacts as with 2 million.

Written in the transaction that changes the logged contacts: `logged` when one is logged (a
guarded UPDATE, so two logged at once leave the later day), `recount` when one is re-dated or
deleted, or many are imported (from the remaining rows: one index look-up per account).

Every reader of "the last contact" reads it through here: `LAST_ON`, the day, and `ON_LAST`,
which picks that day's newest row of an account (its kind, summary, person)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import BindParameter, Date, and_, bindparam, or_, select
from sqlmodel import Session, SQLModel, col

from bot.models import Account, Interaction

CHUNK = 1000  # account ids per `IN (…)`

LAST_ON: Any = col(Account.last_contact_on)
"""The day of the account's last logged contact; NULL: none logged."""

ON_LAST: Any = and_(
    col(Interaction.account_id) == col(Account.id), col(Interaction.occurred_on) == LAST_ON
)
"""Joins an account to its logged contacts of its last day (the index on (account, day)):
the newest of them by id is the last contact."""

# The writes go through the tables (Core): an ORM UPDATE would fetch rows to sync the session.
_ACCOUNTS = SQLModel.metadata.tables["account"]
_ACCOUNT, _INTERACTION = _ACCOUNTS.c, SQLModel.metadata.tables["interaction"].c
_DAY: BindParameter[date] = bindparam("day", type_=Date())
_KEPT = _ACCOUNT.last_contact_on
LOGGED = (
    _ACCOUNTS.update()
    .where(_ACCOUNT.id == bindparam("account"), or_(_KEPT.is_(None), _KEPT < _DAY))
    .values(last_contact_on=_DAY)
)
"""Keeps a newly logged day if it is later. The condition is in the UPDATE, not read first:
on PostgreSQL a second writer waits for the first's row lock, then re-checks it against the
row the first committed; on SQLite writers take turns."""

_LATEST = (
    select(_INTERACTION.occurred_on)
    .where(_INTERACTION.account_id == _ACCOUNT.id)
    .order_by(_INTERACTION.occurred_on.desc())
    .limit(1)
    .scalar_subquery()
)
RECOUNT = (
    _ACCOUNTS.update()
    .where(_ACCOUNT.id.in_(bindparam("ids", expanding=True)))
    .values(last_contact_on=_LATEST)
)
"""Each account's last day from its remaining rows: its index on (account, day), read
backwards, one entry."""

LOCK = select(_ACCOUNT.id).where(_ACCOUNT.id.in_(bindparam("ids", expanding=True)))


def logged(session: Session, account_id: int, day: date) -> None:
    """A contact on `day` was just logged on the account (in this transaction)."""
    session.execute(LOGGED, {"account": account_id, "day": day})


def recount(session: Session, account_ids: Iterable[int]) -> None:
    """Read the accounts' last day again from their logged contacts (after a re-dating, a
    deletion or an import; flushed first). The accounts' rows are locked first (PostgreSQL; FOR
    NO KEY UPDATE, which rows referring to them do not wait for), so a contact logged meanwhile
    either waits for this or is seen by it."""
    session.flush()
    ids = sorted(set(account_ids))
    for start in range(0, len(ids), CHUNK):
        some = ids[start : start + CHUNK]
        session.execute(LOCK.with_for_update(key_share=True), {"ids": some}).all()
        session.execute(RECOUNT, {"ids": some})
