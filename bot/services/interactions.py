"""Logged contacts with a client."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from bot.models import Account, Contact, Interaction, InteractionKind
from bot.services.accounts import contact_by_name


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
        account_id=account.id,
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
