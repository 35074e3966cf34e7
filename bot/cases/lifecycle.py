"""A case's life once open (Slack-free, like service.py): what is carried between its two
threads, and what taking, resolving and reopening it say in each (the aging nudge: aging.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot import keys
from bot.cases import queries
from bot.cases.render import label, late_message
from bot.cases.service import Facts, Outcome, PostState, to_case_thread, to_origin_thread
from bot.models import Audience, Case, CaseStatus, SeenEvent
from bot.people import Person
from bot.slacktext import SECTION_LIMIT, chunks

ORIGIN, CASE = "origin", "case"
KEPT_HERE = (
    "This thread stays with our people: the client's thread in <#{channel}> is shared with "
    "them, so nothing said here goes back. `@Steward reply <text>` answers the client there."
)


@dataclass(frozen=True)
class Said:
    """A person's message in a thread, as Slack delivered it."""

    channel: str
    ts: str
    thread_ts: str | None
    text: str


def find(session: Session, case_id: int) -> Case | None:
    return session.get(Case, case_id)


# -- which case, which side ----------------------------------------------------------------------
def case_for_thread(session: Session, channel: str, thread_ts: str) -> tuple[Case | None, str]:
    """The case whose origin or case thread this is, and which side (ORIGIN or CASE). For an
    origin thread, its live case, else the one resolved last."""
    origin = queries.case_from_origin(session, channel, thread_ts)
    if origin:
        return origin, ORIGIN
    case = queries.case_by_post(session, channel, thread_ts) or record_post(
        session, channel, thread_ts
    )
    return (case, CASE) if case else (None, "")


def record_post(session: Session, channel: str, ts: str) -> Case | None:
    """The case whose post Slack delivered as this message (the outbox row there has the
    case's post key exactly), recorded on the case from now on."""
    key = queries.outbox_key_at(session, channel, ts)
    if key is None:
        return None
    for case in queries.unrecorded_posts(session, channel):
        if keys.case_post(case.id) == key:
            case.post_channel, case.post_ts = channel, ts
            session.add(case)
            return case
    return None


def post_state(session: Session, case: Case) -> PostState | None:
    """The case post to show the case's state on; None while it is not delivered (the thread
    says who took it)."""
    post = queries.post_of(session, case)
    if post is None or not post.ts or not post.blocks:
        return None
    if case.post_ts is None:
        case.post_channel, case.post_ts = post.channel, post.ts
        session.add(case)
    return PostState(case, post.channel, post.ts, post.text, list(post.blocks))


# -- carried -----------------------------------------------------------------------------------
def carry(
    session: Session, case_id: int, side: str, said: Said, person: Person, facts: Facts,
    now: datetime,
) -> Outcome:
    """A person's reply in one thread, carried to the other; keyed by the reply's ts, so seen
    twice it is carried once. From the origin, everyone's words reach our team (inert); from
    the case thread, our people's words go back only while the origin is not shared
    (`facts.shared`). A client's message after the case is resolved arrives with a Reopen
    button."""
    case = session.get(Case, case_id)
    if case is None:
        return Outcome("no case")
    text = facts.inert(said.text)
    if side == CASE:
        if case.status == CaseStatus.resolved or not person.trusted:
            return Outcome("not carried")
        if facts.shared:
            told = keys.case_told(case.id, person.user_id)
            if queries.seen_before(session, told):
                return Outcome("kept internal")
            session.add(SeenEvent(event_id=told, seen_at=now))
            return Outcome("kept internal", KEPT_HERE.format(channel=case.origin_channel))
        piece_said = f"@{facts.name(person.user_id)}: {text}"
        for n, piece in enumerate(chunks(piece_said, SECTION_LIMIT)):
            to_origin_thread(
                session, case, f"case:{said.ts}:{n}", piece, now, Audience.internal, person.user_id
            )
        return Outcome("carried from the case thread")
    who_said = "@" + facts.name(person.user_id) + ("" if person.trusted else " (client)")
    pieces = chunks(f"{who_said}: {text}", SECTION_LIMIT - 100)
    for n, piece in enumerate(pieces):
        blocks = None
        if case.status == CaseStatus.resolved and n == len(pieces) - 1:
            piece = f":leftwards_arrow_with_hook: After {label(case)} was resolved — {piece}"
            blocks = late_message(case, piece)
        to_case_thread(session, case, f"origin:{said.ts}:{n}", piece, now, person.user_id, blocks)
    return Outcome("carried from the origin thread")


def say_reply(
    session: Session, case: Case, what: str, person: Person, text: str, now: datetime
) -> None:
    """What our side explicitly says to the client, in the origin thread (`text` inert)."""
    to_origin_thread(
        session,
        case,
        what,
        f"*From our {case.function} team* (<@{person.user_id}>): {text}",
        now,
        Audience.client,
        person.user_id,
    )


def reply_to_client(
    session: Session, said: Said, person: Person, text: str, facts: Facts, now: datetime
) -> Outcome:
    """`@Steward reply <text>` in the case thread: said in the origin thread, for the client."""
    case, side = case_for_thread(session, said.channel, said.thread_ts or said.ts)
    if case is None or side != CASE:
        return Outcome(
            "noted", "`@Steward reply …` works in a case's thread in our team's channel."
        )
    text = facts.inert(text)
    if not text.strip():
        return Outcome(
            "noted",
            "Say what to tell the client: `@Steward reply We have issued the credit note.`",
        )
    say_reply(session, case, f"reply:{said.ts}", person, text, now)
    to_case_thread(
        session,
        case,
        f"replied:{said.ts}",
        f":outbox_tray: Sent to the client's thread in <#{case.origin_channel}>.",
        now,
        person.user_id,
    )
    return Outcome("replied")


# -- take, resolve, reopen ---------------------------------------------------------------------
def resolve(
    session: Session,
    case_id: int,
    person: Person,
    note: str,
    reply: str,
    facts: Facts,
    now: datetime,
) -> Outcome:
    """Resolve a case: `note` stays with us, `reply` is for the client. The client's thread
    hears a fixed line (`facts.shared`: the origin channel, now) and only the reply."""
    note, reply = facts.inert(note), facts.inert(reply)
    case = session.get(Case, case_id)
    if case is None:
        return Outcome("no case")
    if case.status == CaseStatus.resolved:
        return Outcome("already resolved")
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
    if facts.shared:
        told = (
            f":white_check_mark: *{label(case)} is resolved.* Thank you for raising it; "
            "write here if anything is still open."
        )
        audience = Audience.client
    to_origin_thread(session, case, f"resolved:origin:{stamp}", told, now, audience, person.user_id)
    if reply:
        say_reply(session, case, f"resolved:reply:{stamp}", person, reply, now)
    return Outcome("resolved", post=post_state(session, case))


def reopen(session: Session, case_id: int, person: Person, now: datetime) -> Outcome:
    """Our side reopens a resolved case: its post gets its buttons back, both threads hear."""
    case = session.get(Case, case_id)
    if case is None:
        return Outcome("no case", "no case")
    if case.status != CaseStatus.resolved:
        return Outcome("not resolved", f"{label(case)} is not resolved; nothing to reopen.")
    case.status = CaseStatus.taken if case.taken_by else CaseStatus.open
    case.resolved_by = case.resolved_at = case.resolution = None
    session.add(case)
    stamp = f"{now:%Y%m%d%H%M%S%f}"
    to_case_thread(
        session,
        case,
        f"reopened:{stamp}",
        f":arrows_counterclockwise: <@{person.user_id}> reopened {label(case)}.",
        now,
        person.user_id,
    )
    to_origin_thread(
        session,
        case,
        f"reopened:origin:{stamp}",
        f":arrows_counterclockwise: *{label(case)} is open again*; we'll follow up here.",
        now,
        Audience.client,
        person.user_id,
    )
    said = f"{label(case)} is open again."
    return Outcome("reopened", said, post=post_state(session, case))


def take(session: Session, case_id: int, person: Person, now: datetime) -> Outcome:
    user = person.user_id
    case = session.get(Case, case_id)
    if case is None or case.status == CaseStatus.resolved:
        what = "That case" if case is None else label(case)
        return Outcome("not taken", f"{what} is already resolved; nothing to take.")
    if case.taken_by == user:
        return Outcome("not taken", f"You already have {label(case)}.")
    before = case.taken_by
    case.taken_by, case.status = user, CaseStatus.taken
    session.add(case)
    text = f":raising_hand: <@{user}> took {label(case)}" + (
        f" over from <@{before}>." if before else "."
    )
    to_case_thread(session, case, f"taken:{user}:{now:%Y%m%d%H%M%S}", text, now, user)
    return Outcome("taken", f"{label(case)} is yours.", post=post_state(session, case))
