"""`/steward account history acme [page]`: an account's story, newest first, a page at a time."""

from __future__ import annotations

from sqlmodel import Session

from bot.accounts.queries import account_for_channel, find_accounts, resolve_account
from bot.blocks import Reply
from bot.errors import UserError
from bot.invocation import Invocation
from bot.story import render
from bot.story.queries import story_page

EX_HISTORY = "/steward account history acme-rail 2"


def history(inv: Invocation, session: Session, words: list[str]) -> Reply:
    """The account named (or the channel's), and a page number at the end; a name that ends
    in a number (`Studio 54`) is read as the name when it names an account exactly."""
    number = 1
    if words and words[-1].isdigit():
        whole = " ".join(words)
        if len(words) == 1 or not find_accounts(session, inv.team_id, whole, exact_only=True):
            number, words = int(words[-1][:6]), words[:-1]
    if words:
        account = resolve_account(session, inv.team_id, " ".join(words), EX_HISTORY)
    else:
        here = account_for_channel(session, inv.team_id, inv.channel_id)
        if here is None:
            raise UserError("which account? Name it, or run this in its channel.", EX_HISTORY)
        account = here
    if number < 1:
        raise UserError("pages start at 1.", EX_HISTORY)
    page = story_page(session, account, inv.tz, number)
    if page.number != number:  # past the last page
        raise UserError(
            f"*{account.slug}*'s story has {page.pages} page{'s' if page.pages > 1 else ''}.",
            f"/steward account history {account.slug} {page.pages}",
        )
    return render.story(account, page, inv.today, inv.tz)
