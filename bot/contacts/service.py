"""Logging a contact with a client, and finding or adding the person it was with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.accounts.queries import name_key
from bot.errors import UserError
from bot.invocation import Invocation
from bot.models import Account, Contact, Interaction, InteractionKind, stored_id

EX_LOG = "/logcontact acme-rail call yesterday with Jan Kowalski: agreed the Q1 renewal terms"


def contact_by_name(
    session: Session, account: Account, name: str, now: datetime
) -> tuple[Contact, bool]:
    """The account's contact with this name (any case), or a new one; True when new."""
    key = name_key(name)
    contact = session.exec(
        select(Contact).where(Contact.account_id == account.id, Contact.name_key == key)
    ).first()
    if contact:
        return contact, False
    # Two people may log the same new person at once: the second insert is a no-op (no
    # IntegrityError to fail the whole command), and both find the one row.
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    values = {"account_id": stored_id(account.id), "name": " ".join(name.split()), "name_key": key}
    added = session.exec(
        insert(Contact)
        .values(**values, created_at=now)
        .on_conflict_do_nothing(index_elements=["account_id", "name_key"])
        .returning(col(Contact.id))
    ).first()
    contact = session.exec(
        select(Contact).where(Contact.account_id == account.id, Contact.name_key == key)
    ).one()
    return contact, added is not None


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
) -> tuple[Interaction, Contact | None, bool]:
    """Store a contact; returns it, the person (matched or added) and whether they are new."""
    contact: Contact | None = None
    is_new = False
    if person:
        contact, is_new = contact_by_name(session, account, person, now)
    interaction = Interaction(
        account_id=stored_id(account.id),
        kind=kind,
        occurred_on=occurred_on,
        contact_id=contact.id if contact else None,
        summary=summary,
        logged_by=logged_by,
        created_at=now,
    )
    session.add(interaction)
    session.flush()
    return interaction, contact, is_new


@dataclass(frozen=True)
class Logged:
    account: Account
    kind: InteractionKind
    day: date
    summary: str
    contact: Contact | None
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
    _, contact, new_contact = log_interaction(
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
