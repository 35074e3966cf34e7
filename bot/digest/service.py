"""The digest's work, Slack-free: who is due, what each reads, queued once, snoozes and
preferences. Every function takes a session (or the database, for one transaction per rep)
and the moment, day and zones it acts at; the time zones Slack knows are looked up by the
caller first (scheduler/jobs.py, bot/cli.py) and passed in."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from bot import keys
from bot.accounts.service import QUIET_DAYS
from bot.cases.queries import open_cases_for
from bot.db import Database
from bot.digest import queries, signs
from bot.digest.grammar import Kind, parse_digest_time
from bot.digest.queries import DIGEST, Candidate, DueItem, SilentAccount, Snoozed
from bot.digest.render import render_digest
from bot.digest.signs import QuietAccount, StageDown
from bot.errors import UserError
from bot.models import Account, Audience, Case, Member, NudgeLedger, OutboxMessage, Snooze
from bot.outbox import enqueue
from bot.people import zone
from bot.promises.queries import get_promise
from bot.promises.service import require_open

log = logging.getLogger(__name__)

WORKDAYS = frozenset(range(5))  # Monday to Friday
FEW = 200  # up to this many reps due together: their items are looked up by owner; more, and
# the whole workspace's items are read in one pass (cheaper than long IN lists) and sorted here

Person = tuple[str, str]
"""(workspace, user)."""


@dataclass(frozen=True)
class Rep:
    team_id: str
    user_id: str
    tz: ZoneInfo
    day: date  # the rep's local day


@dataclass
class Digest:
    rep: Rep
    silent: list[SilentAccount] = field(default_factory=list)
    quiet: list[QuietAccount] = field(default_factory=list)  # and not silent (see `plan`)
    stage_downs: list[StageDown] = field(default_factory=list)
    overdue: list[DueItem] = field(default_factory=list)
    due_soon: list[DueItem] = field(default_factory=list)
    escalated: list[DueItem] = field(default_factory=list)
    cases: list[tuple[Case, Account]] = field(default_factory=list)

    @property
    def count(self) -> int:
        lists = (
            self.silent,
            self.quiet,
            self.stage_downs,
            self.overdue,
            self.due_soon,
            self.escalated,
            self.cases,
        )
        return sum(len(items) for items in lists)

    @property
    def key(self) -> str:
        return keys.digest(self.rep.team_id, self.rep.user_id, self.rep.day)


# -- 1. who is due -----------------------------------------------------------------------------
def zones_to_find(people: Sequence[Candidate]) -> list[Person]:
    """Whose time zone the caller must ask Slack for before `due_reps`: those who may get a
    digest and whose zone was never cached (commands refresh a cached one; asking users.info
    for every rep at each tick would be a burst against Slack's rate limits)."""
    return [(p.team_id, p.user_id) for p in people if not p.digest_off and not p.tz]


def due_reps(
    session: Session,
    people: Sequence[Candidate],
    as_of: datetime,
    zones: Mapping[Person, ZoneInfo],
    *,
    ignore_time: bool = False,
) -> list[Rep]:
    """Of `people` (queries.candidates), the reps whose digest time has come on a local workday
    and whose digest is not yet in the digest ledger. `zones`: the zones of those without a
    cached one (`zones_to_find`); anyone still without a zone waits for the next tick.
    `ignore_time`: everyone, now, ledger or not (previews, tests)."""
    reps = []
    for person in people:
        if person.digest_off:
            continue
        tz = zone(person.tz) if person.tz else zones.get((person.team_id, person.user_id))
        if tz is None:
            continue
        local = as_of.astimezone(tz)
        digest_time = parse_digest_time(person.digest_time)
        if not ignore_time and (local.weekday() not in WORKDAYS or local.time() < digest_time):
            continue
        reps.append(Rep(person.team_id, person.user_id, tz, local.date()))
    if not reps or ignore_time:
        return reps
    done = queries.digests_done(session, {rep.day for rep in reps})
    return [rep for rep in reps if (rep.team_id, rep.user_id, rep.day) not in done]


# -- 2. what each should read ------------------------------------------------------------------
def plan(
    session: Session,
    reps: Sequence[Rep],
    tiers: Mapping[str, int],
    quiet_days: int = QUIET_DAYS,
) -> list[Digest]:
    """Each rep's digest. Reps are grouped by workspace and local day: one query per kind.
    Archived accounts are in none of it: not their silence, promises, cases or stage moves.

    An account both silent and too quiet to trust is listed once, as silent, with how long it
    has raised nothing: silence already asks for a call. The "too quiet" heading is kept for
    the deceiving case the seeds warn of: we are in touch, and still nothing is raised."""
    digests = {(rep.team_id, rep.user_id): Digest(rep) for rep in reps}
    groups: dict[tuple[str, date], list[Rep]] = defaultdict(list)
    for rep in reps:
        groups[(rep.team_id, rep.day)].append(rep)
    for (team_id, day), group in groups.items():
        owners = [rep.user_id for rep in group] if len(group) <= FEW else None
        snoozed = queries.snoozed(session, team_id, owners, day)
        silent: dict[int, SilentAccount] = {}
        for owner, item in queries.silent(session, team_id, owners, day, tiers):
            digest = digests.get((team_id, owner))
            if digest and (owner, "account", item.account_id) not in snoozed:
                digest.silent.append(item)
                silent[item.account_id] = item
        for owner, quiet in signs.quiet(session, team_id, owners, day, quiet_days):
            digest = digests.get((team_id, owner))
            if not digest or (owner, "account", quiet.account_id) in snoozed:
                continue
            if also := silent.get(quiet.account_id):
                also.quiet_for = quiet.days
            else:
                digest.quiet.append(quiet)
        _place(digests, team_id, queries.due(session, team_id, owners, day), day, snoozed)
        for routed, account in open_cases_for(session, team_id, owners):
            digest = digests.get((team_id, account.owner_id))
            if digest and account.archived_at is None:
                digest.cases.append((routed, account))
        _stage_downs(session, digests, team_id, group, owners)
    for digest in digests.values():
        digest.silent.sort(key=lambda s: (-s.days, s.name.lower()))
        digest.quiet.sort(key=lambda q: (-q.days, q.name.lower()))
    queries.last_summaries(session, [s for d in digests.values() for s in d.silent])
    return list(digests.values())


def _stage_downs(
    session: Session,
    digests: dict[tuple[str, str], Digest],
    team_id: str,
    group: Sequence[Rep],
    owners: list[str] | None,
) -> None:
    """Stage moves down on each rep's accounts since the rep's previous digest (or in the last
    STAGE_LOOKBACK days when none was judged lately): each is shown in one digest, the next."""
    previous = signs.previous_digests(session, team_id, owners, group[0].day)
    since = {
        rep.user_id: previous.get(rep.user_id)
        or datetime.combine(rep.day - timedelta(days=signs.STAGE_LOOKBACK), time(), rep.tz)
        for rep in group
    }
    for owner, move in signs.stage_downs(session, team_id, owners, min(since.values())):
        digest = digests.get((team_id, owner))
        if digest and move.moved_at > since.get(owner, move.moved_at):
            digest.stage_downs.append(move)


def _place(
    digests: dict[tuple[str, str], Digest],
    team_id: str,
    items: list[DueItem],
    day: date,
    snoozed: Snoozed,
) -> None:
    """Each promise into its owner's digest, and long-late ones into the account owner's."""
    tomorrow = day + timedelta(days=1)
    escalate_before = day - timedelta(days=queries.ESCALATE_AFTER)
    for item in items:
        owner = digests.get((team_id, item.owner_id))
        if owner and (item.owner_id, "promise", item.promise_id) not in snoozed:
            if item.due_on < day:
                owner.overdue.append(item)
            elif item.due_on <= tomorrow:
                owner.due_soon.append(item)
        if item.due_on >= escalate_before or item.account_owner_id == item.owner_id:
            continue
        boss = digests.get((team_id, item.account_owner_id))
        if boss and (item.account_owner_id, "promise", item.promise_id) not in snoozed:
            boss.escalated.append(item)


def digest_now(
    session: Session,
    team_id: str,
    user_id: str,
    tz: ZoneInfo,
    today: date,
    tiers: Mapping[str, int],
    quiet_days: int = QUIET_DAYS,
) -> Digest:
    """One rep's digest today, whatever the hour and the ledger say (preview, after a click)."""
    return plan(session, [Rep(team_id, user_id, tz, today)], tiers, quiet_days)[0]


# -- 3. queue, once ----------------------------------------------------------------------------
def send_digests(
    db: Database, reps: Sequence[Rep], as_of: datetime, tiers: Mapping[str, int]
) -> int:
    """Queue each rep's digest once (per rep, in one transaction: the digest ledger's row and
    the outbox message); returns how many were queued. The ledger's unique key makes a second
    run, a second process or a restart after a crash queue nothing twice."""
    if not reps:
        return 0
    with db.session() as session:
        digests = plan(session, reps, tiers)
    sent = 0
    for digest in digests:
        try:
            with db.session() as session:
                session.add(
                    NudgeLedger(
                        team_id=digest.rep.team_id,
                        user_id=digest.rep.user_id,
                        kind=DIGEST,
                        local_day=digest.rep.day,
                        outbox_key=digest.key if digest.count else "",
                        created_at=as_of,
                    )
                )
                session.flush()  # a second scheduler stops here: the day is taken
                if digest.count:
                    queue_digest(session, digest, as_of)
                    sent += 1
        except IntegrityError:
            log.info("digest %s already handled by another run", digest.key)
    return sent


def queue_digest(session: Session, digest: Digest, now: datetime) -> OutboxMessage:
    message = render_digest(digest)
    end_of_day = datetime.combine(digest.rep.day + timedelta(days=1), time(), digest.rep.tz)
    row = enqueue(
        session,
        key=digest.key,
        channel=f"@{digest.rep.user_id}",
        text=message["text"],
        blocks=message["blocks"],
        now=now,
        audience=Audience.internal,  # a DM with the rep, who is one of ours (the exit checks)
        team_id=digest.rep.team_id,
    )
    row.expires_at = end_of_day  # a digest not out by midnight is not sent the next day
    session.add(row)
    return row


# -- preferences and snoozes -------------------------------------------------------------------
def member(session: Session, team_id: str, user_id: str) -> Member:
    """The person's preferences (a new row, not yet added, when they never set any)."""
    return session.get(Member, (team_id, user_id)) or Member(team_id=team_id, user_id=user_id)


def set_digest(
    session: Session, team_id: str, user_id: str, *, off: bool, at: str | None = None
) -> Member:
    """Turn the digest on (at "HH:MM", or the time already set) or off."""
    row = member(session, team_id, user_id)
    row.digest_off = off
    if at is not None:
        row.digest_time = at
    session.add(row)
    return row


@dataclass(frozen=True)
class PutAside:
    """What was snoozed (a promise's label or an account's name), and until which day."""

    kind: Kind
    label: str
    until: date


def snooze(
    session: Session,
    team_id: str,
    user_id: str,
    kind: Kind,
    item_id: int,
    *,
    days: int,
    today: date,
    now: datetime,
) -> PutAside:
    """Put a digest item aside for `days` from `today` (the rep's local day)."""
    if kind == "promise":
        label = keys.promise_label(item_id)
        promise = get_promise(session, team_id, label, "/promise list mine")
        require_open(promise, "snoozed")
    else:
        account = session.get(Account, item_id)
        if not account or account.team_id != team_id:
            raise UserError("that account no longer exists.", "/steward account list")
        label = account.name
    until = today + timedelta(days=days)
    row = queries.snooze_row(session, team_id, user_id, kind, item_id) or Snooze(
        team_id=team_id,
        user_id=user_id,
        item_kind=kind,
        item_id=item_id,
        until=until,
        created_at=now,
    )
    row.until = until
    session.add(row)
    return PutAside(kind, label, until)


# -- signs of life -----------------------------------------------------------------------------
def client_spoke(session: Session, team_id: str, channel_id: str, at: datetime) -> None:
    """Someone of the client's organisation wrote in the account's channel at `at`: a sign of
    life that keeps the account off "too quiet to trust". One UPDATE; never moves it back."""
    session.connection().execute(
        update(Account)
        .where(
            col(Account.team_id) == team_id,
            col(Account.channel_id) == channel_id,
            or_(col(Account.client_spoke_at).is_(None), col(Account.client_spoke_at) < at),
        )
        .values(client_spoke_at=at)
    )
