"""Reading accounts: find one by any handle a person would use (slug, name, the start of
either, its #channel), search them for the form's picker, and gather what the card shows."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_, text
from sqlmodel import Session, col, select

from bot.errors import UserError
from bot.models import Account, Stage, StageMove
from bot.slacktext import channel_id_of

NAME_LIMIT = 200
PICKER_LIMIT = 100  # options an external select shows
LOOKUP_LIMIT = 16  # rows a command's account look-up reads: its exact matches, then prefixes


def name_key(text: str) -> str:
    """Compatibility-normalised, casefolded, single-spaced: how names are compared."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


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


def account_for_channel(session: Session, team_id: str, channel_id: str) -> Account | None:
    """The account whose channel this is: the one shared with the client, or our internal one."""
    return session.exec(
        select(Account).where(
            Account.team_id == team_id,
            or_(
                col(Account.channel_id) == channel_id,
                col(Account.internal_channel_id) == channel_id,
            ),
        )
    ).first()


def account_of_team(session: Session, team_id: str, value: str | None) -> Account | None:
    """The account with id `value` (as a form sends it) if it belongs to this workspace."""
    if not value or not value.isdigit():
        return None
    account = session.get(Account, int(value))
    return account if account and account.team_id == team_id else None


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
    return candidates(session, team_id, None, refs).exact


@dataclass(frozen=True)
class Candidates:
    """What a command's account lookup needs, from one query (bot/accounts/grammar.py)."""

    here: Account | None  # the account whose channel the command was typed in
    exact: dict[str, list[Account]]  # by name key: accounts whose slug or name is exactly it
    prefixed: list[Account]  # accounts whose slug or name starts with the first word (<= 6)


LOOKUP_KEYS = 6  # a command's first one to six words are tried as an account's name
_EXACT = (
    "slug IN ({keys}) OR name_key IN ({keys}) "
    "OR channel_id = :channel OR internal_channel_id = :channel"
).format(keys=", ".join(f":k{n}" for n in range(LOOKUP_KEYS)))
LOOKUP = text(
    f"SELECT * FROM account WHERE team_id = :team AND ({_EXACT} "
    "OR slug LIKE :prefix ESCAPE '\\' OR name_key LIKE :prefix ESCAPE '\\') "
    f"ORDER BY CASE WHEN {_EXACT} THEN 0 ELSE 1 END, slug LIMIT {LOOKUP_LIMIT}"
)
"""Written as SQL once, not built per command: building this select with SQLAlchemy's
expression language cost more than running it (bench/burst.py)."""


def candidates(
    session: Session, team_id: str, channel_id: str | None, refs: list[str]
) -> Candidates:
    """The channel's account, exact matches for every reference in `refs` and prefix
    matches for the first, in one query: what a command's account look-up asks every time."""
    keys = {name_key(ref) for ref in refs} - {""}
    first = name_key(refs[0]) if refs else ""
    if not (keys or channel_id):
        return Candidates(None, {}, [])
    padded = [*sorted(keys), *[None] * LOOKUP_KEYS][:LOOKUP_KEYS]  # None matches nothing
    values = {f"k{n}": key for n, key in enumerate(padded)}
    statement = select(Account).from_statement(LOOKUP).params(
        team=team_id,
        channel=channel_id or None,
        prefix=_like_prefix(first) if first else None,
        **values,
    )
    rows = list(session.exec(statement).scalars())  # type: ignore[call-overload]
    here = next((a for a in rows if channel_id in (a.channel_id, a.internal_channel_id)), None)
    found: dict[str, list[Account]] = {}
    for account in sorted(rows, key=lambda a: a.id or 0):
        for key in sorted({account.slug, account.name_key} & keys):
            found.setdefault(key, []).append(account)
    prefixed = [
        a for a in rows if first and (a.slug.startswith(first) or a.name_key.startswith(first))
    ]
    return Candidates(here if channel_id else None, found, prefixed[:6])


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


def list_accounts(session: Session, team_id: str, *, archived: bool = True) -> list[Account]:
    """The workspace's accounts by slug; `archived=False` leaves the archived ones out."""
    query = select(Account).where(Account.team_id == team_id)
    if not archived:
        query = query.where(col(Account.archived_at).is_(None))
    return list(session.exec(query.order_by(Account.slug)).all())


def archived_count(session: Session, team_id: str) -> int:
    return session.exec(
        select(func.count())
        .select_from(Account)
        .where(Account.team_id == team_id, col(Account.archived_at).is_not(None))
    ).one()


def stage_rank(stage: Stage | str) -> int:
    """Where a stage stands from cold (0, rejecting) to partner (5, strategic): a move to a
    lower rank is a move down."""
    return list(Stage).index(Stage(stage))


def stage_rank_sql(column: Any) -> Any:
    """`stage_rank` in SQL, for a stage column (moves up and down counted in the database)."""
    return case(*((column == stage.value, n) for n, stage in enumerate(Stage)), else_=-1)


def stage_moves(session: Session, account_id: int, limit: int) -> list[StageMove]:
    """The account's last `limit` stage moves, newest first."""
    return list(
        session.exec(
            select(StageMove)
            .where(StageMove.account_id == account_id)
            .order_by(col(StageMove.moved_at).desc(), col(StageMove.id).desc())
            .limit(limit)
        ).all()
    )


def stage_since(session: Session, account: Account) -> datetime:
    """Since when the account has been at its stage: its last move, else its creation."""
    moves = stage_moves(session, account.id or 0, 1)
    return moves[0].moved_at if moves else account.created_at


def search(session: Session, team_id: str, typed: str) -> list[Account]:
    """Accounts whose slug or name contains what was typed in the form's picker (archived
    ones left out: nothing is logged or promised on them)."""
    query = select(Account).where(Account.team_id == team_id, col(Account.archived_at).is_(None))
    key = name_key(typed)
    if key:
        query = query.where(
            or_(col(Account.slug).contains(key), col(Account.name_key).like(f"%{key}%"))
        )
    return list(session.exec(query.order_by(Account.slug).limit(PICKER_LIMIT)).all())
