"""Routing: a client thread becomes a case in our counterpart team's channel, threads in step.

Every post goes through the outbox under a key derived from the Slack message that caused it
(`case:<id>:origin:<ts>`…), so an event Slack retries, or a message seen twice, posts once.
Each carries its audience: while the origin channel is shared with the client (as it stands
now, not when the case opened) nothing said on our side goes back to the origin thread except
what is meant for the client: `@Steward reply …`, and a fixed line when the case is resolved or
reopened. Client text quoted on our side pings nobody.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.accounts import queries as account_queries
from bot.blocks import Reply, context, header, message, say, section
from bot.dates import describe_day
from bot.errors import UserError
from bot.grammar import split_options
from bot.invocation import Invocation
from bot.models import Account, Audience, Case, CaseStatus, OutboxMessage, Route, SeenEvent
from bot.outbox import enqueue
from bot.people import Person
from bot.slacktext import SECTION_LIMIT, USER_MENTION, channel_id_of, chunks, clip, escape, inert
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
        account = account_queries.resolve_account(
            session, inv.team_id, options["account"], EX_ROUTE_SET + " account:acme-rail"
        )
    if verb == "list":
        found = routes(session, inv.team_id)
        if not found:
            return say(f"No counterparts are set yet. Set one: `{EX_ROUTE_SET}`")
        names = {a.id: a.slug for a in account_queries.list_accounts(session, inv.team_id)}
        lines = [
            f"• *{r.function}* → <#{r.channel_id}>"
            + (f" for `{names.get(r.account_id, r.account_id)}`" if r.account_id else "")
            for r in found
        ]
        return say("*Counterparts*\n" + "\n".join(lines))
    if verb == "set":
        if len(rest) < 2 or not channel_id_of(rest[1]):
            raise UserError("say which function and which of our channels takes it.", EX_ROUTE_SET)
        function = _function(rest[0], EX_ROUTE_SET)
        channel = channel_id_of(rest[1]) or ""
        holder = account_queries.account_for_channel(session, inv.team_id, channel)
        if holder is not None:
            raise UserError(
                f"<#{channel}> is the channel of *{escape(holder.name)}*; a counterpart must be "
                "one of our team channels, never an account's.",
                EX_ROUTE_SET,
            )
        if inv.is_shared(session, channel):
            raise UserError(
                f"<#{channel}> is shared with another organisation (or Slack could not confirm it "
                "is not); cases carry internal notes, so they go only to channels of our own.",
                EX_ROUTE_SET,
            )
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
        return say(
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
        return say(f"Removed the counterpart for *{function}*.")
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
        account = account_queries.resolve_account(
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
        return say(f"*{title}:* none.")
    today = inv.today
    lines = [case_line(c, a, today) for c, a in found]
    return message(
        f"{title}: {len(found)}",
        [section(f"*{title}* ({len(found)})"), *[section(line) for line in lines]],
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
    person: Person  # who asked: ours, or someone of the client's organisation
    channel_id: str
    thread_ts: str  # the origin thread's root (the message itself when not in a thread)
    function: str | None
    note: str | None
    source_ts: str  # the message that asked (keys the answer: a retry answers once)

    @property
    def user_id(self) -> str:
        return self.person.user_id


CLIENT_PASSED_ON = (
    "Thank you. I've passed this to the people who look after you here; they will follow up "
    "in this thread."
)
CLIENT_CANNOT_ROUTE = (
    "I can't route threads from here. Please ask the people you work with at our company."
)


def open_case(st: Steward, request: RouteRequest) -> str:
    """Route the thread; returns what was done, in words for the log. Answers the asker alone;
    a client's request that cannot be routed reaches the account's owner instead, never lost."""
    ours = request.person.trusted
    with st.db.session() as session:
        account = account_queries.account_for_channel(session, request.team_id, request.channel_id)
        if account is None or (not ours and not account.clients_may_route):
            say_to_asker(
                st,
                request,
                "I can only route threads in an account's channel; this channel is not one. "
                "Set it with `/steward account set <account> channel:#this-channel`."
                if ours
                else CLIENT_CANNOT_ROUTE,
            )
            return "not an account channel" if account is None else "clients may not route"
        available = functions_for(session, request.team_id, account)
        function = request.function
        route = counterpart(session, request.team_id, function, account) if function else None
        if not ours and route is None:
            wanted = f"*{function}*" if function else "no team named"
            pass_to_owner(session, st, request, account, f"asked for {wanted}; no such route")
            return "passed to the owner"
        if function is None:
            return _ask_function(st, request, available)
        if route is None:
            listed = ", ".join(f"*{f}*" for f in available) or "none yet"
            say_to_asker(
                st,
                request,
                f"There is no counterpart for *{function}*. Functions set: {listed}. "
                f"Add one: `/steward route set {function} #channel`.",
            )
            return "no counterpart"
        existing = session.exec(
            select(Case).where(
                Case.team_id == request.team_id,
                Case.origin_channel == request.channel_id,
                Case.origin_ts == request.thread_ts,
                Case.function == function,
                Case.status != CaseStatus.resolved,
            )
        ).first()
        if existing:
            say_to_asker(
                st,
                request,
                f"This thread is already {label(existing)} with our {function} team.",
                Audience.client,
            )
            return "already routed"
        refusal = st.gateway.judge(route.channel_id, Audience.internal, account.id)
        if refusal:
            reason = f"the *{function}* route goes to <#{route.channel_id}>, but {refusal}"
            if not ours:
                pass_to_owner(session, st, request, account, reason)
                return "route refused; passed to the owner"
            say_to_asker(
                st,
                request,
                f"I can't open a case there: {reason}. Point it at one of our team channels: "
                f"`/steward route set {function} #channel`.",
            )
            return "route refused"
        account_id, counterpart_channel = account.id, route.channel_id
    thread = _thread_so_far(st, request.channel_id, request.thread_ts)
    permalink = _permalink(st, request.channel_id, request.thread_ts)
    shared = st.gateway.is_shared(request.channel_id)
    names = names_in(
        st,
        request.team_id,
        [m.get("text", "") for m in thread] + [request.note or ""],
        [request.user_id] + [str(m.get("user") or "") for m in thread],
    )
    try:
        with st.db.session() as session:
            account = session.get(Account, account_id)
            if account is None:
                return "account gone"
            case = Case(
                team_id=request.team_id,
                account_id=account_id,
                function=function,
                origin_channel=request.channel_id,
                origin_ts=request.thread_ts,
                source_key=request.source_ts[:64],
                counterpart_channel=counterpart_channel,
                raised_by=request.user_id,
                note=request.note,
                created_at=st.clock.now(),
            )
            session.add(case)
            session.flush()
            message = case_post(case, account, thread, permalink, names)
            enqueue(
                session,
                key=post_key(case),
                channel=case.counterpart_channel,
                now=case.created_at,
                audience=Audience.internal,
                account_id=case.account_id,
                caused_by=request.user_id,
                **message,
            )
            if shared:
                where, audience = f"our {function} team", Audience.client
            else:
                where, audience = f"<#{case.counterpart_channel}> ({function})", Audience.internal
            to_origin_thread(
                session,
                case,
                "routed",
                f":arrow_right: Routed to {where} as *{label(case)}*, with this thread so far. "
                "Replies here are carried over; we'll post the resolution here.",
                case.created_at,
                audience,
                request.user_id,
            )
    except IntegrityError:
        return "already routed"  # the same request, retried, lost the race
    return f"opened C-{case.id}"


def say_to_asker(
    st: Steward, request: RouteRequest, text: str, audience: Audience = Audience.internal
) -> None:
    """An answer in the thread that only the person who asked sees."""
    whisper(st, request.channel_id, request.thread_ts, request.person, audience, text=text)


def whisper(
    st: Steward, channel: str, thread_ts: str, person: Person, audience: Audience, **message: Any
) -> None:
    """A message in a thread that only `person` sees; `audience` is what the text is (the exit
    refuses internal text to someone outside our organisation). A failure is logged."""
    try:
        st.gateway.ephemeral(
            channel=channel, person=person, audience=audience, thread_ts=thread_ts, **message
        )
    except Exception:
        log.exception("could not answer %s", person.user_id)


def pass_to_owner(
    session: Session, st: Steward, request: RouteRequest, account: Account, why: str
) -> None:
    """A client's request we cannot route: they hear it was passed on, the owner hears what."""
    say_to_asker(st, request, CLIENT_PASSED_ON, Audience.client)
    link = _permalink(st, request.channel_id, request.thread_ts)
    where = f"<{link}|their thread>" if link else f"a thread in <#{request.channel_id}>"
    note = f"\n> {clip(request.note, 500)}" if request.note else ""
    enqueue(
        session,
        key=f"route:{request.channel_id}:{request.source_ts}:owner",
        channel=f"@{account.owner_id}",
        text=(
            f":incoming_envelope: @{request.person.name or request.user_id} (client) asked "
            f"me to route {where} of *{escape(account.name)}*, but {why}.{note}\n"
            "Route it yourself in the thread: `@Steward route <function>: …`"
        ),
        now=st.clock.now(),
        audience=Audience.internal,
        account_id=account.id,
    )


def _ask_function(st: Steward, request: RouteRequest, available: list[str]) -> str:
    if not available:
        say_to_asker(
            st,
            request,
            f"No counterparts are set yet, so I can't route this. Add one: `{EX_ROUTE_SET}`.",
        )
        return "no counterparts"
    text = " ".join(
        m.get("text", "") for m in _thread_so_far(st, request.channel_id, request.thread_ts)
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
    blocks = [
        section(lead),
        {"type": "actions", "block_id": "route_pick", "elements": buttons},
    ]
    whisper(
        st,
        request.channel_id,
        request.thread_ts,
        request.person,
        Audience.internal,
        text=lead,
        blocks=blocks,
    )
    return "asked"


def _thread_so_far(st: Steward, channel: str, ts: str) -> list[dict[str, Any]]:
    try:
        replies = st.client.conversations_replies(channel=channel, ts=ts, limit=200)
        return list(replies["messages"])
    except Exception as error:
        log.warning("conversations.replies %s %s: %s", channel, ts, error)
        return []


def _permalink(st: Steward, channel: str, ts: str) -> str | None:
    try:
        return str(st.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
    except Exception as error:
        log.warning("chat.getPermalink %s %s: %s", channel, ts, error)
        return None


def names_in(st: Steward, team_id: str, texts: list[str], users: list[str]) -> Callable[[str], str]:
    """Names for everyone these texts mention and these users, looked up now (users.info may
    write its cache: call this before opening a transaction), then read from memory."""
    ids = {*users, *(m.group(1) for text in texts for m in USER_MENTION.finditer(text))}
    known = {user: st.directory.name(team_id, user) for user in ids if user}
    return lambda user: known.get(user, user)


def _author(message: Mapping[str, Any], names: Callable[[str], str]) -> str:
    if message.get("bot_id") and not message.get("user"):
        return "a bot"
    return "@" + names(str(message.get("user", "?")))


def case_buttons(case: Case) -> dict[str, Any]:
    """The case post's buttons as its state: Take it and Resolve; Resolve; Reopen."""
    take = button("Take it", "case_take", case, "primary")
    resolve_ = button("Resolve", "case_resolve", case)
    elements = {
        CaseStatus.open: [take, resolve_],
        CaseStatus.taken: [resolve_],
        CaseStatus.resolved: [button("Reopen", "case_reopen", case)],
    }[CaseStatus(case.status)]
    return {"type": "actions", "block_id": f"case-{case.id}", "elements": elements}


def button(text: str, action_id: str, case: Case, style: str | None = None) -> dict[str, Any]:
    element = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": str(case.id),
    }
    return {**element, "style": style} if style else element


def case_post(
    case: Case,
    account: Account,
    thread: list[dict[str, Any]],
    permalink: str | None,
    names: Callable[[str], str],
) -> dict[str, Any]:
    """The case as posted in the counterpart channel: who, what, the thread so far, buttons.
    Everything quoted from the thread pings nobody."""
    head = f"{label(case)} · {account.name} · {case.function}"
    raiser = "@" + names(case.raised_by)
    intro = (
        f"*{label(case)}* for *{escape(account.name)}*, raised by {raiser} in "
        f"<#{case.origin_channel}>"
    )
    if case.note:
        intro += f"\n> {clip(inert(case.note, names), 1000)}"
    blocks: list[dict[str, Any]] = [header(head), section(intro)]
    shown = thread[:THREAD_MESSAGES]
    if shown:
        blocks.append(context(f"The thread so far ({len(thread)} messages):"))
        room = 40 - len(blocks)
        text = "\n".join(f"{_author(m, names)}: {inert(m.get('text', ''), names)}" for m in shown)
        pieces = chunks(text, SECTION_LIMIT - 10)
        for piece in pieces[:room]:
            blocks.append(section(piece))
        if len(pieces) > room or len(thread) > len(shown):
            blocks.append(context("…the rest is in the original thread."))
    if permalink:
        blocks.append(context(f"<{permalink}|Open the original thread>"))
    blocks.append(case_buttons(case))
    return message(f"{head}: raised by {raiser}", blocks)


# -- threads in step ---------------------------------------------------------------------------
def to_case_thread(
    session: Session,
    case: Case,
    what: str,
    text: str,
    now: datetime,
    caused_by: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
) -> None:
    """Post in the case's thread in the counterpart channel (once the case post is out):
    for our people only."""
    enqueue(
        session,
        key=f"case:{case.id}:{what}",
        channel=case.counterpart_channel,
        thread_key=post_key(case),
        text=text,
        blocks=blocks,
        now=now,
        audience=Audience.internal,
        account_id=case.account_id,
        caused_by=caused_by,
    )


def to_origin_thread(
    session: Session,
    case: Case,
    what: str,
    text: str,
    now: datetime,
    audience: Audience,
    caused_by: str | None = None,
) -> None:
    """Post in the thread the case came from, for the audience given (the exit checks it)."""
    enqueue(
        session,
        key=f"case:{case.id}:{what}",
        channel=case.origin_channel,
        thread_ts=case.origin_ts,
        text=text,
        now=now,
        audience=audience,
        account_id=case.account_id,
        caused_by=caused_by,
    )


def case_for_thread(session: Session, channel: str, thread_ts: str) -> tuple[Case | None, str]:
    """The case whose origin or case thread this is, and which side ('origin'/'case'). For an
    origin thread, its live case, else the one resolved last."""
    origin = session.exec(
        select(Case)
        .where(Case.origin_channel == channel, Case.origin_ts == thread_ts)
        .order_by(col(Case.status) == CaseStatus.resolved, col(Case.id).desc())
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


KEPT_HERE = (
    "This thread stays with our people: the client's thread in <#{channel}> is shared with "
    "them, so nothing said here goes back. `@Steward reply <text>` answers the client there."
)


def carry(st: Steward, event: Mapping[str, Any], who: Callable[[], Person]) -> str:
    """A person's reply in one thread, carried to the other; keyed by the reply's ts, so seen
    twice it is carried once. From the origin, everyone's words reach our team (inert); from
    the case thread, our people's words go back only while the origin is not shared. A client's
    message after the case is resolved arrives with a Reopen button. `who` is asked only when
    the thread is a case's (it may call users.info)."""
    channel, thread_ts, ts = event["channel"], event.get("thread_ts"), event["ts"]
    if not thread_ts or thread_ts == ts:
        return "not a thread reply"
    with st.db.session() as session:
        case, side = case_for_thread(session, channel, thread_ts)
    if case is None:
        return "no case"
    person = who()
    names = names_in(st, case.team_id, [event.get("text", "")], [person.user_id])
    text = inert(event.get("text", ""), names)
    now = st.clock.now()
    if side == "case":
        if case.status == CaseStatus.resolved or not person.trusted:
            return "not carried"
        if st.gateway.is_shared(case.origin_channel):
            _tell_once(st, case, event, person, KEPT_HERE.format(channel=case.origin_channel))
            return "kept internal"
        with st.db.session() as session:
            said = f"@{names(person.user_id)}: {text}"
            for n, piece in enumerate(chunks(said, SECTION_LIMIT)):
                to_origin_thread(
                    session, case, f"case:{ts}:{n}", piece, now, Audience.internal, person.user_id
                )
        return "carried from the case thread"
    who_said = "@" + names(person.user_id) + ("" if person.trusted else " (client)")
    pieces = chunks(f"{who_said}: {text}", SECTION_LIMIT - 100)
    with st.db.session() as session:
        for n, piece in enumerate(pieces):
            blocks = None
            if case.status == CaseStatus.resolved and n == len(pieces) - 1:
                piece = f":leftwards_arrow_with_hook: After {label(case)} was resolved — {piece}"
                reopen = button("Reopen", "case_reopen", case)
                blocks = [
                    section(piece),
                    {"type": "actions", "block_id": f"case-{case.id}-late", "elements": [reopen]},
                ]
            to_case_thread(session, case, f"origin:{ts}:{n}", piece, now, person.user_id, blocks)
    return "carried from the origin thread"


def _tell_once(
    st: Steward, case: Case, event: Mapping[str, Any], person: Person, text: str
) -> None:
    """An ephemeral note to this person, once per case (remembered like a handled event)."""
    with st.db.session() as session:
        key = f"told:{case.id}:{person.user_id}"[:64]
        if session.get(SeenEvent, key):
            return
        session.add(SeenEvent(event_id=key, seen_at=st.clock.now()))
    tell(st, event, person, text)


def reply_to_client(st: Steward, event: Mapping[str, Any], person: Person, text: str) -> str:
    """`@Steward reply <text>` in the case thread: said in the origin thread, for the client."""
    channel, thread_ts = event["channel"], event.get("thread_ts") or event["ts"]
    text = quoted(st, st.directory.home().team_id, text)
    with st.db.session() as session:
        case, side = case_for_thread(session, channel, thread_ts)
        if case is None or side != "case":
            return tell(
                st,
                event,
                person,
                "`@Steward reply …` works in a case's thread in our team's channel.",
            )
        if not text.strip():
            return tell(
                st,
                event,
                person,
                "Say what to tell the client: `@Steward reply We have issued the credit note.`",
            )
        say_reply(session, st, case, f"reply:{event['ts']}", person, text)
        to_case_thread(
            session,
            case,
            f"replied:{event['ts']}",
            f":outbox_tray: Sent to the client's thread in <#{case.origin_channel}>.",
            st.clock.now(),
            person.user_id,
        )
    return "replied"


def say_reply(
    session: Session, st: Steward, case: Case, what: str, person: Person, text: str
) -> None:
    """What our side explicitly says to the client, in the origin thread (`text` made inert
    before the transaction: see `quoted`)."""
    to_origin_thread(
        session,
        case,
        what,
        f"*From our {case.function} team* (<@{person.user_id}>): {text}",
        st.clock.now(),
        Audience.client,
        person.user_id,
    )


def quoted(st: Steward, team_id: str, text: str) -> str:
    return inert(text, names_in(st, team_id, [text], []))


REPLY_MARK = re.compile(r"(?i)(?:^|\s)reply:\s*")


def resolve(st: Steward, case_id: int, person: Person, text: str = "") -> str:
    """Resolve a case. `text`: an internal note, then optionally `reply: …` for the client.
    The client's thread hears a fixed line and only the explicit reply."""
    parts = REPLY_MARK.split(text, maxsplit=1)
    note, reply = parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")
    home = st.directory.home().team_id
    note, reply = quoted(st, home, note), quoted(st, home, reply)
    with st.db.session() as session:
        case = session.get(Case, case_id)
        if case is None:
            return "no case"
        if case.status == CaseStatus.resolved:
            return "already resolved"
        now = st.clock.now()
        case.status = CaseStatus.resolved
        case.resolved_by, case.resolved_at = person.user_id, now
        case.resolution = note or None
        session.add(case)
        said = f":white_check_mark: *{label(case)} resolved* by <@{person.user_id}>" + (
            f": {note}" if note else "."
        )
        stamp = f"{now:%Y%m%d%H%M%S%f}"
        to_case_thread(session, case, f"resolved:{stamp}", said, now, person.user_id)
        told, audience = said, Audience.internal
        if st.gateway.is_shared(case.origin_channel, session=session):
            told = (
                f":white_check_mark: *{label(case)} is resolved.* Thank you for raising it; "
                "write here if anything is still open."
            )
            audience = Audience.client
        to_origin_thread(
            session, case, f"resolved:origin:{stamp}", told, now, audience, person.user_id
        )
        if reply:
            say_reply(session, st, case, f"resolved:reply:{stamp}", person, reply)
    show_status(st, case)
    return "resolved"


def reopen(st: Steward, case_id: int, person: Person) -> str:
    """Our side reopens a resolved case: its post gets its buttons back, both threads hear."""
    with st.db.session() as session:
        case = session.get(Case, case_id)
        if case is None:
            return "no case"
        if case.status != CaseStatus.resolved:
            return f"{label(case)} is not resolved; nothing to reopen."
        now = st.clock.now()
        case.status = CaseStatus.taken if case.taken_by else CaseStatus.open
        case.resolved_by = case.resolved_at = case.resolution = None
        session.add(case)
        to_case_thread(
            session,
            case,
            f"reopened:{now:%Y%m%d%H%M%S%f}",
            f":arrows_counterclockwise: <@{person.user_id}> reopened {label(case)}.",
            now,
            person.user_id,
        )
        to_origin_thread(
            session,
            case,
            f"reopened:origin:{now:%Y%m%d%H%M%S%f}",
            f":arrows_counterclockwise: *{label(case)} is open again*; we'll follow up here.",
            now,
            Audience.client,
            person.user_id,
        )
    show_status(st, case)
    return f"{label(case)} is open again."


def take(st: Steward, case_id: int, person: Person) -> str:
    user = person.user_id
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
            session, case, f"taken:{user}:{st.clock.now():%Y%m%d%H%M%S}", text, st.clock.now(), user
        )
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
    state: list[dict[str, Any]] = []
    if case.status == CaseStatus.resolved:
        state.append(context(f":white_check_mark: Resolved by <@{case.resolved_by}>"))
    elif case.taken_by:
        state.append(context(f":raising_hand: Taken by <@{case.taken_by}>"))
    kept = [
        b
        for b in post.blocks
        if b.get("block_id") != f"case-{case.id}" and not b.get("block_id", "").startswith("state")
    ]
    for n, block in enumerate(state):
        block["block_id"] = f"state-{n}"
    blocks = [*kept, *state, case_buttons(case)]
    try:
        st.gateway.update(
            channel=post.channel,
            ts=post.ts,
            audience=Audience.internal,
            account_id=case.account_id,
            text=post.text,
            blocks=blocks,
        )
    except Exception as error:
        log.warning("could not update the post of %s: %s", label(case), error)


def tell(
    st: Steward,
    event: Mapping[str, Any],
    person: Person,
    text: str,
    audience: Audience = Audience.internal,
) -> str:
    """An answer seen only by `person`, in the thread they wrote in. `audience`: what the text
    is; internal text reaches our people only (the exit refuses the rest)."""
    whisper(
        st, event["channel"], event.get("thread_ts") or event["ts"], person, audience, text=text
    )
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
    "client; `@Steward resolve [note] [reply: text for the client]` in either thread closes "
    "it (the note stays with us; the client's thread hears that it is resolved, and only the "
    "`reply:` part); `@Steward reopen` or the *Reopen* button opens it again\n"
    "• Counterparts are our own channels: never a channel shared with another organisation, "
    "nor an account's channel. While a client's thread is shared, nothing said in the case "
    "thread goes back there.\n"
    "• `/steward cases [open|mine|all|<account>]`"
)

