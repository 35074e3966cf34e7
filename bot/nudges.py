"""The daily digest: silent clients, promises due or overdue, in each rep's morning, once.

Three steps, each safe to repeat:
1. `due_reps`: the reps whose local digest time has come today (a workday) and whose digest for
   that local day is not in the ledger yet.
2. `plan`: what each of them should read, found set-based (one query per kind of item for all
   the reps who share a local day, never a query per account).
3. `send_digests`: per rep, in one transaction, the ledger row and the outbox message. The
   ledger's unique key (workspace, rep, kind, local day) makes a second run, a second process
   or a restart after a crash send nothing twice.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.blocks import Reply, context, count, header, message, say, section
from bot.cases.queries import open_cases_for
from bot.cases.render import case_line
from bot.dates import describe_day
from bot.db import day_of, days_before
from bot.errors import UserError
from bot.invocation import Invocation
from bot.models import (
    Account,
    Audience,
    Case,
    Interaction,
    Member,
    NudgeLedger,
    OutboxMessage,
    Promise,
    PromiseStatus,
    Snooze,
    Tier,
)
from bot.outbox import enqueue
from bot.people import zone
from bot.promises import render as promise_render
from bot.promises.queries import get_promise
from bot.promises.service import require_open
from bot.slacktext import clip, escape
from bot.steward import Steward

log = logging.getLogger(__name__)

DIGEST = "digest"
DEFAULT_TIME = time(9, 0)
WORKDAYS = frozenset(range(5))  # Monday to Friday
ESCALATE_AFTER = 3  # days overdue before the account's owner hears of someone else's promise
MAX_ITEMS = 20  # two blocks an item, under Slack's 50 blocks a message
FEW = 200  # up to this many reps due together: their items are looked up by owner; more, and
# the whole workspace's items are read in one pass (cheaper than long IN lists) and sorted here
CHUNK = 5000  # ids per IN (...) list: far under SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True)
class Rep:
    team_id: str
    user_id: str
    tz: ZoneInfo
    day: date  # the rep's local day


@dataclass
class SilentAccount:
    account_id: int
    name: str
    slug: str
    days: int
    threshold: int
    last_on: date | None = None
    last_summary: str | None = None


@dataclass
class DueItem:
    promise_id: int
    what: str
    owner_id: str
    due_on: date
    account_name: str
    account_owner_id: str


@dataclass
class Digest:
    rep: Rep
    silent: list[SilentAccount] = field(default_factory=list)
    overdue: list[DueItem] = field(default_factory=list)
    due_soon: list[DueItem] = field(default_factory=list)
    escalated: list[DueItem] = field(default_factory=list)
    cases: list[tuple[Case, Account]] = field(default_factory=list)

    @property
    def count(self) -> int:
        lists = (self.silent, self.overdue, self.due_soon, self.escalated, self.cases)
        return sum(len(items) for items in lists)

    @property
    def key(self) -> str:
        return f"{DIGEST}:{self.rep.team_id}:{self.rep.user_id}:{self.rep.day.isoformat()}"


def parse_digest_time(value: str | None) -> time:
    try:
        return time.fromisoformat(value) if value else DEFAULT_TIME
    except ValueError:
        return DEFAULT_TIME


# -- 1. who is due -----------------------------------------------------------------------------
def candidates(session: Session) -> list[tuple[str, str, Any]]:
    """Everyone who owns an account or an open promise, with their Member preferences if any
    (as rows: the fields, not ORM objects; this runs every tick).

    Three index-only reads instead of one UNION over promises joined to accounts: people who
    hold promises but own no account are few, and only their workspace is looked up.
    """
    people = set(session.exec(select(Account.team_id, Account.owner_id).distinct()).all())
    holders = set(
        session.exec(
            select(Promise.owner_id).where(Promise.status == PromiseStatus.open).distinct()
        ).all()
    )
    others = list(holders - {user for _, user in people})
    for chunk in _chunks(others, CHUNK):
        people.update(
            session.exec(
                select(Account.team_id, Promise.owner_id)
                .join(Account, col(Account.id) == col(Promise.account_id))
                .where(Promise.status == PromiseStatus.open, col(Promise.owner_id).in_(chunk))
                .distinct()
            ).all()
        )
    prefs = select(
        Member.team_id,
        Member.user_id,
        Member.tz,
        Member.tz_fetched_at,
        Member.digest_time,
        Member.digest_off,
    )
    members = {(m.team_id, m.user_id): m for m in session.exec(prefs).all()}
    return [(team, user, members.get((team, user))) for team, user in sorted(people)]


def due_reps(st: Steward, as_of: datetime, *, ignore_time: bool = False) -> list[Rep]:
    """Reps whose digest time has come on a local workday and whose digest is not yet out."""
    with st.db.session() as session:
        people = candidates(session)
    reps = []
    for team_id, user_id, member in people:
        if member and member.digest_off:
            continue
        # The zone we have, even if over a day old (commands refresh it): asking users.info for
        # every rep at each tick would be a burst against Slack's rate limits.
        tz = zone(member.tz) if member and member.tz else st.directory.tz(team_id, user_id)
        local = as_of.astimezone(tz)
        digest_time = parse_digest_time(member.digest_time if member else None)
        if not ignore_time and (local.weekday() not in WORKDAYS or local.time() < digest_time):
            continue
        reps.append(Rep(team_id, user_id, tz, local.date()))
    if not reps or ignore_time:
        return reps
    with st.db.session() as session:
        done = set(
            session.exec(
                select(NudgeLedger.team_id, NudgeLedger.user_id, NudgeLedger.local_day).where(
                    NudgeLedger.kind == DIGEST,
                    col(NudgeLedger.local_day).in_({rep.day for rep in reps}),
                )
            ).all()
        )
    return [rep for rep in reps if (rep.team_id, rep.user_id, rep.day) not in done]


# -- 2. what each should read ------------------------------------------------------------------
def threshold_sql(tiers: Mapping[str, int]) -> Any:
    """SQL for each account's silence threshold (see accounts.silence_threshold)."""
    by_tier = case(
        *((Account.tier == tier, days) for tier, days in tiers.items()),
        else_=tiers[Tier.standard],
    )
    return func.coalesce(Account.silence_days, by_tier)


def plan(session: Session, reps: list[Rep], tiers: Mapping[str, int]) -> list[Digest]:
    """Each rep's digest. Reps are grouped by workspace and local day: one query per kind."""
    digests = {(rep.team_id, rep.user_id): Digest(rep) for rep in reps}
    groups: dict[tuple[str, date], list[str]] = defaultdict(list)
    for rep in reps:
        groups[(rep.team_id, rep.day)].append(rep.user_id)
    for (team_id, day), users in groups.items():
        owners = users if len(users) <= FEW else None
        snoozed = _snoozed(session, team_id, owners, day)
        for owner, item in _silent(session, team_id, owners, day, tiers):
            digest = digests.get((team_id, owner))
            if digest and (owner, "account", item.account_id) not in snoozed:
                digest.silent.append(item)
        _place(digests, team_id, _due(session, team_id, owners, day), day, snoozed)
        for routed, account in open_cases_for(session, team_id, owners):
            if digest := digests.get((team_id, account.owner_id)):
                digest.cases.append((routed, account))
    for digest in digests.values():
        digest.silent.sort(key=lambda s: (-s.days, s.name.lower()))
    _last_summaries(session, [s for d in digests.values() for s in d.silent])
    return list(digests.values())


def _chunks(items: list[str], size: int) -> list[list[str]]:
    iterator = iter(items)
    return list(iter(lambda: list(islice(iterator, size)), []))


def _among(column: Any, users: list[str] | None) -> list[Any]:
    """The filter on `column` for these users; none when they are the whole workspace."""
    return [] if users is None else [col(column).in_(users)]


def _snoozed(session: Session, team_id: str, users: list[str] | None, day: date) -> set[tuple]:
    rows = session.exec(
        select(Snooze.user_id, Snooze.item_kind, Snooze.item_id).where(
            Snooze.team_id == team_id, col(Snooze.until) > day, *_among(Snooze.user_id, users)
        )
    ).all()
    return {tuple(row) for row in rows}


def _silent(
    session: Session, team_id: str, owners: list[str] | None, day: date, tiers: Mapping[str, int]
) -> list[tuple[str, SilentAccount]]:
    last = (
        select(func.max(Interaction.occurred_on))
        .where(Interaction.account_id == Account.id)
        .correlate(Account)
        .scalar_subquery()
    )
    since = func.coalesce(last, day_of(Account.created_at))
    threshold = threshold_sql(tiers)
    rows = session.exec(
        select(Account.owner_id, Account.id, Account.name, Account.slug, since, threshold).where(
            Account.team_id == team_id,
            since < days_before(literal(day), threshold),
            *_among(Account.owner_id, owners),
        )
    ).all()
    return [
        (owner, SilentAccount(id_, name, slug, (day - _as_date(since_on)).days, limit))
        for owner, id_, name, slug, since_on, limit in rows
    ]


def _as_date(value: date | str) -> date:
    """SQLite hands back computed dates as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _due(session: Session, team_id: str, users: list[str] | None, day: date) -> list[DueItem]:
    """Open promises the reps own that are due by tomorrow, and those long overdue on the
    accounts they own that someone else owns (escalations)."""
    tomorrow = day + timedelta(days=1)
    wanted: Any = col(Promise.due_on) <= tomorrow  # escalations are overdue: a subset
    if users is not None:
        wanted = or_(
            and_(col(Promise.owner_id).in_(users), wanted),
            and_(
                col(Account.owner_id).in_(users),
                col(Promise.owner_id) != col(Account.owner_id),
                col(Promise.due_on) < day - timedelta(days=ESCALATE_AFTER),
            ),
        )
    rows = (
        session.connection()
        .execute(  # Core: no ORM bookkeeping per row
            select(
                Promise.id,
                Promise.what,
                Promise.owner_id,
                Promise.due_on,
                Account.name,
                Account.owner_id,
            )
            .join(Account, col(Account.id) == col(Promise.account_id))
            .where(Account.team_id == team_id, Promise.status == PromiseStatus.open, wanted)
            .order_by(Promise.due_on, Promise.id)
        )
        .all()
    )
    return [DueItem(*row) for row in rows]


def _place(
    digests: dict[tuple[str, str], Digest],
    team_id: str,
    items: list[DueItem],
    day: date,
    snoozed: set,
) -> None:
    """Each promise into its owner's digest, and long-late ones into the account owner's."""
    tomorrow = day + timedelta(days=1)
    escalate_before = day - timedelta(days=ESCALATE_AFTER)
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


def _last_summaries(session: Session, silent: list[SilentAccount]) -> None:
    """The last contact of each silent account (only those: the digest shows them)."""
    by_id = {s.account_id: s for s in silent}
    for chunk in _chunks(list(by_id), CHUNK):  # type: ignore[arg-type]
        latest = (
            select(
                Interaction.account_id,
                Interaction.occurred_on,
                Interaction.summary,
                func.row_number()
                .over(
                    partition_by=Interaction.account_id,
                    order_by=(col(Interaction.occurred_on).desc(), col(Interaction.id).desc()),
                )
                .label("n"),
            )
            .where(col(Interaction.account_id).in_(chunk))
            .subquery()
        )
        rows = session.exec(
            select(latest.c.account_id, latest.c.occurred_on, latest.c.summary).where(
                latest.c.n == 1
            )
        ).all()
        for account_id, occurred_on, summary in rows:
            by_id[account_id].last_on = occurred_on
            by_id[account_id].last_summary = summary


# -- 3. send, once -----------------------------------------------------------------------------
def send_digests(st: Steward, as_of: datetime) -> int:
    """The scheduled job: queue each due rep's digest once; returns how many were queued."""
    reps = due_reps(st, as_of)
    if not reps:
        return 0
    with st.db.session() as session:
        digests = plan(session, reps, st.settings.silence_days)
    sent = 0
    for digest in digests:
        try:
            with st.db.session() as session:
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
    )
    row.expires_at = end_of_day  # a digest not out by midnight is not sent the next day
    session.add(row)
    return row


# -- the message -------------------------------------------------------------------------------
def _value(kind: str, item_id: int, day: date) -> str:
    return json.dumps({"kind": kind, "id": item_id, "day": day.isoformat()})


def _snooze_buttons(kind: str, item_id: int, day: date) -> list[dict[str, Any]]:
    value = _value(kind, item_id, day)
    return [
        button("Snooze 1 day", "digest_snooze_day", value),
        button("Snooze 1 week", "digest_snooze_week", value),
    ]


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def _silent_blocks(item: SilentAccount, day: date) -> list[dict[str, Any]]:
    line = (
        f"*{escape(item.name)}* (`{item.slug}`) — *{count(item.days, 'day')}* without a "
        f"contact (threshold {item.threshold})"
    )
    if item.last_on:
        summary = clip(item.last_summary or "", 300)  # stored as mrkdwn already
        line += f"\nLast: {describe_day(item.last_on, today=day)} — {summary}"
    else:
        line += "\nNo contact logged since the account was added."
    actions = [button("Log contact", "digest_log", _value("account", item.account_id, day))]
    return [
        section(line),
        {
            "type": "actions",
            "block_id": f"account-{item.account_id}",
            "elements": actions + _snooze_buttons("account", item.account_id, day),
        },
    ]


def _promise_blocks(item: DueItem, day: date, *, show_owner: bool) -> list[dict[str, Any]]:
    owner = f" — owner <@{item.owner_id}>" if show_owner else ""
    line = (
        f"`P-{item.promise_id}` *{escape(item.account_name)}* · {item.what}{owner}\n"
        f"Due {promise_render.due_text(item.due_on, day)}"
    )
    value = _value("promise", item.promise_id, day)
    picker = {
        "type": "datepicker",
        "action_id": "digest_due",
        "placeholder": {"type": "plain_text", "text": "New due date"},
    }
    elements = [button("Mark kept", "digest_kept", value, "primary"), picker]
    return [
        section(line),
        {
            "type": "actions",
            "block_id": f"promise-{item.promise_id}",
            "elements": elements + _snooze_buttons("promise", item.promise_id, day),
        },
    ]


def render_digest(digest: Digest) -> dict[str, Any]:
    """The digest as a Slack message (text for notifications, blocks for reading)."""
    day = digest.rep.day
    if not digest.count:
        return message(
            "Nothing left in today's digest. :white_check_mark:",
            [section("Nothing left in today's digest. :white_check_mark:")],
        )
    parts = [
        (digest.silent, "Clients gone quiet", lambda i: _silent_blocks(i, day)),
        (digest.overdue, "Promises overdue", lambda i: _promise_blocks(i, day, show_owner=False)),
        (
            digest.due_soon,
            "Due today or tomorrow",
            lambda i: _promise_blocks(i, day, show_owner=False),
        ),
        (
            digest.escalated,
            f"Overdue over {ESCALATE_AFTER} days on your accounts (someone else's promise)",
            lambda i: _promise_blocks(i, day, show_owner=True),
        ),
    ]
    summary = ", ".join(f"{len(items)} {title.lower()}" for items, title, _ in parts if items)
    if digest.cases:
        summary += f"{', ' if summary else ''}{len(digest.cases)} open cases"
    text = f"Your digest for {day:%a} {day.day} {day:%b}: {summary}"
    blocks = [header(f"Your digest — {day:%A} {day.day} {day:%B}")]
    room, left = MAX_ITEMS, 0
    for items, title, blocks_of in parts:
        if not items:
            continue
        shown = items[: max(room, 0)]
        left += len(items) - len(shown)
        room -= len(shown)
        if shown:
            blocks.append(section(f"*{title}* ({len(items)})"))
            for item in shown:
                blocks += blocks_of(item)
    if digest.cases:
        blocks.append(section(f"*Cases open on your accounts* ({len(digest.cases)})"))
        blocks += [section(case_line(c, a, day)) for c, a in digest.cases[:10]]
        left += max(0, len(digest.cases) - 10)
    if left:
        blocks.append(
            context(f"…and {left} more: `/promise list mine`, `/steward account list`.")
        )
    return message(text, blocks)


def digest_for(inv: Invocation, session: Session) -> Digest:
    """The caller's digest now, whatever the hour and the ledger say (preview, after a click)."""
    rep = Rep(inv.team_id, inv.user_id, inv.tz, inv.today)
    return plan(session, [rep], inv.policy.silence_days)[0]


# -- /steward digest ---------------------------------------------------------------------------
EX_DIGEST = "/steward digest 8:30"
HELP_DIGEST = (
    "*Daily digest* — each workday at 09:00 your time, a DM with your silent clients and "
    "promises due or overdue.\n"
    "• `/steward digest 08:30` sets your time · `/steward digest off` · `/steward digest on` · "
    "`/steward digest preview` shows today's now"
)


def digest_command(inv: Invocation, session: Session, words: list[str]) -> Reply:
    arg = words[0].lower() if words else ""
    member = session.get(Member, (inv.team_id, inv.user_id)) or Member(
        team_id=inv.team_id, user_id=inv.user_id
    )
    if arg == "preview":
        return render_digest(digest_for(inv, session))
    if arg in ("off", "on"):
        member.digest_off = arg == "off"
        session.add(member)
        if member.digest_off:
            return say("Your daily digest is *off*. `/steward digest on` brings it back.")
        return say(f"Your daily digest is *on*, at {_shown_time(member)} your time.")
    if not arg:
        state = "off" if member.digest_off else f"on, at {_shown_time(member)} your time"
        return say(f"Your daily digest is {state}. {HELP_DIGEST.split(chr(10))[1][2:]}")
    member.digest_time = _digest_time(words[0])
    member.digest_off = False
    session.add(member)
    return say(f"Your daily digest will come at *{member.digest_time}* your time.")


def _shown_time(member: Member) -> str:
    return parse_digest_time(member.digest_time).strftime("%H:%M")


TIME_OF_DAY = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


def _digest_time(value: str) -> str:
    """`8:30`, `08:30`, `9`, `9am`, `5:30pm` → "HH:MM"."""
    match = TIME_OF_DAY.match(value.strip())
    hour, minute = (int(match.group(1)), int(match.group(2) or 0)) if match else (99, 0)
    if match and match.group(3):
        hour = hour % 12 + (12 if match.group(3).lower() == "pm" else 0) if hour <= 12 else 99
    if hour > 23 or minute > 59:
        raise UserError(
            f"“{value}” is not a time of day; give hours and minutes, 00:00 to 23:59.",
            EX_DIGEST,
            suggestions=["on", "off", "preview"],
        )
    return f"{hour:02d}:{minute:02d}"


# -- the buttons' actions, run through commands.run like any command ---------------------------
def snooze(inv: Invocation, session: Session, kind: str, item_id: int, days: int) -> Reply:
    if kind == "promise":
        promise = get_promise(session, inv.team_id, f"P-{item_id}", "/promise list mine")
        require_open(promise, "snoozed")
        what = f"`P-{item_id}`"
    else:
        account = session.get(Account, item_id)
        if not account or account.team_id != inv.team_id:
            raise UserError("that account no longer exists.", "/steward account list")
        what = f"*{escape(account.name)}*"
    until = inv.today + timedelta(days=days)
    existing = session.exec(
        select(Snooze).where(
            Snooze.team_id == inv.team_id,
            Snooze.user_id == inv.user_id,
            Snooze.item_kind == kind,
            Snooze.item_id == item_id,
        )
    ).first()
    row = existing or Snooze(
        team_id=inv.team_id,
        user_id=inv.user_id,
        item_kind=kind,
        item_id=item_id,
        until=until,
        created_at=inv.now,
    )
    row.until = until
    session.add(row)
    return say(f"Snoozed {what} until {promise_render.due_text(until, inv.today)}.")


