"""Accounts in Block Kit: the list, the card, and what was added or changed."""

from __future__ import annotations

from bot.accounts.service import AccountChanges
from bot.blocks import Reply, message, say, section
from bot.models import Account
from bot.slacktext import chunks, escape


def account_line(account: Account) -> str:
    channel = f" · <#{account.channel_id}>" if account.channel_id else ""
    return (
        f"*{escape(account.name)}* `{account.slug}` — {account.tier}, {account.stage}, "
        f"owner <@{account.owner_id}>{channel}"
    )


def account_list(accounts: list[Account]) -> Reply:
    if not accounts:
        return say("No accounts yet. Add one: `/steward account add Acme Rail #acme-rail tier:key`")
    lines = [account_line(a) for a in accounts]
    blocks = [section(f"*Accounts* ({len(accounts)})")]
    blocks += [section(piece) for piece in chunks("\n".join(lines))]
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
    }
    lines = [said[key] for key in changes.order]
    return say(f":white_check_mark: *{escape(found.name)}*: " + ", ".join(lines) + ".")
