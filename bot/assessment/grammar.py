"""`/steward account show <account>`: the assessment card, for the account a command named."""

from __future__ import annotations

from sqlmodel import Session

from bot.assessment import render, service
from bot.blocks import Reply
from bot.invocation import Invocation
from bot.models import Account


def show(inv: Invocation, session: Session, account: Account) -> Reply:
    """The card, as of the person's own day."""
    found = service.assess(session, account, inv.today, inv.now, inv.policy.silence_days)
    return render.account_card(found)
