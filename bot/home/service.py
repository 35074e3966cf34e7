"""What one person's App Home shows, Slack-free: their own accounts with health and stage,
their promises overdue and due this week (those they snoozed in the digest put aside), open
cases on their accounts, and, when they asked for it, one account's card.

`page` grows with "Show more": each section shows `page` times its first size, and the
rendering keeps the whole within Slack's 100 blocks."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Self

from sqlmodel import Session

from bot.accounts.queries import account_of_team
from bot.assessment.service import Assessment, Standing, assess, standings
from bot.digest.queries import DueItem, snoozed
from bot.home import queries
from bot.models import Account, Case, Member

ACCOUNTS = 10  # accounts on the first page
PROMISES = 8  # promises (two blocks each) on the first page
CASES = 10
MAX_PAGE = 5
WEEK = timedelta(days=6)  # "due this week": today and the six days after


@dataclass(frozen=True)
class HomeState:
    """What the person asked the Home to show: how much, and which account's card. Kept in
    the view's private_metadata and read back, checked, when they click in it."""

    page: int = 1
    card: int | None = None  # an account id

    @property
    def meta(self) -> str:
        return json.dumps({"page": self.page, "card": self.card})

    @classmethod
    def read(cls, meta: str | None) -> Self:
        """The state a Home view carries; the first page for anything unreadable."""
        try:
            data = json.loads(meta or "{}")
            page, card = data.get("page", 1), data.get("card")
        except (ValueError, AttributeError):
            return cls()
        page = page if isinstance(page, int) and 1 <= page <= MAX_PAGE else 1
        return cls(page, card if isinstance(card, int) and card > 0 else None)


@dataclass
class Home:
    user_id: str
    today: date
    state: HomeState
    accounts: list[Standing] = field(default_factory=list)
    accounts_total: int = 0
    promises: list[DueItem] = field(default_factory=list)
    promises_total: int = 0
    cases: list[tuple[Case, Account]] = field(default_factory=list)
    cases_total: int = 0
    card: Assessment | None = None

    @property
    def hidden(self) -> int:
        """Items beyond what this page lists."""
        shown = len(self.accounts) + len(self.promises) + len(self.cases)
        return self.accounts_total + self.promises_total + self.cases_total - shown


def build(
    session: Session,
    team_id: str,
    user_id: str,
    *,
    today: date,
    now: datetime,
    tiers: Mapping[str, int],
    state: HomeState | None = None,
) -> Home:
    """The person's Home, from bounded reads (their own data only)."""
    state = state or HomeState()
    home = Home(user_id, today, state)
    owned = queries.owned_accounts(session, team_id, user_id, ACCOUNTS * state.page)
    home.accounts = standings(session, owned, today, now, tiers)
    home.accounts_total = queries.count_owned(session, team_id, user_id)
    put_aside = snoozed(session, team_id, [user_id], today)
    wanted = PROMISES * state.page
    due, total = queries.promises_due(session, team_id, user_id, today + WEEK, wanted + 20)
    kept = [d for d in due if (user_id, "promise", d.promise_id) not in put_aside]
    home.promises = kept[:wanted]
    home.promises_total = total - (len(due) - len(kept))
    home.cases, home.cases_total = queries.open_cases(session, team_id, user_id, CASES * state.page)
    if state.card is not None:
        account = account_of_team(session, team_id, str(state.card))
        if account is not None and account.owner_id == user_id and account.archived_at is None:
            home.card = assess(session, account, today, now, tiers)
    return home


class Watchers:
    """Who has a Home tab to keep fresh (Member.home_opened_at), remembered in this process for
    a few minutes: a command costs no database read for it, and a Home opened through another
    process is seen within `TTL`."""

    TTL = timedelta(minutes=5)

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], tuple[bool, datetime]] = {}
        self._lock = threading.Lock()

    def known(self, team_id: str, user_id: str, now: datetime) -> bool | None:
        """Whether they opened their Home, as remembered; None: not known lately."""
        with self._lock:
            seen = self._seen.get((team_id, user_id))
        return seen[0] if seen is not None and now - seen[1] < self.TTL else None

    def read(self, session: Session, team_id: str, user_id: str, now: datetime) -> bool:
        """Whether they opened their Home, from the database, and remembered."""
        member = session.get(Member, (team_id, user_id))
        found = member is not None and member.home_opened_at is not None
        self.saw(team_id, user_id, now, opened=found)
        return found

    def saw(self, team_id: str, user_id: str, now: datetime, *, opened: bool = True) -> None:
        with self._lock:
            self._seen[(team_id, user_id)] = (opened, now)
