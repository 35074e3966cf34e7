"""Logging a contact with a client (and finding or adding the person it was with), and editing
or deleting one logged contact; every edit and deletion is kept in the account's story."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from bot import keys
from bot.accounts.queries import name_key
from bot.contacts import last
from bot.contacts.concern import raises_concern
from bot.errors import UserError
from bot.invocation import Invocation
from bot.models import Account, Contact, EventKind, Interaction, InteractionKind, stored_id
from bot.slacktext import clip, escape
from bot.story.service import record as keep

EX_LOG = "/logcontact acme-rail call yesterday with Jan Kowalski: agreed the Q1 renewal terms"
EX_EDIT = "/logcontact edit L-12 meeting yesterday: agreed the Q1 renewal terms"


@dataclass(frozen=True)
class Met:
    """The client's person a contact was with."""

    id: int
    name: str


# Built once: a command logs a contact in two statements, not re-building them each time.
FIND_CONTACT = select(col(Contact.id), col(Contact.name), col(Contact.title)).where(
    col(Contact.account_id) == bindparam("account"), col(Contact.name_key) == bindparam("key")
)
INTERACTIONS = SQLModel.metadata.tables["interaction"]
ADD_INTERACTION = INTERACTIONS.insert().returning(INTERACTIONS.c.id)
FILL_TITLE = (
    update(Contact).where(col(Contact.id) == bindparam("contact")).values(title=bindparam("title"))
)


def contact_by_name(
    session: Session, account: Account, name: str, now: datetime, title: str | None = None
) -> tuple[Met, bool]:
    """The account's contact with this name (any case), or a new one; True when new. A title
    is kept on a new contact, and on a known one that has none yet."""
    key = name_key(name)
    account_id = stored_id(account.id)
    found = session.execute(FIND_CONTACT, {"account": account_id, "key": key}).first()
    if found:
        if title and found[2] is None:
            session.execute(FILL_TITLE, {"contact": found[0], "title": title})
        return Met(found[0], found[1]), False
    # Two people may log the same new person at once: the second insert is a no-op (no
    # IntegrityError to fail the whole command), and both find the one row.
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    values = {"account_id": account_id, "name": " ".join(name.split()), "name_key": key}
    added = session.exec(
        insert(Contact)
        .values(**values, title=title, created_at=now)
        .on_conflict_do_nothing(index_elements=["account_id", "name_key"])
        .returning(col(Contact.id))
    ).first()
    found = session.execute(FIND_CONTACT, {"account": account_id, "key": key}).one()
    return Met(found[0], found[1]), added is not None


def log_interaction(
    session: Session,
    *,
    account: Account,
    kind: InteractionKind,
    occurred_on: date,
    summary: str,
    logged_by: str,
    now: datetime,
    person: str | None = None,
    title: str | None = None,
) -> tuple[int, Met | None, bool]:
    """Store a contact, and its day as the account's last if it is later; returns its id, the
    person (matched or added) and whether they are new."""
    met: Met | None = None
    is_new = False
    if person:
        met, is_new = contact_by_name(session, account, person, now, title)
    values = {
        "account_id": stored_id(account.id),
        "kind": kind,
        "occurred_on": occurred_on,
        "contact_id": met.id if met else None,
        "summary": summary,
        "concern": raises_concern(summary),
        "logged_by": logged_by,
        "created_at": now,
    }
    interaction_id = session.execute(ADD_INTERACTION, values).scalar_one()
    last.logged(session, stored_id(account.id), occurred_on)
    return int(interaction_id), met, is_new


@dataclass(frozen=True)
class Logged:
    id: int
    account: Account
    kind: InteractionKind
    day: date
    summary: str
    contact: Met | None
    new_contact: bool

    @property
    def label(self) -> str:
        return keys.interaction_label(self.id)


def not_in_future(inv: Invocation, day: date, example: str) -> None:
    if day > inv.today:
        raise UserError(
            f"{day.isoformat()} is in the future; log a contact once it has happened "
            "(for a commitment, use /promise).",
            example,
        )


def record(
    session: Session,
    inv: Invocation,
    account: Account,
    kind: InteractionKind,
    day: date,
    person: str | None,
    summary: str,
    title: str | None = None,
) -> Logged:
    """Store a contact (from the command or its form)."""
    not_in_future(inv, day, EX_LOG)
    interaction_id, contact, new_contact = log_interaction(
        session,
        account=account,
        kind=kind,
        occurred_on=day,
        summary=summary,
        logged_by=inv.user_id,
        now=inv.now,
        person=person,
        title=title,
    )
    return Logged(interaction_id, account, kind, day, summary, contact, new_contact)


# -- one logged contact, by its label ------------------------------------------------------------
@dataclass(frozen=True)
class Found:
    """A logged contact, its account and the person it was with (if any)."""

    interaction: Interaction
    account: Account
    contact: Contact | None

    @property
    def label(self) -> str:
        return keys.interaction_label(self.interaction.id)

    def described(self) -> str:
        """`call on 2026-05-04 with Jan Kowalski: “…”`, as mrkdwn, for the story."""
        i = self.interaction
        who = f" with {escape(self.contact.name)}" if self.contact else ""
        return f"{i.kind} on {i.occurred_on.isoformat()}{who}: “{clip(i.summary, 300)}”"


def logged_contact(session: Session, inv: Invocation, ref: str, example: str) -> Found:
    """The logged contact `ref` (L-12) names, within the person's workspace."""
    number = keys.interaction_number(ref)
    if number is None:
        raise UserError(
            f"“{ref}” is not a logged contact's label; labels look like `L-12` "
            "(the answer to /logcontact shows it).",
            example,
        )
    row = session.exec(
        select(Interaction, Account)
        .join(Account, col(Account.id) == col(Interaction.account_id))
        .where(Interaction.id == number, Account.team_id == inv.team_id)
    ).first()
    if row is None:
        raise UserError(f"there is no logged contact {keys.interaction_label(number)}.", example)
    interaction, account = row
    contact = session.get(Contact, interaction.contact_id) if interaction.contact_id else None
    return Found(interaction, account, contact)


def may_change(inv: Invocation, found: Found, doing: str, example: str) -> None:
    """Whoever logged it, or the account's owner; anyone else is told who may."""
    logger, owner = found.interaction.logged_by, found.account.owner_id
    if inv.user_id in (logger, owner):
        return
    who = f"<@{logger}> (who logged it)"
    if owner != logger:
        who += f" or <@{owner}> ({found.account.name}'s owner)"
    raise UserError(f"only {who} may {doing} {found.label}.", example)


@dataclass(frozen=True)
class Edit:
    """What `/logcontact edit L-12 …` asks to change; None: leave as it is."""

    kind: InteractionKind | None = None
    day: date | None = None
    person: str | None = None
    title: str | None = None
    summary: str | None = None


def edit(session: Session, inv: Invocation, found: Found, change: Edit) -> list[str]:
    """Apply the edit; returns what changed, one phrase each ([] when nothing did)."""
    may_change(inv, found, "edit", EX_EDIT)
    i = found.interaction
    changed: list[str] = []
    redated = False
    if change.kind is not None and change.kind != i.kind:
        changed.append(f"kind {i.kind} → {change.kind.value}")
        i.kind = change.kind
    if change.day is not None and change.day != i.occurred_on:
        not_in_future(inv, change.day, EX_EDIT)
        changed.append(f"day {i.occurred_on.isoformat()} → {change.day.isoformat()}")
        i.occurred_on = change.day
        redated = True
    if change.person is not None:
        met, _ = contact_by_name(session, found.account, change.person, inv.now, change.title)
        if met.id != i.contact_id:
            before = escape(found.contact.name) if found.contact else "nobody"
            changed.append(f"with {before} → {escape(met.name)}")
            i.contact_id = met.id
    if change.summary is not None and change.summary != i.summary:
        changed.append(f"summary “{clip(i.summary, 300)}” → “{clip(change.summary, 300)}”")
        i.summary = change.summary
        i.concern = raises_concern(change.summary)
    if changed:
        session.add(i)
        keep(
            session,
            account_id=stored_id(found.account.id),
            kind=EventKind.contact_edited,
            subject=found.label,
            detail="; ".join(changed),
            by=inv.user_id,
            at=inv.now,
        )
    if redated:
        last.recount(session, [stored_id(found.account.id)])
    return changed


def delete(session: Session, inv: Invocation, found: Found) -> None:
    """Remove the logged contact; what it said stays in the account's story."""
    may_change(inv, found, "delete", "/logcontact delete L-12")
    keep(
        session,
        account_id=stored_id(found.account.id),
        kind=EventKind.contact_deleted,
        subject=found.label,
        detail=found.described(),
        by=inv.user_id,
        at=inv.now,
    )
    session.delete(found.interaction)
    last.recount(session, [stored_id(found.account.id)])
