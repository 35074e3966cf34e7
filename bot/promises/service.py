"""Promises: record one and confirm it in writing, mark it kept, cancel it, move its date,
give it to another owner, re-word it, reopen it. Each change is said in the confirmation's
thread, and to the owner when someone else made it; the last three are kept in the account's
story (bot/story).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot import keys
from bot.errors import UserError
from bot.invocation import Invocation
from bot.models import Account, Audience, EventKind, Promise, PromiseStatus, stored_id
from bot.outbox import enqueue, queued
from bot.promises import render
from bot.story.service import record as keep

WHAT_LIMIT = 1000
EX_PROMISE = "/promise acme-rail send the revised quote by friday"


def label(promise: Promise) -> str:
    return keys.promise_label(promise.id)


def make_promise(
    session: Session,
    *,
    account: Account,
    what: str,
    owner_id: str,
    due_on: date,
    created_by: str,
    now: datetime,
    internal: bool = False,
) -> Promise:
    promise = Promise(
        internal=internal,
        account_id=stored_id(account.id),
        what=what,
        owner_id=owner_id,
        due_on=due_on,
        created_by=created_by,
        created_at=now,
    )
    session.add(promise)
    session.flush()
    return promise


def require_open(promise: Promise, doing: str) -> None:
    if promise.status != PromiseStatus.open:
        raise UserError(
            f"{label(promise)} is already {promise.status}; only open promises can be {doing}.",
            "/promise list",
        )


def close(
    session: Session,
    promise: Promise,
    *,
    status: PromiseStatus,
    by: str,
    now: datetime,
    note: str | None = None,
) -> None:
    require_open(promise, "closed")
    promise.status = status
    promise.closed_at = now
    promise.closed_by = by
    promise.note = note
    session.add(promise)


def reschedule(session: Session, promise: Promise, due_on: date) -> date:
    """Move the due date; returns the old one."""
    require_open(promise, "rescheduled")
    old = promise.due_on
    promise.due_on = due_on
    session.add(promise)
    return old


@dataclass(frozen=True)
class Confirmation:
    """Where the written confirmation went: a channel (or `@user` for a DM), for whom, and
    whether people outside our organisation can read it."""

    channel: str
    audience: Audience
    shared: bool


@dataclass(frozen=True)
class Recorded:
    promise: Promise
    account: Account
    confirmation: Confirmation | None  # None: the account has no channel for it


def record(
    session: Session,
    inv: Invocation,
    account: Account,
    what: str,
    owner: str,
    due: date,
    *,
    internal: bool = False,
) -> Recorded:
    """Store a promise (from the command or its form) and queue its written confirmation."""
    if due < inv.today:
        raise UserError(
            f"the due date {due.isoformat()} has passed; a promise needs a date still ahead.",
            EX_PROMISE,
        )
    made = make_promise(
        session,
        account=account,
        what=what,
        owner_id=owner,
        due_on=due,
        created_by=inv.user_id,
        now=inv.now,
        internal=internal,
    )
    return Recorded(made, account, confirm(session, inv, made, account))


def confirmation_target(made: Promise, account: Account) -> tuple[str, Audience] | None:
    """Where a promise is confirmed in writing, and for whom: the client's channel (the point of
    /promise), or, for an internal one, the account's internal channel or the owner's DM."""
    if made.internal:
        return account.internal_channel_id or f"@{made.owner_id}", Audience.internal
    if account.channel_id:
        return account.channel_id, Audience.client
    return None


def confirm(
    session: Session, inv: Invocation, made: Promise, account: Account
) -> Confirmation | None:
    target = confirmation_target(made, account)
    if target is None:
        return None
    channel, audience = target
    enqueue(
        session,
        key=keys.promise_confirmation(made.id),
        channel=channel,
        now=inv.now,
        audience=audience,
        account_id=stored_id(account.id),
        caused_by=inv.user_id,
        team_id=inv.team_id,
        **render.confirmation(made, account, inv.today),
    )
    shared = audience == Audience.client and inv.is_shared(session, channel)
    return Confirmation(channel, audience, shared)


def note_in_thread(session: Session, inv: Invocation, made: Promise, key: str, text: str) -> None:
    """A change to a promise, said in the thread of its written confirmation: where that went
    (an internal promise given to someone else was confirmed in the first owner's DM)."""
    account = session.get(Account, made.account_id)
    target = confirmation_target(made, account) if account else None
    if account is None or target is None:
        return
    confirmed = queued(session, keys.promise_confirmation(made.id))
    if confirmed is not None:
        target = confirmed.channel, Audience(confirmed.audience)
    channel, audience = target
    enqueue(
        session,
        key=keys.promise_note(made.id, key),
        channel=channel,
        text=text,
        thread_key=keys.promise_confirmation(made.id) if confirmed else None,
        now=inv.now,
        audience=audience,
        account_id=stored_id(account.id),
        caused_by=inv.user_id,
        team_id=inv.team_id,
    )


def tell_owner(
    session: Session,
    inv: Invocation,
    made: Promise,
    key: str,
    text: str,
    *,
    owner: str | None = None,
) -> None:
    """Someone changed a promise they do not own: its owner (or `owner`: the one it was taken
    from) hears of it by DM."""
    owner = owner or made.owner_id
    if owner == inv.user_id:
        return
    enqueue(
        session,
        key=keys.promise_owner_note(made.id, key),
        channel=f"@{owner}",
        text=text,
        now=inv.now,
        audience=Audience.internal,
        caused_by=inv.user_id,
        team_id=inv.team_id,
    )


def mark_kept(session: Session, inv: Invocation, made: Promise, note: str | None) -> None:
    close(session, made, status=PromiseStatus.kept, by=inv.user_id, now=inv.now, note=note)
    note_in_thread(session, inv, made, "kept", render.kept_note(made, inv.user_id))
    tell_owner(session, inv, made, "kept", render.kept_owner_note(made, inv.user_id))


def cancel(session: Session, inv: Invocation, made: Promise, reason: str | None) -> None:
    close(session, made, status=PromiseStatus.cancelled, by=inv.user_id, now=inv.now, note=reason)
    # the reason may be internal: it stays out of the thread
    note_in_thread(session, inv, made, "cancelled", render.cancelled_note(made))
    tell_owner(
        session, inv, made, "cancelled", render.cancelled_owner_note(made, inv.user_id, reason)
    )


def move(session: Session, inv: Invocation, made: Promise, due: date) -> date:
    """Give the promise a new due date; returns the old one."""
    old = reschedule(session, made, due)
    key = f"due:{due.isoformat()}"
    note_in_thread(session, inv, made, key, render.moved_note(made, old, inv.today))
    tell_owner(session, inv, made, key, render.moved_owner_note(made, old, inv.user_id))
    return old


def _story(
    session: Session, inv: Invocation, made: Promise, kind: EventKind, detail: str
) -> str:
    """Keep the change in the account's story; returns a key part unique to this change (a
    promise may be given back and forth: each change is told once, every time)."""
    event = keep(
        session,
        account_id=made.account_id,
        kind=kind,
        detail=detail,
        by=inv.user_id,
        at=inv.now,
        subject=label(made),
    )
    session.flush()
    return f"{kind.value}:{event.id}"


def reassign(session: Session, inv: Invocation, made: Promise, owner: str) -> str:
    """Give an open promise to another of our people (checked by the caller); both owners hear
    of it unless they made the change. Returns the old owner."""
    require_open(made, "given to someone else")
    old = made.owner_id
    if owner == old:
        raise UserError(f"{label(made)} is already <@{owner}>'s.", "/promise list mine")
    made.owner_id = owner
    session.add(made)
    key = _story(
        session, inv, made, EventKind.promise_reassigned, f"owner <@{old}> → <@{owner}>"
    )
    note_in_thread(session, inv, made, key, render.reassigned_note(made, old))
    tell_owner(session, inv, made, f"{key}:new", render.reassigned_to_note(made, old, inv.user_id))
    tell_owner(
        session,
        inv,
        made,
        f"{key}:old",
        render.reassigned_from_note(made, inv.user_id),
        owner=old,
    )
    return old


def reword(session: Session, inv: Invocation, made: Promise, what: str) -> str:
    """Say what was promised in other words (an open promise); returns the old words."""
    require_open(made, "re-worded")
    old = made.what
    if what == old:
        raise UserError(f"{label(made)} already says that.", "/promise list mine")
    made.what = what
    session.add(made)
    key = _story(session, inv, made, EventKind.promise_reworded, f"“{old}” → “{what}”")
    note_in_thread(session, inv, made, key, render.reworded_note(made, old))
    tell_owner(session, inv, made, key, render.reworded_owner_note(made, old, inv.user_id))
    return old


def reopen(session: Session, inv: Invocation, made: Promise, due: date | None) -> None:
    """A kept, broken or cancelled promise open again, due as it was or on `due`."""
    if made.status == PromiseStatus.open:
        raise UserError(
            f"{label(made)} is already open (due {made.due_on.isoformat()}).",
            f"/promise due {label(made)} next friday",
        )
    was = f"was {made.status}"
    if made.closed_by:
        was += f" by <@{made.closed_by}>"
    if made.closed_at:
        was += f" on {made.closed_at.date().isoformat()}"
    if made.note:
        was += f" ({made.note})"
    made.status = PromiseStatus.open
    made.closed_at = made.closed_by = made.note = None
    if due is not None:
        was += f"; due {made.due_on.isoformat()} → {due.isoformat()}"
        made.due_on = due
    session.add(made)
    key = _story(session, inv, made, EventKind.promise_reopened, f"reopened: {was}")
    note_in_thread(session, inv, made, key, render.reopened_note(made, inv.today))
    tell_owner(session, inv, made, key, render.reopened_owner_note(made, inv.user_id))
