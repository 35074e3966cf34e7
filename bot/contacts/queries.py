"""Reading an account's key contacts: one by name, all of them with when we last met each."""

from __future__ import annotations

import difflib
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.accounts.queries import name_key
from bot.models import Account, Contact, Interaction

LIST_LIMIT = 100  # contacts a `contact list` shows; the rest are counted


def contact_named(session: Session, account: Account, name: str) -> Contact | None:
    """The account's contact with this name (any case), removed ones included."""
    return session.exec(
        select(Contact).where(Contact.account_id == account.id, Contact.name_key == name_key(name))
    ).first()


def close_names(session: Session, account: Account, name: str, limit: int = 3) -> list[str]:
    """The account's current contacts whose names are closest to `name` (“did you mean”)."""
    names = session.exec(
        select(Contact.name)
        .where(Contact.account_id == account.id, col(Contact.removed_at).is_(None))
        .limit(2000)
    ).all()
    by_key = {name_key(n): n for n in names}
    close = difflib.get_close_matches(name_key(name), list(by_key), n=limit, cutoff=0.5)
    return [by_key[c] for c in close]


def key_contacts(
    session: Session, account: Account, limit: int = LIST_LIMIT
) -> tuple[list[tuple[Contact, date | None]], int]:
    """The account's current contacts, by name, each with the day we last logged a contact
    with them; and how many there are in all."""
    last = (
        select(Interaction.contact_id, func.max(Interaction.occurred_on).label("last"))
        .where(Interaction.account_id == account.id, col(Interaction.contact_id).is_not(None))
        .group_by(col(Interaction.contact_id))
        .subquery()
    )
    current = (Contact.account_id == account.id, col(Contact.removed_at).is_(None))
    rows = session.exec(
        select(Contact, last.c.last)
        .outerjoin(last, last.c.contact_id == Contact.id)
        .where(*current)
        .order_by(col(Contact.name_key))
        .limit(limit)
    ).all()
    total = session.exec(select(func.count()).select_from(Contact).where(*current)).one()
    return [(c, day) for c, day in rows], int(total)
