"""An account's assessment, Slack-free: the facts the card shows, and one health word chosen
from them by a small rule that says why (never a bare score)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session

from bot.accounts.service import QUIET_DAYS, quiet_threshold, silence_threshold
from bot.assessment import queries
from bot.assessment.queries import LastContact, Tally
from bot.blocks import count
from bot.models import Account, Case, Contact, Promise, Stage, StageMove, Tier, stored_id


class Word(StrEnum):
    good = "good"
    watch = "watch"
    at_risk = "at risk"


class Trend(StrEnum):
    up = "up"
    down = "down"
    steady = "steady"


@dataclass(frozen=True)
class Signals:
    """What the health word is chosen from: facts about one account, counted as of today."""

    stage: Stage
    silent_days: int  # since the last logged contact (or since the account was added)
    threshold: int  # silence threshold, days
    overdue: int = 0  # open promises past due
    promised: int = 0  # promises due in the last 90 days (kept, broken, or open and overdue)
    kept_on_time: int = 0
    broken: int = 0  # broken, of those
    moved_down: bool = False  # a stage move down in the last 90 days
    contacts: int = 0  # key contacts
    deciders: int = 0
    opponent_deciders: int = 0
    lone_looker: str | None = None  # the one of ours who looks after every contact (>= 2)
    quiet_days: int | None = None  # strategic/key only: days since the client raised anything
    quiet_limit: int = QUIET_DAYS
    logged: bool = True  # any contact logged yet (else silence counts from when it was added)


@dataclass(frozen=True)
class Health:
    word: Word
    reasons: tuple[str, ...]  # why this word, most serious first


def warnings(s: Signals) -> list[str]:
    """Each fact that on its own makes an account worth watching."""
    found = []
    if s.overdue:
        found.append(f"{count(s.overdue, 'promise')} overdue")
    if s.promised and s.kept_on_time < s.promised:
        found.append(f"{s.kept_on_time} of {s.promised} promises kept on time in 90 days")
    if s.moved_down:
        found.append("moved down a stage in the last 90 days")
    if not s.deciders:
        found.append("no decider known")
    if s.lone_looker:
        found.append(f"every key contact looked after by <@{s.lone_looker}> alone")
    if s.quiet_days is not None and s.quiet_days > s.quiet_limit:
        found.append(f"nothing raised by the client for {s.quiet_days} days: too quiet to trust")
    return found


def health(s: Signals) -> Health:
    """One word for an account, with the reasons it was chosen.

    - *at risk* when any of: silent past its threshold; a promise broken (in 90 days) or
      overdue together with a stage move down in 90 days; a decider whose attitude is
      opponent; the stage is rejecting;
    - *watch* when none of those, but any single warning: a promise overdue, fewer than all
      promises of the last 90 days kept on time, a move down in 90 days, no decider known,
      every key contact (two or more) looked after by one person, a strategic or key account
      that raised nothing with us (case, concern, message in its channel) for its quiet days;
    - *good* otherwise, with the facts that say so.

    Reasons list the at-risk causes first, then every warning.
    """
    risks = []
    if s.silent_days > s.threshold:
        risks.append(f"no contact for {s.silent_days} days (threshold {s.threshold})")
    if (s.broken or s.overdue) and s.moved_down:
        risks.append("a promise broken or overdue, and a stage move down in 90 days")
    if s.opponent_deciders:
        risks.append("a decider is an opponent")
    if s.stage == Stage.rejecting:
        risks.append("the client is rejecting us")
    found = warnings(s)
    if risks:
        return Health(Word.at_risk, tuple(risks + found))
    if found:
        return Health(Word.watch, tuple(found))
    when = {0: "today", 1: "yesterday"}.get(s.silent_days, f"{count(s.silent_days, 'day')} ago")
    if s.logged:
        good = [f"in touch {when} (threshold {s.threshold})"]
    else:  # not "in touch today" for an account nobody has talked to yet
        good = [f"added {when}, no contact logged yet (threshold {s.threshold})"]
    if s.promised:
        good.append(f"all {s.promised} promises of the last 90 days kept on time")
    good.append(f"{count(s.deciders, 'decider')} known")
    return Health(Word.good, tuple(good))


def signals(account: Account, tally: Tally, today: date, tiers: Mapping[str, int]) -> Signals:
    """The facts the health word is chosen from, out of the database's counts."""
    since = tally.last_contact_on or account.created_at.date()
    quiet = None
    if account.tier in (Tier.strategic, Tier.key):
        raised = [account.created_at.date()]
        raised += [d for d in (tally.last_concern_on,) if d]
        raised += [t.date() for t in (tally.last_case_at, account.client_spoke_at) if t]
        quiet = (today - max(raised)).days
    lone = tally.contacts >= 2 and tally.lookers == 1 and not tally.unlooked
    return Signals(
        stage=Stage(account.stage),
        silent_days=max(0, (today - since).days),
        threshold=silence_threshold(account, tiers),
        overdue=tally.overdue,
        promised=tally.promised,
        kept_on_time=tally.kept_on_time,
        broken=tally.broken,
        moved_down=tally.moved_down,
        contacts=tally.contacts,
        deciders=tally.deciders,
        opponent_deciders=tally.opponent_deciders,
        lone_looker=tally.looker if lone else None,
        quiet_days=quiet,
        quiet_limit=quiet_threshold(account),
        logged=tally.last_contact_on is not None,
    )


def trend(tally: Tally) -> Trend:
    """Where the moves of the last 90 days took the account, all told."""
    if tally.net_moves > 0:
        return Trend.up
    if tally.net_moves < 0:
        return Trend.down
    return Trend.steady


@dataclass
class Standing:
    """An account's line in App Home: its health and stage."""

    account: Account
    health: Health
    trend: Trend


def standings(
    session: Session,
    accounts: Sequence[Account],
    today: date,
    now: datetime,
    tiers: Mapping[str, int],
) -> list[Standing]:
    """Health and trend of each account, from one set of grouped queries for all of them."""
    counted = queries.tallies(session, [stored_id(a.id) for a in accounts], today, now)
    found = []
    for account in accounts:
        tally = counted[stored_id(account.id)]
        found.append(Standing(account, health(signals(account, tally, today, tiers)), trend(tally)))
    return found


@dataclass
class Assessment:
    """Everything the card shows about one account."""

    account: Account
    today: date
    signals: Signals
    health: Health
    trend: Trend
    tally: Tally
    stage_since: datetime
    last: LastContact | None
    moves: list[StageMove] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    promises: list[Promise] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """The card's own warnings about key contacts (shown apart from the reasons)."""
        found = []
        if not self.signals.deciders:
            found.append("No decider known among the key contacts.")
        if self.signals.lone_looker:
            found.append(
                f"Every key contact is looked after by <@{self.signals.lone_looker}> alone."
            )
        return found


def assess(
    session: Session, account: Account, today: date, now: datetime, tiers: Mapping[str, int]
) -> Assessment:
    """The card's facts for one account: six grouped counts and five short lists."""
    account_id = stored_id(account.id)
    tally = queries.tallies(session, [account_id], today, now)[account_id]
    facts = signals(account, tally, today, tiers)
    shown = queries.lists(session, account_id)
    return Assessment(
        account=account,
        today=today,
        signals=facts,
        health=health(facts),
        trend=trend(tally),
        tally=tally,
        stage_since=tally.last_move_at or account.created_at,
        last=shown.last,
        moves=shown.moves,
        contacts=shown.contacts,
        promises=shown.promises,
        cases=shown.cases,
    )
