"""An account's key contacts: the client's people, their buying-centre roles, their attitude
to us and which of our people looks after each. Adding, changing and removing one is kept in
the account's story. Slack-free: the caller passes an Invocation."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlmodel import Session

from bot.accounts.queries import name_key
from bot.contacts.queries import contact_named
from bot.errors import UserError
from bot.invocation import Invocation
from bot.models import Account, Attitude, BuyingRole, Contact, EventKind, stored_id
from bot.slacktext import escape
from bot.story.service import record as keep

UNKNOWN_ROLE = "role unknown"


@dataclass(frozen=True)
class Details:
    """What a command says about a contact. None: leave as it is; "": clear it."""

    title: str | None = None
    roles: str | None = None  # canonical: BuyingRole order, comma-joined
    attitude: str | None = None  # an Attitude value
    looks_after: str | None = None  # one of our people's user id

    def given(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))


def roles_text(roles: str) -> str:
    """`decider, buyer`, or "role unknown"."""
    return ", ".join(r for r in roles.split(",") if r) or UNKNOWN_ROLE


def traits(contact: Contact) -> str:
    """`decider, buyer · supporter · looked after by <@U1>`: how a key contact is shown
    everywhere (replies, the story, the card)."""
    parts = [roles_text(contact.roles)]
    if contact.attitude:
        parts.append(contact.attitude)
    if contact.looks_after:
        parts.append(f"looked after by <@{contact.looks_after}>")
    return " · ".join(parts)


def describe(contact: Contact) -> str:
    """`Jan Kowalski (CFO): decider, buyer · supporter · looked after by <@U1>`, as mrkdwn
    (what the story keeps and a reply shows)."""
    title = f" ({escape(contact.title)})" if contact.title else ""
    return f"{escape(contact.name)}{title}: {traits(contact)}"


def _shown(field: str, value: str | None) -> str:
    """A field's value as a change shows it."""
    if field == "roles":
        return roles_text(value or "").replace(UNKNOWN_ROLE, "unknown")
    if field == "looks_after":
        return f"<@{value}>" if value else "nobody"
    if field == "title":
        return escape(value) if value else "none"
    return value or "none"


def _apply(contact: Contact, details: Details) -> list[str]:
    """Set what `details` gives; returns what changed, one phrase each."""
    changed: list[str] = []
    for f in fields(details):
        new = getattr(details, f.name)
        old = getattr(contact, f.name)
        if new is None or new == (old or ""):
            continue
        what = "looked after by" if f.name == "looks_after" else f.name
        changed.append(f"{what} {_shown(f.name, old)} → {_shown(f.name, new)}")
        setattr(contact, f.name, new if new or f.name == "roles" else None)
    return changed


def add(
    session: Session, inv: Invocation, account: Account, name: str, details: Details
) -> tuple[Contact, bool]:
    """A new key contact, or one removed before brought back (True)."""
    contact = contact_named(session, account, name)
    if contact is not None and contact.removed_at is None:
        raise UserError(
            f"{contact.name} is already a contact of {account.name}; change them with "
            "`contact set`.",
            f"/steward contact set {account.slug} {contact.name} role:decider attitude:supporter",
        )
    restored = contact is not None
    if contact is None:
        contact = Contact(
            account_id=stored_id(account.id),
            name=" ".join(name.split()),
            name_key=name_key(name),
            created_at=inv.now,
        )
    contact.removed_at = None
    _apply(contact, details)
    session.add(contact)
    keep(
        session,
        account_id=stored_id(account.id),
        kind=EventKind.person_added,
        detail=describe(contact) + (" (added again)" if restored else ""),
        by=inv.user_id,
        at=inv.now,
    )
    return contact, restored


def change(
    session: Session, inv: Invocation, account: Account, contact: Contact, details: Details
) -> list[str]:
    """Set what `details` gives; returns what changed ([] when nothing did)."""
    changed = _apply(contact, details)
    if changed:
        session.add(contact)
        keep(
            session,
            account_id=stored_id(account.id),
            kind=EventKind.person_changed,
            detail=f"{escape(contact.name)}: " + "; ".join(changed),
            by=inv.user_id,
            at=inv.now,
        )
    return changed


def remove(session: Session, inv: Invocation, account: Account, contact: Contact) -> None:
    """No longer a key contact; the contacts logged with them stay."""
    contact.removed_at = inv.now
    session.add(contact)
    keep(
        session,
        account_id=stored_id(account.id),
        kind=EventKind.person_removed,
        detail=describe(contact),
        by=inv.user_id,
        at=inv.now,
    )


def read_roles(text: str, example: str) -> str:
    """`decider,buyer` → `buyer,decider` (BuyingRole order); `none`/`unknown` → ""."""
    allowed = [r.value for r in BuyingRole]
    words = [w.strip().lower() for w in text.replace(";", ",").split(",") if w.strip()]
    if words in (["none"], ["unknown"]):
        return ""
    wrong = [w for w in words if w not in allowed]
    if wrong or not words:
        raise UserError(
            f"role must be one or more of {', '.join(allowed)}, comma-separated "
            f"(got “{wrong[0] if wrong else text}”).",
            example,
        )
    return ",".join(r for r in allowed if r in words)


def read_attitude(text: str, example: str) -> str:
    """An Attitude value; `none`/`unknown` → ""."""
    allowed = [a.value for a in Attitude]
    value = text.strip().lower()
    if value in ("none", "unknown"):
        return ""
    if value not in allowed:
        raise UserError(f"attitude must be one of {', '.join(allowed)} (got “{value}”).", example)
    return value
