"""The one place where labels people read (P-12, C-7) and outbox keys are made and read back.

An outbox key names what a message is about and why it was sent, so that queuing it twice
queues it once (bot/outbox.py). Keys are at most 200 characters (the column's size).
"""

from __future__ import annotations

import re
from datetime import date

KEY_LIMIT = 200
PROMISE_REF = re.compile(r"(?i)^p-?(\d{1,9})$|^#?(\d{1,9})$")
INTERACTION_REF = re.compile(r"(?i)^l-?(\d{1,9})$")


# -- labels ------------------------------------------------------------------------------------
def promise_label(promise_id: int | None) -> str:
    return f"P-{promise_id}"


def case_label(case_id: int | None) -> str:
    return f"C-{case_id}"


def interaction_label(interaction_id: int | None) -> str:
    """A logged contact's label (L for log), for `/logcontact edit L-12`."""
    return f"L-{interaction_id}"


def interaction_number(ref: str) -> int | None:
    """12 from `L-12` or `l12`; None when `ref` is not a logged contact's label."""
    match = INTERACTION_REF.match(ref.strip())
    return int(match.group(1)) if match else None


def promise_number(ref: str) -> int | None:
    """12 from `P-12`, `p12`, `#12` or `12`; None when `ref` is not a promise's label."""
    match = PROMISE_REF.match(ref.strip())
    return int(match.group(1) or match.group(2)) if match else None


# -- outbox keys -------------------------------------------------------------------------------
def _key(*parts: object) -> str:
    return ":".join(str(p) for p in parts)[:KEY_LIMIT]


def promise_confirmation(promise_id: int | None) -> str:
    """The promise's written confirmation in the account's channel (its thread's parent)."""
    return _key("promise", promise_id, "confirm")


def promise_note(promise_id: int | None, what: str) -> str:
    """A change to the promise (done, cancelled, re-dated), said in its thread."""
    return _key("promise", promise_id, what)


def promise_owner_note(promise_id: int | None, what: str) -> str:
    """The promise's owner told that someone else changed it."""
    return _key("promise", promise_id, "owner", what)


def case_post(case_id: int | None) -> str:
    """The case's post in the counterpart channel (the case thread's parent)."""
    return _key("case", case_id, "post")


def case_note(case_id: int | None, what: str) -> str:
    """Something said about the case, in its thread or the origin thread."""
    return _key("case", case_id, what)


def case_aging_owner(case_id: int | None) -> str:
    """The account's owner told, once, that a case has waited through two aging nudges."""
    return _key("case", case_id, "aging", "owner")


def case_told(case_id: int | None, user_id: str) -> str:
    """Told once that their messages in a routed thread are carried to our team."""
    return _key("told", case_id, user_id)[:64]


def route_owner_note(channel_id: str, source_ts: str) -> str:
    """The account's owner told of a client's request that could not be routed."""
    return _key("route", channel_id, source_ts, "owner")


def dm_help(channel: str, ts: str) -> str:
    """The short help answering a message someone wrote to Steward in its DM."""
    return _key("dmhelp", channel, ts)


def digest(team_id: str, user_id: str, day: date) -> str:
    """One rep's digest for one local day: never queued twice (bot/digest)."""
    return digest_prefix(team_id, user_id) + day.isoformat()


def digest_prefix(team_id: str, user_id: str) -> str:
    """What every digest key of this rep starts with."""
    return _key("digest", team_id, user_id, "")


HELD = "held:"
FAILED = "failed:"


def held_notice(key: str) -> str:
    """The DM about a message the exit held back."""
    return (HELD + key)[:KEY_LIMIT]


def failed_notice(key: str) -> str:
    """The DM about a message Slack refused for good (a channel Steward is not in…)."""
    return (FAILED + key)[:KEY_LIMIT]


def is_notice(key: str) -> bool:
    """A DM about another message that was held back or failed: never one about it in turn."""
    return key.startswith((HELD, FAILED))
