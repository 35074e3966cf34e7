"""Changing accounts: add one, set its channel, owner, tier and thresholds, move its stage
(the one way: every move kept as a StageMove), rename, archive, and what it buys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from bot.accounts.queries import NAME_LIMIT, account_for_channel, name_key, slugify
from bot.errors import UserError
from bot.invocation import Invocation
from bot.models import Account, EventKind, Stage, StageMove, Tier, stored_id
from bot.slacktext import escape
from bot.story.service import record

REASON_LIMIT = 1000  # StageMove.reason
ASSESSMENT_LIMIT = 1000  # Account.buys, .competitors, .perception


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
    silence_days: int | None = None,
) -> Account:
    example = "/steward account add Acme Rail #acme-rail tier:key"
    name, slug = checked_name(session, team_id, name, example)
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
        silence_days=silence_days,
        created_at=now,
        created_by=created_by,
    )
    session.add(account)
    session.flush()
    return account


def checked_name(
    session: Session, team_id: str, name: str, example: str, account: Account | None = None
) -> tuple[str, str]:
    """A new name, single-spaced, and its slug, if no other account has that slug."""
    name = " ".join(name.split())
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
    if existing and existing is not account:
        archived = ", archived" if existing.archived_at else ""
        raise UserError(
            f"an account `{slug}` already exists ({existing.name}{archived}).",
            f"/steward account show {slug}",
        )
    return name, slug


def check_channel_free(
    session: Session, team_id: str, channel_id: str, account: Account | None = None
) -> None:
    holder = account_for_channel(session, team_id, channel_id)
    if holder and holder is not account:
        raise UserError(
            f"<#{channel_id}> is already the channel of `{holder.slug}`; one channel per account. "
            f"Free it first (`/steward account set {holder.slug} channel:none`), or pick another.",
            f"/steward account set {holder.slug} channel:none",
        )


def set_channel(session: Session, account: Account, channel_id: str) -> None:
    check_channel_free(session, account.team_id, channel_id, account)
    account.channel_id = channel_id
    session.add(account)


QUIET_DAYS = 60  # a key or strategic account that raised nothing this long is "too quiet"


def quiet_threshold(account: Account) -> int:
    """Days a key or strategic account may raise nothing with us (no case, no concern, no
    message of the client's) before it is too quiet to trust: `quiet:<N>d`, else 60."""
    return account.quiet_days or QUIET_DAYS


def silence_threshold(account: Account, tiers: Mapping[str, int]) -> int:
    """Days without a logged contact before the account counts as silent: its own
    `silence:<N>d`, else its tier's (`Settings.silence_days`)."""
    return account.silence_days or tiers.get(account.tier, tiers[Tier.standard])


@dataclass
class AccountChanges:
    """What `account set` changes; None: left as it is. For channels, '' means none."""

    stage: Stage | None = None
    tier: Tier | None = None
    owner: str | None = None
    silence: int | None = None  # days; 0: back to the tier's default
    channel: str | None = None
    internal: str | None = None
    client_routing: bool | None = None
    quiet: int | None = None  # days; 0: back to the default
    buys: str | None = None  # for these three, '' clears
    competitors: str | None = None
    perception: str | None = None
    order: list[str] = field(default_factory=list)  # the options as typed, for the answer


SET_REASON = "set with `account set`"


def change(session: Session, inv: Invocation, found: Account, changes: AccountChanges) -> None:
    if changes.stage is not None:
        move_stage(session, found, changes.stage, reason=SET_REASON, by=inv.user_id, at=inv.now)
    if changes.tier is not None:
        found.tier = changes.tier
    if changes.owner is not None:
        found.owner_id = changes.owner
    if changes.silence is not None:
        found.silence_days = changes.silence or None
    if changes.channel == "":
        found.channel_id = None
    elif changes.channel is not None:
        set_channel(session, found, changes.channel)
    if changes.internal is not None:
        set_internal_channel(session, inv, found, changes.internal)
    if changes.client_routing is not None:
        found.clients_may_route = changes.client_routing
    if changes.quiet is not None:
        found.quiet_days = changes.quiet or None
    assess(session, inv, found, changes)
    session.add(found)


ASSESSMENT = ("buys", "competitors", "perception")


def assess(session: Session, inv: Invocation, found: Account, changes: AccountChanges) -> None:
    """What the client buys from us and from competitors, and how they see us: set, and the
    change kept in the account's story (only what really changed)."""
    said: list[str] = []
    for key in ASSESSMENT:
        value: str | None = getattr(changes, key)
        if value is None:
            continue
        new = value.strip() or None
        if new == getattr(found, key):
            continue
        setattr(found, key, new)
        said.append(f"{key}: {new}" if new else f"{key} cleared")
    if said:
        record(
            session,
            account_id=stored_id(found.id),
            kind=EventKind.assessed,
            detail="; ".join(said),
            by=inv.user_id,
            at=inv.now,
        )


def move_stage(
    session: Session, account: Account, to: Stage, *, reason: str, by: str, at: datetime
) -> StageMove | None:
    """The one way an account's stage changes: the move (who, when, from, to, why) kept in
    the same transaction. None when it is already at `to`: nothing is kept."""
    if account.stage == to:
        return None
    move = StageMove(
        account_id=stored_id(account.id),
        from_stage=account.stage,
        to_stage=to,
        reason=reason[:REASON_LIMIT],
        moved_by=by,
        moved_at=at,
    )
    account.stage = to
    session.add(account)
    session.add(move)
    return move


def rename(session: Session, inv: Invocation, account: Account, name: str) -> str:
    """A new name (and slug, made from it); returns the old name. Kept in the story."""
    example = f"/steward account rename {account.slug} Acme Rail Polska"
    name, slug = checked_name(session, account.team_id, name, example, account)
    old_name, old_slug = account.name, account.slug
    if name == old_name:
        raise UserError(f"*{escape(name)}* is already its name.", example)
    account.name, account.name_key, account.slug = name, name_key(name), slug
    session.add(account)
    record(
        session,
        account_id=stored_id(account.id),
        kind=EventKind.renamed,
        detail=f"{escape(old_name)} (`{old_slug}`) → {escape(name)} (`{slug}`)",
        by=inv.user_id,
        at=inv.now,
    )
    return old_name


def archive(session: Session, inv: Invocation, account: Account, archived: bool) -> bool:
    """Archive (no nudges, hidden from lists, its story kept) or bring it back; False when it
    already was so (nothing kept)."""
    if (account.archived_at is not None) == archived:
        return False
    account.archived_at = inv.now if archived else None
    session.add(account)
    record(
        session,
        account_id=stored_id(account.id),
        kind=EventKind.archived if archived else EventKind.unarchived,
        detail="archived" if archived else "unarchived",
        by=inv.user_id,
        at=inv.now,
    )
    return True


def require_active(account: Account, what: str = "that") -> Account:
    """The account, unless it is archived: nothing is logged or promised on an archived one."""
    if account.archived_at is not None:
        raise UserError(
            f"*{escape(account.name)}* is archived; unarchive it first to {what}.",
            f"/steward account unarchive {account.slug}",
        )
    return account


def set_internal_channel(session: Session, inv: Invocation, found: Account, channel: str) -> None:
    """`internal:#acme-team`: our own channel about the account, for internal promises."""
    if not channel:
        found.internal_channel_id = None
        return
    example = f"/steward account set {found.slug} internal:#{found.slug}-team"
    if channel == found.channel_id:
        raise UserError(f"<#{channel}> is already the account's channel with the client.", example)
    if inv.is_shared(session, channel):
        raise UserError(
            f"<#{channel}> is shared with another organisation (or Slack could not confirm it is "
            "not), so it cannot hold internal notes. Pick a channel only our people are in.",
            example,
        )
    check_channel_free(session, found.team_id, channel, found)
    found.internal_channel_id = channel
