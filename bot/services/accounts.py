"""Accounts and their contacts: create, find by any handle a person would use, describe."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.errors import UserError
from bot.models import Account, Contact, Interaction, Promise, PromiseStatus, Stage, Tier
from bot.slacktext import channel_id_of

NAME_LIMIT = 200


def name_key(text: str) -> str:
    """Compatibility-normalised, casefolded, single-spaced: how names are compared."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# Latin letters that Unicode does not decompose into a base letter and an accent.
LATIN_FOLD = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i"}
)


def slugify(name: str) -> str:
    """`Acme Rail` → `acme-rail`, `Łódź` → `lodz`; other scripts kept (`Газпром` → `газпром`)."""
    decomposed = unicodedata.normalize("NFKD", name_key(name).translate(LATIN_FOLD))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", "-", stripped).strip("-")[:80]


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def add_account(
    session: Session,
    *,
    team_id: str,
    name: str,
    owner_id: str,
    created_by: str,
    now: datetime,
    channel_id: str | None = None,
    tier: Tier = Tier.standard,
) -> Account:
    name = " ".join(name.split())
    example = "/steward account add Acme Rail #acme-rail tier:key"
    if not name:
        raise UserError("the account needs a name.", example)
    if len(name) > NAME_LIMIT:
        raise UserError(f"the name is {len(name)} characters; keep it under {NAME_LIMIT}.", example)
    slug = slugify(name)
    if not slug:
        raise UserError(f"“{name}” has no letters or digits to name the account by.", example)
    existing = session.exec(
        select(Account).where(Account.team_id == team_id, Account.slug == slug)
    ).first()
    if existing:
        raise UserError(
            f"an account `{slug}` already exists ({existing.name}).",
            f"/steward account show {slug}",
        )
    if channel_id:
        check_channel_free(session, team_id, channel_id)
    account = Account(
        team_id=team_id,
        name=name,
        name_key=name_key(name),
        slug=slug,
        owner_id=owner_id,
        channel_id=channel_id,
        tier=tier,
        stage=Stage.responsive,
        created_at=now,
        created_by=created_by,
    )
    session.add(account)
    session.flush()
    return account


def check_channel_free(
    session: Session, team_id: str, channel_id: str, account: Account | None = None
) -> None:
    holder = account_for_channel(session, team_id, channel_id)
    if holder and holder is not account:
        raise UserError(
            f"<#{channel_id}> is already the channel of `{holder.slug}`; one channel per account.",
            f"/steward account set {holder.slug} channel:<#{channel_id}>",
        )


def account_for_channel(session: Session, team_id: str, channel_id: str) -> Account | None:
    """The account whose channel this is: the one shared with the client, or our internal one."""
    return session.exec(
        select(Account).where(
            Account.team_id == team_id,
            or_(Account.channel_id == channel_id, Account.internal_channel_id == channel_id),
        )
    ).first()


def find_accounts(
    session: Session, team_id: str, ref: str, *, exact_only: bool = False
) -> list[Account]:
    """Exact matches (channel mention, slug, name) first; failing those, prefix matches."""
    ref = ref.strip()
    if not ref:
        return []
    channel = channel_id_of(ref)
    if channel:
        found = account_for_channel(session, team_id, channel)
        return [found] if found else []
    exact = exact_matches(session, team_id, [ref]).get(name_key(ref), [])
    if exact or exact_only:
        return exact
    return prefix_matches(session, team_id, ref)


def exact_matches(session: Session, team_id: str, refs: list[str]) -> dict[str, list[Account]]:
    """The accounts whose slug or name is exactly one of `refs`, by each ref's name key, in one
    query (a command's first words are tried as references of several lengths)."""
    return channel_and_exact_matches(session, team_id, None, refs)[1]


def channel_and_exact_matches(
    session: Session, team_id: str, channel_id: str | None, refs: list[str]
) -> tuple[Account | None, dict[str, list[Account]]]:
    """`account_for_channel` and `exact_matches` in one query: what a command's account
    lookup asks first, every time."""
    keys = {name_key(ref) for ref in refs} - {""}
    wanted = [col(Account.slug).in_(keys), col(Account.name_key).in_(keys)] if keys else []
    if channel_id:
        here = [col(Account.channel_id), col(Account.internal_channel_id)]
        wanted += [column == channel_id for column in here]
    if not wanted:
        return None, {}
    rows = session.exec(
        select(Account).where(Account.team_id == team_id, or_(*wanted)).order_by(col(Account.id))
    ).all()
    here = next((a for a in rows if channel_id in (a.channel_id, a.internal_channel_id)), None)
    found: dict[str, list[Account]] = {}
    for account in rows:
        for key in sorted({account.slug, account.name_key} & keys):
            found.setdefault(key, []).append(account)
    return (here if channel_id else None), found


def prefix_matches(session: Session, team_id: str, ref: str) -> list[Account]:
    """Accounts whose slug or name starts with `ref` (at most 6)."""
    pattern = _like_prefix(name_key(ref))
    return list(
        session.exec(
            select(Account)
            .where(
                Account.team_id == team_id,
                or_(
                    col(Account.slug).like(pattern, escape="\\"),
                    col(Account.name_key).like(pattern, escape="\\"),
                ),
            )
            .order_by(Account.slug)
            .limit(6)
        ).all()
    )


def suggest(session: Session, team_id: str, ref: str, limit: int = 3) -> list[str]:
    """Slugs closest to a reference that matched nothing (for “did you mean”)."""
    rows = session.exec(
        select(Account.slug, Account.name_key).where(Account.team_id == team_id).limit(5000)
    ).all()
    by_key: dict[str, str] = {}
    for slug, key in rows:
        by_key[slug] = slug
        by_key[key] = slug
    close = difflib.get_close_matches(name_key(ref), list(by_key), n=limit * 2, cutoff=0.5)
    return list(dict.fromkeys(by_key[c] for c in close))[:limit]


def resolve_account(session: Session, team_id: str, ref: str, example: str) -> Account:
    """The one account `ref` names, or a refusal listing the candidates."""
    found = find_accounts(session, team_id, ref)
    if len(found) == 1:
        return found[0]
    if found:
        raise UserError(
            f"“{ref}” matches more than one account.",
            example,
            [a.slug for a in found],
        )
    if channel_id_of(ref):
        raise UserError(
            f"{ref} is not linked to an account.", example, suggest(session, team_id, ref)
        )
    raise UserError(f"no account matches “{ref}”.", example, suggest(session, team_id, ref))


def list_accounts(session: Session, team_id: str) -> list[Account]:
    return list(
        session.exec(select(Account).where(Account.team_id == team_id).order_by(Account.slug)).all()
    )


def set_channel(session: Session, account: Account, channel_id: str) -> None:
    check_channel_free(session, account.team_id, channel_id, account)
    account.channel_id = channel_id
    session.add(account)


def contact_by_name(
    session: Session, account: Account, name: str, now: datetime
) -> tuple[Contact, bool]:
    """The account's contact with this name (any case), or a new one; True when new."""
    key = name_key(name)
    contact = session.exec(
        select(Contact).where(Contact.account_id == account.id, Contact.name_key == key)
    ).first()
    if contact:
        return contact, False
    # Two people may log the same new person at once: the second insert is a no-op (no
    # IntegrityError to fail the whole command), and both find the one row.
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    values = {"account_id": account.id, "name": " ".join(name.split()), "name_key": key}
    added = session.exec(  # type: ignore[call-overload]
        insert(Contact)
        .values(**values, created_at=now)
        .on_conflict_do_nothing(index_elements=["account_id", "name_key"])
        .returning(col(Contact.id))
    ).first()
    contact = session.exec(
        select(Contact).where(Contact.account_id == account.id, Contact.name_key == key)
    ).one()
    return contact, added is not None


@dataclass
class AccountCard:
    account: Account
    last: Interaction | None
    last_with: Contact | None
    open_promises: list[Promise]
    contacts: list[Contact]
    interaction_count: int


def card(session: Session, account: Account) -> AccountCard:
    last = session.exec(
        select(Interaction)
        .where(Interaction.account_id == account.id)
        .order_by(col(Interaction.occurred_on).desc(), col(Interaction.id).desc())
        .limit(1)
    ).first()
    last_with = session.get(Contact, last.contact_id) if last and last.contact_id else None
    promises = session.exec(
        select(Promise)
        .where(Promise.account_id == account.id, Promise.status == PromiseStatus.open)
        .order_by(Promise.due_on, Promise.id)
    ).all()
    contacts = session.exec(
        select(Contact).where(Contact.account_id == account.id).order_by(Contact.name_key).limit(10)
    ).all()
    count = session.exec(
        select(func.count()).select_from(Interaction).where(Interaction.account_id == account.id)
    ).one()
    return AccountCard(account, last, last_with, list(promises), list(contacts), count)


def silence_threshold(account: Account, tiers: Mapping[str, int]) -> int:
    """Days without a logged contact before the account counts as silent: its own
    `silence:<N>d`, else its tier's (`Settings.silence_days`)."""
    return account.silence_days or tiers.get(account.tier, tiers[Tier.standard])


def account_of_team(session: Session, team_id: str, value: str | None) -> Account | None:
    """The account with id `value` (as a form sends it) if it belongs to this workspace."""
    if not value or not value.isdigit():
        return None
    account = session.get(Account, int(value))
    return account if account and account.team_id == team_id else None
