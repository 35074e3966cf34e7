"""Logging a contact with a client, and finding or adding the person it was with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from bot.accounts.queries import name_key
from bot.errors import UserError
from bot.invocation import Invocation
from bot.models import Account, Contact, InteractionKind, stored_id

EX_LOG = "/logcontact acme-rail call yesterday with Jan Kowalski: agreed the Q1 renewal terms"


@dataclass(frozen=True)
class Met:
    """The client's person a contact was with."""

    id: int
    name: str


# Built once: a command logs a contact in two statements, not re-building them each time.
FIND_CONTACT = select(col(Contact.id), col(Contact.name)).where(
    col(Contact.account_id) == bindparam("account"), col(Contact.name_key) == bindparam("key")
)
ADD_INTERACTION = SQLModel.metadata.tables["interaction"].insert()


def contact_by_name(
    session: Session, account: Account, name: str, now: datetime
) -> tuple[Met, bool]:
    """The account's contact with this name (any case), or a new one; True when new."""
    key = name_key(name)
    account_id = stored_id(account.id)
    found = session.execute(FIND_CONTACT, {"account": account_id, "key": key}).first()
    if found:
        return Met(found[0], found[1]), False
    # Two people may log the same new person at once: the second insert is a no-op (no
    # IntegrityError to fail the whole command), and both find the one row.
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    values = {"account_id": account_id, "name": " ".join(name.split()), "name_key": key}
    added = session.exec(
        insert(Contact)
        .values(**values, created_at=now)
        .on_conflict_do_nothing(index_elements=["account_id", "name_key"])
        .returning(col(Contact.id))
    ).first()
    found = session.execute(FIND_CONTACT, {"account": account_id, "key": key}).one()
    return Met(found[0], found[1]), added is not None


def log_interaction(
    session: Session,
    *,
    account: Account,
    kind: InteractionKind,
    occurred_on: date,
    summary: str,
    logged_by: str,
    now: datetime,
    person: str | None = None,
) -> tuple[Met | None, bool]:
    """Store a contact; returns the person (matched or added) and whether they are new."""
    met: Met | None = None
    is_new = False
    if person:
        met, is_new = contact_by_name(session, account, person, now)
    values = {
        "account_id": stored_id(account.id),
        "kind": kind,
        "occurred_on": occurred_on,
        "contact_id": met.id if met else None,
        "summary": summary,
        "logged_by": logged_by,
        "created_at": now,
    }
    session.execute(ADD_INTERACTION, values)
    return met, is_new


@dataclass(frozen=True)
class Logged:
    account: Account
    kind: InteractionKind
    day: date
    summary: str
    contact: Met | None
    new_contact: bool


def record(
    session: Session,
    inv: Invocation,
    account: Account,
    kind: InteractionKind,
    day: date,
    person: str | None,
    summary: str,
) -> Logged:
    """Store a contact (from the command or its form)."""
    if day > inv.today:
        raise UserError(
            f"{day.isoformat()} is in the future; log a contact once it has happened "
            "(for a commitment, use /promise).",
            EX_LOG,
        )
    contact, new_contact = log_interaction(
        session,
        account=account,
        kind=kind,
        occurred_on=day,
        summary=summary,
        logged_by=inv.user_id,
        now=inv.now,
        person=person,
    )
    return Logged(account, kind, day, summary, contact, new_contact)
