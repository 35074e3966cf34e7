"""Changing accounts: add one, set its channel, owner, tier, stage and thresholds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from bot.accounts.queries import NAME_LIMIT, account_for_channel, name_key, slugify
from bot.errors import UserError
from bot.invocation import Invocation
from bot.models import Account, Stage, Tier


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


def set_channel(session: Session, account: Account, channel_id: str) -> None:
    check_channel_free(session, account.team_id, channel_id, account)
    account.channel_id = channel_id
    session.add(account)


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
    order: list[str] = field(default_factory=list)  # the options as typed, for the answer


def change(session: Session, inv: Invocation, found: Account, changes: AccountChanges) -> None:
    if changes.stage is not None:
        found.stage = changes.stage
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
    session.add(found)


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
