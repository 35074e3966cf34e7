"""What a person is told when a message of theirs will never reach Slack: the exit held it back
(bot/gateway.py), or Slack refused it for good (a private channel Steward was never invited to).

One path for both (`tell`): the person whose action produced the message, or else the account's
owner, gets a DM saying what could not be posted, where, and how to fix it; one outbox key per
notice (bot/keys.py), and never a notice about a notice. No Slack here: bot/delivery.py decides
who may be told (a client's person never is) and calls `tell` in the transaction that marks the
message held or failed.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot import keys
from bot.models import Account, Audience, OutboxMessage
from bot.outbox import enqueue
from bot.slacktext import clip

NOT_A_MEMBER = {"not_in_channel", "channel_not_found"}
REASONS = {
    "is_archived": "the channel is archived",
    "msg_too_long": "the message is too long for Slack",
    "no_text": "the message was empty",
    "invalid_blocks": "Slack would not accept the message's layout",
    "too_many_attachments": "the message had too many attachments",
    "restricted_action": "the workspace's settings do not let me post there",
    "cannot_reply_to_message": "the message it answered cannot have replies",
    "user_not_found": "Slack does not know that person",
    "unreachable": "I could not reach Slack, time after time",
}


def where(channel: str) -> str:
    return "a DM" if channel.startswith(("@", "D")) else f"<#{channel}>"


def quoted(text: str) -> str:
    return "\n".join("> " + line for line in clip(text, 1500).splitlines())


def held_text(row: OutboxMessage, reason: str) -> str:
    return (
        f":lock: I held back a message for {where(row.channel)}: {reason}. Nothing was posted "
        "there. It said:\n" + quoted(row.text)
    )


def failed_text(row: OutboxMessage, error: str) -> str:
    """Why Slack refused the message for good, and how to fix it, in words for the person."""
    place = where(row.channel)
    if error in NOT_A_MEMBER and place != "a DM":
        why = "I am not a member of that channel (a private channel must invite me)"
        fix = (
            f"To fix it, invite me: `/invite @Steward` in {place}, then do again what posted it: "
            "I will not re-send this message on my own."
        )
    else:
        why = REASONS.get(error, f"Slack refused it ({error})")
        fix = "Nothing was posted, and I will not try again."
    return f":warning: I could not post a message in {place}: {why}. {fix} It said:\n" + quoted(
        row.text
    )


def tell(
    session: Session, row: OutboxMessage, person: str | None, text: str, key: str, now: datetime
) -> bool:
    """Queue `text` as a DM to `person` (one of ours, or None), else to the owner of the account
    the message was about; nobody, for a notice about a notice. True when one was queued."""
    if keys.is_notice(row.key):
        return False
    account = session.get(Account, row.account_id) if row.account_id else None
    person = person or (account.owner_id if account else None)
    if person is None:
        return False
    enqueue(  # told in the workspace the message was for
        session,
        key=key,
        channel=f"@{person}",
        text=text,
        now=now,
        audience=Audience.internal,
        team_id=row.team_id,
    )
    return True
