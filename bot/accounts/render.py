"""Accounts in Block Kit: the list, the card, and what was added or changed."""

from __future__ import annotations

from bot.accounts.queries import stage_rank
from bot.accounts.service import AccountChanges
from bot.blocks import Reply, context, message, say, section
from bot.models import Account, StageMove
from bot.slacktext import chunks, clip, escape


def account_line(account: Account) -> str:
    channel = f" · <#{account.channel_id}>" if account.channel_id else ""
    archived = " · _archived_" if account.archived_at else ""
    return (
        f"*{escape(account.name)}* `{account.slug}` — {account.tier}, {account.stage}, "
        f"owner <@{account.owner_id}>{channel}{archived}"
    )


def account_list(accounts: list[Account], archived: int = 0) -> Reply:
    """The accounts; `archived`: how many were left out, and how to see them."""
    hidden = f"{archived} archived: `/steward account list all`" if archived else ""
    if not accounts:
        add = "Add one: `/steward account add Acme Rail #acme-rail tier:key`"
        return say(f"No accounts yet. {add}" if not archived else f"No active accounts; {hidden}")
    lines = [account_line(a) for a in accounts]
    blocks = [section(f"*Accounts* ({len(accounts)})")]
    blocks += [section(piece) for piece in chunks("\n".join(lines))]
    if hidden:
        blocks.append(context(hidden))
    return message("Accounts: " + "; ".join(a.slug for a in accounts), blocks)


def added(created: Account) -> Reply:
    channel = f", channel <#{created.channel_id}>" if created.channel_id else ""
    return say(
        f":white_check_mark: Added *{escape(created.name)}* as `{created.slug}` — "
        f"owner <@{created.owner_id}>, tier {created.tier}{channel}. "
        f"Log a contact: `/logcontact {created.slug} call: …`"
    )


def changed(found: Account, changes: AccountChanges, silence_days: int) -> Reply:
    """What `account set` changed, in the order it was typed."""
    said = {
        "stage": f"stage {found.stage}",
        "tier": f"tier {found.tier}",
        "owner": f"owner <@{found.owner_id}>",
        "silence": f"silence threshold {silence_days} days",
        "channel": f"channel <#{found.channel_id}>" if found.channel_id else "no channel",
        "internal": (
            f"internal channel <#{found.internal_channel_id}>"
            if found.internal_channel_id
            else "no internal channel"
        ),
        "client-routing": f"client routing {'on' if found.clients_may_route else 'off'}",
        "quiet": f"too quiet after {found.quiet_days} days"
        if found.quiet_days
        else "too quiet after the default",
        "buys": _assessed("buys", found.buys),
        "competitors": _assessed("competitors", found.competitors),
        "perception": _assessed("perception", found.perception),
    }
    lines = [said[key] for key in changes.order]
    return say(f":white_check_mark: *{escape(found.name)}*: " + ", ".join(lines) + ".")


def _assessed(key: str, value: str | None) -> str:
    return f"{key} “{clip(value, 300)}”" if value else f"no {key}"


def stage_moved(found: Account, before: str, move: StageMove | None) -> Reply:
    slug = found.slug
    if move is None:
        return say(
            f"*{escape(found.name)}* is already {before}; nothing kept. "
            f"Its moves: `/steward account history {slug}`"
        )
    arrow = ":arrow_up:" if stage_rank(move.to_stage) > stage_rank(before) else ":arrow_down:"
    return say(
        f"{arrow} *{escape(found.name)}*: {before} → *{move.to_stage}* — “{move.reason}”. "
        f"Kept in its story: `/steward account history {slug}`"
    )


def renamed(found: Account, old: str) -> Reply:
    return say(
        f":white_check_mark: *{escape(old)}* is now *{escape(found.name)}*, `{found.slug}` "
        f"— use `{found.slug}` from now on (`/steward account show {found.slug}`)."
    )


def archived(found: Account, changed: bool) -> Reply:
    name, slug = escape(found.name), found.slug
    if found.archived_at is not None:
        if not changed:
            return say(f"*{name}* is already archived. `/steward account unarchive {slug}`")
        return say(
            f":file_cabinet: Archived *{name}*: no nudges, hidden from lists; its story is "
            f"kept (`/steward account history {slug}`). Undo: `/steward account unarchive {slug}`"
        )
    if not changed:
        return say(f"*{name}* is not archived.")
    return say(
        f":white_check_mark: *{name}* is back: listed, nudged, and open to contacts "
        "and promises again."
    )
