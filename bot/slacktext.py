"""Slack's message text format: mentions, escaping, and Block Kit's size limits."""

from __future__ import annotations

import re
from collections.abc import Callable

USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
CHANNEL_MENTION = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
ANY_SPECIAL = re.compile(r"<[@#!][^>]*>")

SECTION_LIMIT = 3000  # characters in a section's text
MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100


def escape(text: str) -> str:
    """Escape user text for mrkdwn so '<', '>' and '&' cannot forge mentions or links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slack escapes &, < and > in command text; give back what the user typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


SPECIAL_MENTION = re.compile(r"<!([^>|]*)(?:\|([^>]*))?>")


def defuse(text: str) -> str:
    """Mrkdwn from a user with @channel, @here and group mentions turned into plain words.

    Command text arrives from Slack already escaped, so it is stored and shown as mrkdwn; only
    the broadcast mentions are made inert, so repeating the text in a channel pings nobody.
    """
    return SPECIAL_MENTION.sub(lambda m: m.group(2) or "@" + m.group(1).split("^")[0], text)


def inert(text: str, name_of: Callable[[str], str]) -> str:
    """Someone's text to quote elsewhere: broadcast and group mentions made plain words
    (`defuse`), and people named as `@name` instead of pinged."""

    def named(match: re.Match[str]) -> str:
        inner = match.group(0)[2:-1]
        label = inner.split("|", 1)[1] if "|" in inner else name_of(match.group(1))
        return "@" + label.lstrip("@")

    return USER_MENTION.sub(named, defuse(text))


def user_id_of(token: str) -> str | None:
    match = USER_MENTION.fullmatch(token.strip())
    return match.group(1) if match else None


def channel_id_of(token: str) -> str | None:
    match = CHANNEL_MENTION.fullmatch(token.strip())
    return match.group(1) if match else None


def tokens(text: str) -> list[str]:
    """Split on whitespace, keeping a mention such as <@U1|Jan Kowalski> as one token."""
    out: list[str] = []
    pos = 0
    for match in ANY_SPECIAL.finditer(text):
        out.extend(text[pos : match.start()].split())
        out.append(match.group(0))
        pos = match.end()
    out.extend(text[pos:].split())
    return out


def plain(text: str) -> str:
    """Text with mentions reduced to their labels, for storing names and summaries."""

    def label(match: re.Match[str]) -> str:
        inner = match.group(0)[1:-1]
        return inner.split("|", 1)[1] if "|" in inner else inner

    return ANY_SPECIAL.sub(label, text)


def clip(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    keep = max(0, limit - 40)  # room for the note, which is under 40 characters
    return text[:keep] + f"… ({len(text) - keep:,} more characters)"


def chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split `text` into pieces of at most `limit` characters, preferring line breaks."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text or not pieces:
        pieces.append(text)
    return pieces
