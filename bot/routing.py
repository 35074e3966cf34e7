"""Routing: a client thread becomes a case in our counterpart team's channel, threads in step.

Every post goes through the outbox under a key derived from the Slack message that caused it
(`case:<id>:carry:<ts>`…), so an event Slack retries, or a message seen twice, posts once.
In a channel shared with the client (`origin_shared`) nothing said on our side goes back to the
origin thread except what is meant for the client: `@Steward reply …` and the resolution.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot import render
from bot.commands import HELP, STEWARD_VERBS, Invocation, Reply, split_options
from bot.dates import describe_day
from bot.errors import UserError
from bot.models import Account, Case, CaseStatus, OutboxMessage, Route
from bot.outbox import enqueue
from bot.services import accounts as accounts_svc
from bot.slacktext import SECTION_LIMIT, channel_id_of, chunks, clip, defuse, escape
from bot.steward import Steward

log = logging.getLogger(__name__)

FUNCTION = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
CASE_ID = re.compile(r"(?i)^c-?(\d{1,9})$")
DEFAULT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "finance": ("invoice", "payment", "credit note", "billing", "refund", "overdue", "vat"),
    "logistics": ("delivery", "shipment", "shipping", "tracking", "warehouse", "courier"),
    "legal": ("contract", "clause", "liability", "nda", "gdpr"),
    "service": ("outage", "broken", "error", "bug", "support", "ticket"),
}
THREAD_MESSAGES = 30  # the thread so far, at most this many messages in the case post
WORK_START, WORK_END = 9, 17  # working hours (UTC) for the 4-hour aging nudge
AGING_HOURS = 4
EX_ROUTE_SET = "/steward route set finance #finance-team"


def label(case: Case) -> str:
    return f"C-{case.id}"


def post_key(case: Case) -> str:
    return f"case:{case.id}:post"


# -- keywords ----------------------------------------------------------------------------------
def parse_keywords(text: str | None) -> dict[str, tuple[str, ...]]:
    """`ROUTE_KEYWORDS=finance=invoice,payment;logistics=delivery`: replaces those functions'."""
    keywords = dict(DEFAULT_KEYWORDS)
    for part in filter(None, (p.strip() for p in (text or "").split(";"))):
        function, _, words = part.partition("=")
        keywords[function.strip().lower()] = tuple(
            w.strip().lower() for w in words.split(",") if w.strip()
        )
    return keywords


def suggest_function(
    text: str, functions: list[str], keywords: Mapping[str, tuple[str, ...]]
) -> str | None:
    """The function whose keywords the text mentions most, among those with a route."""
    lowered = text.lower()
    scores = {f: sum(lowered.count(word) for word in keywords.get(f, ())) for f in functions}
    best = max(scores, key=lambda f: scores[f], default=None)
    return best if best and scores[best] else None


# -- routes ------------------------------------------------------------------------------------
def routes(session: Session, team_id: str) -> list[Route]:
    return list(
        session.exec(
            select(Route).where(Route.team_id == team_id).order_by(Route.function, Route.account_id)
        ).all()
    )


def functions_for(session: Session, team_id: str, account: Account | None) -> list[str]:
    """Functions that have a counterpart for this account (its own or the default)."""
    ids = {0, account.id if account else 0}
    return sorted({r.function for r in routes(session, team_id) if r.account_id in ids})


def counterpart(session: Session, team_id: str, function: str, account: Account) -> Route | None:
    found = session.exec(
        select(Route).where(
            Route.team_id == team_id,
            Route.function == function,
            col(Route.account_id).in_((0, account.id)),
        )
    ).all()
    return max(found, key=lambda r: r.account_id, default=None)  # the account's own first


def _function(word: str, example: str) -> str:
    function = word.lower().strip(":")
    if not FUNCTION.match(function):
        raise UserError(
            f"“{word}” is not a function name; use one word like finance, logistics or legal.",
            example,
        )
    return function


def route_command(inv: Invocation, session: Session, words: list[str]) -> Reply:
    verb = words[0].lower() if words else "list"
    rest, options = split_options(words[1:])
    account = None
    if "account" in options:
        account = accounts_svc.resolve_account(
            session, inv.team_id, options["account"], EX_ROUTE_SET + " account:acme-rail"
        )
    if verb == "list":
        found = routes(session, inv.team_id)
        if not found:
            return render.say(f"No counterparts are set yet. Set one: `{EX_ROUTE_SET}`")
        names = {a.id: a.slug for a in accounts_svc.list_accounts(session, inv.team_id)}
        lines = [
            f"• *{r.function}* → <#{r.channel_id}>"
            + (f" for `{names.get(r.account_id, r.account_id)}`" if r.account_id else "")
            for r in found
        ]
        return render.say("*Counterparts*\n" + "\n".join(lines))
    if verb == "set":
        if len(rest) < 2 or not channel_id_of(rest[1]):
            raise UserError("say which function and which of our channels takes it.", EX_ROUTE_SET)
        function = _function(rest[0], EX_ROUTE_SET)
        channel = channel_id_of(rest[1]) or ""
        scope = account.id if account else 0
        route = session.exec(
            select(Route).where(
                Route.team_id == inv.team_id, Route.function == function, Route.account_id == scope
            )
        ).first() or Route(
            team_id=inv.team_id,
            function=function,
            account_id=scope,
            channel_id=channel,
            created_by=inv.user_id,
            created_at=inv.now,
        )
        route.channel_id = channel
        session.add(route)
        where = f" for *{escape(account.name)}*" if account else ""
        return render.say(
            f":white_check_mark: *{function}* now goes to <#{channel}>{where}. In a client "
            f"thread: `@Steward route {function}: <note>`."
        )
    if verb == "remove":
        if not rest:
            raise UserError("say which function.", "/steward route remove finance")
        function = _function(rest[0], "/steward route remove finance")
        scope = account.id if account else 0
        route = session.exec(
            select(Route).where(
                Route.team_id == inv.team_id, Route.function == function, Route.account_id == scope
            )
        ).first()
        if route is None:
            raise UserError(
                f"no counterpart is set for *{function}*"
                + (f" on {account.slug}" if account else "")
                + ".",
                "/steward route list",
            )
        session.delete(route)
        return render.say(f"Removed the counterpart for *{function}*.")
    raise UserError(f"I don't know `route {verb}`.", EX_ROUTE_SET, ["set", "list", "remove"])


def cases_command(inv: Invocation, session: Session, words: list[str]) -> Reply:
    which = words[0].lower() if words else "open"
    query = select(Case, Account).join(Account, col(Account.id) == col(Case.account_id))
    query = query.where(Case.team_id == inv.team_id)
    title = "Open cases"
    if which == "mine":
        query = query.where(
            (Case.taken_by == inv.user_id)
            | (Case.raised_by == inv.user_id)
            | (Account.owner_id == inv.user_id)
        )
        title = "Your cases"
    elif which not in ("open", "all"):
        account = accounts_svc.resolve_account(
            session, inv.team_id, " ".join(words), "/steward cases acme-rail"
        )
        query = query.where(Case.account_id == account.id)
        title = f"Cases of {escape(account.name)}"
    if which == "all":
        title = "All cases"
    else:
        query = query.where(Case.status != CaseStatus.resolved)
    found = session.exec(query.order_by(col(Case.id).desc()).limit(40)).all()
    if not found:
        return render.say(f"*{title}:* none.")
    today = inv.today
    lines = [case_line(c, a, today) for c, a in found]
    return render.message(
        f"{title}: {len(found)}",
        [render.section(f"*{title}* ({len(found)})"), *[render.section(line) for line in lines]],
    )


def case_line(case: Case, account: Account, today: Any) -> str:
    who = f"taken by <@{case.taken_by}>" if case.taken_by else "nobody has taken it"
    if case.status == CaseStatus.resolved:
        who = f"resolved by <@{case.resolved_by}>"
    opened = describe_day(case.created_at.date(), today=today)
    return (
        f"`{label(case)}` *{escape(account.name)}* · {case.function} → "
        f"<#{case.counterpart_channel}>"
        f" — opened {opened}, {who}"
    )


# -- opening a case ----------------------------------------------------------------------------
@dataclass
class RouteRequest:
    team_id: str
    user_id: str
    channel_id: str
    thread_ts: str  # the origin thread's root (the message itself when not in a thread)
    function: str | None
    note: str | None
    source_ts: str  # the message that asked (keys the answer: a retry answers once)


def open_case(st: Steward, request: RouteRequest) -> str:
    """Route the thread; returns what was done, in words for the log. Answers in the thread."""
    client = st.client
    with st.db.session() as session:
        account = accounts_svc.account_for_channel(session, request.team_id, request.channel_id)
        if account is None:
            _answer(
                session,
                st,
                request,
                "route-none",
                "I can only route threads in an account's channel; this channel is not one. "
                "Set it with `/steward account set <account> channel:#this-channel`.",
            )
            return "not an account channel"
        available = functions_for(session, request.team_id, account)
        function = request.function
        if function is None:
            return _ask_function(st, session, request, account, available)
        route = counterpart(session, request.team_id, function, account)
        if route is None:
            listed = ", ".join(f"*{f}*" for f in available) or "none yet"
            _answer(
                session,
                st,
                request,
                f"route-missing-{function}",
                f"There is no counterpart for *{function}*. Functions set: {listed}. "
                f"Someone on our side can add one: `/steward route set {function} #channel`.",
            )
            return "no counterpart"
        existing = session.exec(
            select(Case).where(
                Case.team_id == request.team_id,
                Case.origin_channel == request.channel_id,
                Case.origin_ts == request.thread_ts,
                Case.function == function,
            )
        ).first()
        if existing:
            _answer(
                session,
                st,
                request,
                f"case-{existing.id}-again",
                f"This thread is already {label(existing)} with our {function} team.",
            )
            return "already routed"
    thread = _thread_so_far(client, request.channel_id, request.thread_ts)
    permalink = _permalink(client, request.channel_id, request.thread_ts)
    shared = _is_shared(client, request.channel_id)
    try:
        with st.db.session() as session:
            account = accounts_svc.account_for_channel(session, request.team_id, request.channel_id)
            if account is None:  # unlinked from the channel in the meantime
                return "not an account channel"
            case = Case(
                team_id=request.team_id,
                account_id=account.id,
                function=function,
                origin_channel=request.channel_id,
                origin_ts=request.thread_ts,
                origin_shared=shared,
                counterpart_channel=route.channel_id,
                raised_by=request.user_id,
                note=request.note,
                created_at=st.clock.now(),
            )
            session.add(case)
            session.flush()
            message = case_post(case, account, thread, permalink)
            enqueue(
                session,
                key=post_key(case),
                channel=case.counterpart_channel,
                now=case.created_at,
                **message,
            )
            where = (
                f"our {function} team" if shared else f"<#{case.counterpart_channel}> ({function})"
            )
            to_origin_thread(
                session,
                case,
                "routed",
                f":arrow_right: Routed to {where} as *{label(case)}*, with this thread so far. "
                "Replies here are carried over; we'll post the resolution here.",
                case.created_at,
            )
    except IntegrityError:
        return "already routed"  # the same request, retried, lost the race
    st.outbox.notify()
    return f"opened C-{case.id}"


def _ask_function(
    st: Steward, session: Session, request: RouteRequest, account: Account, available: list[str]
) -> str:
    if not available:
        _answer(
            session,
            st,
            request,
            "route-no-functions",
            "No counterparts are set yet, so I can't route this. Someone on our side can "
            f"add one: `{EX_ROUTE_SET}`.",
        )
        return "no counterparts"
    text = " ".join(
        m.get("text", "") for m in _thread_so_far(st.client, request.channel_id, request.thread_ts)
    )
    guess = suggest_function(
        text + " " + (request.note or ""), available, parse_keywords(st.settings.route_keywords)
    )
    ordered = ([guess] if guess else []) + [f for f in available if f != guess]
    value = f"{request.thread_ts}|{request.note or ''}"[:1900]
    buttons = [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": f},
            "action_id": f"route_pick_{f}",
            "value": value,
            **({"style": "primary"} if f == guess else {}),
        }
        for f in ordered[:5]
    ]
    lead = (
        f"This looks like one for *{guess}*. Route it there?"
        if guess
        else "Route this thread to which team?"
    )
    try:
        st.client.chat_postEphemeral(
            channel=request.channel_id,
            user=request.user_id,
            thread_ts=request.thread_ts,
            text=lead,
            blocks=[
                render.section(lead),
                {"type": "actions", "block_id": "route_pick", "elements": buttons},
            ],
        )
    except Exception:
        log.exception("could not ask which function")
    return "asked"


def _answer(session: Session, st: Steward, request: RouteRequest, what: str, text: str) -> None:
    """A short answer in the thread, once per asking message."""
    enqueue(
        session,
        key=f"route:{request.channel_id}:{request.source_ts}:{what}",
        channel=request.channel_id,
        thread_ts=request.thread_ts,
        text=text,
        now=st.clock.now(),
    )
    st.outbox.notify()


def _thread_so_far(client: WebClient, channel: str, ts: str) -> list[dict[str, Any]]:
    try:
        return list(client.conversations_replies(channel=channel, ts=ts, limit=200)["messages"])
    except Exception as error:
        log.warning("conversations.replies %s %s: %s", channel, ts, error)
        return []


def _permalink(client: WebClient, channel: str, ts: str) -> str | None:
    try:
        return str(client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
    except Exception as error:
        log.warning("chat.getPermalink %s %s: %s", channel, ts, error)
        return None


def _is_shared(client: WebClient, channel: str) -> bool:
    """Shared with another organisation (Slack Connect)? When unsure, say yes: stay quiet."""
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except Exception as error:
        log.warning("conversations.info %s: %s; treating it as shared", channel, error)
        return True
    return bool(info.get("is_ext_shared") or info.get("is_shared"))


def _author(message: Mapping[str, Any]) -> str:
    if message.get("bot_id") and not message.get("user"):
        return "a bot"
    return f"<@{message.get('user', '?')}>"


def case_buttons(case: Case) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": f"case-{case.id}",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Take it"},
                "action_id": "case_take",
                "value": str(case.id),
                "style": "primary",
            },
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Resolve"},
                "action_id": "case_resolve",
                "value": str(case.id),
            },
        ],
    }


def case_post(
    case: Case, account: Account, thread: list[dict[str, Any]], permalink: str | None
) -> dict[str, Any]:
    """The case as posted in the counterpart channel: who, what, the thread so far, buttons."""
    head = f"{label(case)} · {account.name} · {case.function}"
    intro = (
        f"*{label(case)}* for *{escape(account.name)}*, raised by <@{case.raised_by}> in "
        f"<#{case.origin_channel}>"
    )
    if case.note:
        intro += f"\n> {clip(case.note, 1000)}"
    blocks: list[dict[str, Any]] = [render.header(head), render.section(intro)]
    shown = thread[:THREAD_MESSAGES]
    if shown:
        blocks.append(render.context(f"The thread so far ({len(thread)} messages):"))
        room = 40 - len(blocks)
        text = "\n".join(f"{_author(m)}: {m.get('text', '')}" for m in shown)
        pieces = chunks(text, SECTION_LIMIT - 10)
        for piece in pieces[:room]:
            blocks.append(render.section(piece))
        if len(pieces) > room or len(thread) > len(shown):
            blocks.append(render.context("…the rest is in the original thread."))
    if permalink:
        blocks.append(render.context(f"<{permalink}|Open the original thread>"))
    blocks.append(case_buttons(case))
    return render.message(f"{head}: raised by <@{case.raised_by}>", blocks)


# -- threads in step ---------------------------------------------------------------------------
def to_case_thread(session: Session, case: Case, what: str, text: str, now: datetime) -> None:
    """Post in the case's thread in the counterpart channel (once the case post is out)."""
    enqueue(
        session,
        key=f"case:{case.id}:{what}",
        channel=case.counterpart_channel,
        thread_key=post_key(case),
        text=text,
        now=now,
    )


def to_origin_thread(session: Session, case: Case, what: str, text: str, now: datetime) -> None:
    """Post in the thread the case came from."""
    enqueue(
        session,
        key=f"case:{case.id}:{what}",
        channel=case.origin_channel,
        thread_ts=case.origin_ts,
        text=text,
        now=now,
    )


def case_for_thread(session: Session, channel: str, thread_ts: str) -> tuple[Case | None, str]:
    """The live case whose origin or case thread this is, and which side ('origin'/'case')."""
    origin = session.exec(
        select(Case)
        .where(
            Case.origin_channel == channel,
            Case.origin_ts == thread_ts,
            Case.status != CaseStatus.resolved,
        )
        .order_by(col(Case.id).desc())
    ).first()
    if origin:
        return origin, "origin"
    post = session.exec(
        select(OutboxMessage.key).where(
            OutboxMessage.channel == channel, OutboxMessage.ts == thread_ts
        )
    ).first()
    match = re.fullmatch(r"case:(\d+):post", post or "")
    if match:
        case = session.get(Case, int(match.group(1)))
        if case:
            return case, "case"
    return None, ""


def carry(st: Steward, event: Mapping[str, Any], external: bool) -> str:
    """A person's reply in one thread, carried to the other (never from our side to a shared
    origin). Keyed by the reply's ts: seen twice, carried once."""
    channel, thread_ts, ts = event["channel"], event.get("thread_ts"), event["ts"]
    if not thread_ts or thread_ts == ts:
        return "not a thread reply"
    text = defuse(event.get("text", ""))  # an @here carried over pings nobody
    with st.db.session() as session:
        case, side = case_for_thread(session, channel, thread_ts)
        if case is None or case.status == CaseStatus.resolved:
            return "no live case"
        who = f"<@{event.get('user', '?')}>" + (" (client)" if external else "")
        pieces = chunks(f"{who}: {text}", SECTION_LIMIT)
        if side == "case" and case.origin_shared:
            return "kept internal"
        post = to_case_thread if side == "origin" else to_origin_thread
        for n, piece in enumerate(pieces):
            post(session, case, f"{side}:{ts}:{n}", piece, st.clock.now())
    st.outbox.notify()
    return f"carried from the {side} thread"


def reply_to_client(st: Steward, event: Mapping[str, Any], text: str) -> str:
    """`@Steward reply <text>` in the case thread: said in the origin thread, for the client."""
    channel, thread_ts = event["channel"], event.get("thread_ts") or event["ts"]
    with st.db.session() as session:
        case, side = case_for_thread(session, channel, thread_ts)
        if case is None or side != "case":
            return tell(
                st, event, "`@Steward reply …` works in a case's thread in our team's channel."
            )
        if not text.strip():
            return tell(
                st,
                event,
                "Say what to tell the client: `@Steward reply We have issued the credit note.`",
            )
        team = f"our {case.function} team"
        to_origin_thread(
            session,
            case,
            f"reply:{event['ts']}",
            f"*From {team}* (<@{event.get('user')}>): {defuse(text)}",
            st.clock.now(),
        )
        to_case_thread(
            session,
            case,
            f"replied:{event['ts']}",
            f":outbox_tray: Sent to the client's thread in <#{case.origin_channel}>.",
            st.clock.now(),
        )
    st.outbox.notify()
    return "replied"


def resolve(
    st: Steward, case_id: int | None, channel: str, thread_ts: str | None, user: str, note: str
) -> str:
    with st.db.session() as session:
        if case_id is not None:
            case = session.get(Case, case_id)
        else:
            case, _ = case_for_thread(session, channel, thread_ts or "")
        if case is None:
            return "no case"
        if case.status == CaseStatus.resolved:
            return "already resolved"
        now = st.clock.now()
        case.status = CaseStatus.resolved
        case.resolved_by, case.resolved_at = user, now
        case.resolution = note or None
        session.add(case)
        said = f":white_check_mark: *{label(case)} resolved* by <@{user}>" + (
            f": {note}" if note else "."
        )
        to_case_thread(session, case, "resolved:case", said, now)
        to_origin_thread(session, case, "resolved:origin", said, now)
    st.outbox.notify()
    show_status(st, case)
    return "resolved"


def take(st: Steward, case_id: int, user: str) -> str:
    with st.db.session() as session:
        case = session.get(Case, case_id)
        if case is None or case.status == CaseStatus.resolved:
            what = "That case" if case is None else label(case)
            return f"{what} is already resolved; nothing to take."
        if case.taken_by == user:
            return f"You already have {label(case)}."
        before = case.taken_by
        case.taken_by, case.status = user, CaseStatus.taken
        session.add(case)
        text = f":raising_hand: <@{user}> took {label(case)}" + (
            f" over from <@{before}>." if before else "."
        )
        to_case_thread(
            session, case, f"taken:{user}:{st.clock.now():%Y%m%d%H%M%S}", text, st.clock.now()
        )
    st.outbox.notify()
    show_status(st, case)
    return f"{label(case)} is yours."


def show_status(st: Steward, case: Case) -> None:
    """Rewrite the case post's buttons as its state: who has it, or how it was resolved."""
    with st.db.session() as session:
        post = session.exec(
            select(OutboxMessage).where(OutboxMessage.key == post_key(case))
        ).first()
    if post is None or not post.ts or not post.blocks:
        return  # not delivered yet: the thread says who took it
    if case.status == CaseStatus.resolved:
        state = [render.context(f":white_check_mark: Resolved by <@{case.resolved_by}>")]
    else:
        resolve_button = case_buttons(case)["elements"][1]
        state = [
            render.context(f":raising_hand: Taken by <@{case.taken_by}>"),
            {"type": "actions", "block_id": f"case-{case.id}", "elements": [resolve_button]},
        ]
    blocks = [b for b in post.blocks if b.get("block_id") != f"case-{case.id}"] + state
    try:
        st.client.chat_update(channel=post.channel, ts=post.ts, text=post.text, blocks=blocks)
    except Exception as error:
        log.warning("could not update the post of %s: %s", label(case), error)


def tell(st: Steward, event: Mapping[str, Any], text: str) -> str:
    try:
        st.client.chat_postEphemeral(
            channel=event["channel"],
            user=event.get("user", ""),
            thread_ts=event.get("thread_ts") or event["ts"],
            text=text,
        )
    except Exception:
        log.exception("could not answer %s", event.get("user"))
    return "noted"


# -- aging -------------------------------------------------------------------------------------
def working_hours_between(start: datetime, end: datetime) -> float:
    """Hours of Mon–Fri 09:00–17:00 (UTC) between two moments."""
    total = 0.0
    day = start.date()
    while day <= end.date():
        if day.weekday() < 5:
            open_ = datetime(day.year, day.month, day.day, WORK_START, tzinfo=start.tzinfo)
            close = datetime(day.year, day.month, day.day, WORK_END, tzinfo=start.tzinfo)
            lo, hi = max(start, open_), min(end, close)
            total += max(0.0, (hi - lo).total_seconds() / 3600)
        day += timedelta(days=1)
    return total


def nudge_aging_cases(st: Steward, as_of: datetime) -> int:
    """Cases nobody has taken after 4 working hours: said once in the counterpart channel."""
    with st.db.session() as session:
        waiting = session.exec(
            select(Case).where(Case.status == CaseStatus.open, col(Case.nudged_at).is_(None))
        ).all()
        nudged = 0
        for case in waiting:
            if working_hours_between(case.created_at, as_of) < AGING_HOURS:
                continue
            case.nudged_at = as_of
            session.add(case)
            to_case_thread(
                session,
                case,
                "aging",
                f":hourglass: *{label(case)}* has waited {AGING_HOURS} working hours and nobody "
                "has taken it. Press *Take it* on the case above.",
                st.clock.now(),  # deliver now, whatever moment the job was asked to judge
            )
            nudged += 1
    return nudged


def open_cases_for(
    session: Session, team_id: str, owners: list[str] | None
) -> list[tuple[Case, Account]]:
    """Unresolved cases on the accounts these reps own (all of the workspace's when None)."""
    query = (
        select(Case, Account)
        .join(Account, col(Account.id) == col(Case.account_id))
        .where(Case.team_id == team_id, Case.status != CaseStatus.resolved)
    )
    if owners is not None:
        query = query.where(col(Account.owner_id).in_(owners))
    return [(c, a) for c, a in session.exec(query.order_by(Case.id)).all()]


HELP_ROUTE = (
    "*Routing* — send a client thread to our team for it, and keep both threads in step\n"
    f"• `{EX_ROUTE_SET}` · `/steward route set finance #finance-acme account:acme-rail` · "
    "`/steward route list` · `/steward route remove finance`\n"
    "• In the client's thread: `@Steward route finance: invoice 4411 disputed` (or the message "
    "menu's *Route to counterpart…*); `@Steward reply <text>` in the case thread answers the "
    "client; `@Steward resolve [note]` in either thread closes it\n"
    "• `/steward cases [open|mine|all|<account>]`"
)

STEWARD_VERBS.update({"route": route_command, "routes": route_command, "cases": cases_command})
HELP.append(HELP_ROUTE)
