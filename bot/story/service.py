"""Keeping a change in an account's story. Slack-free: the caller passes who and when."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.models import AccountEvent, EventKind
from bot.slacktext import clip


def record(
    session: Session,
    *,
    account_id: int,
    kind: EventKind,
    detail: str,
    by: str,
    at: datetime,
    subject: str | None = None,
) -> AccountEvent:
    """Keep one change (an edited contact, a reassigned promise, a rename…) in the same
    transaction as the change itself, so the story never misses or invents one."""
    event = AccountEvent(
        account_id=account_id, kind=kind, subject=subject, detail=clip(detail, 3000), by=by, at=at
    )
    session.add(event)
    return event
