"""`/steward account add|list|show|set …`, and finding the account a command names."""

from __future__ import annotations

import re

from sqlmodel import Session

from bot.accounts import render, service
from bot.accounts.queries import (
    account_for_channel,
    candidates,
    find_accounts,
    list_accounts,
    name_key,
    resolve_account,
    suggest,
)
from bot.accounts.service import AccountChanges, silence_threshold
from bot.assessment import grammar as card
from bot.blocks import Reply
from bot.errors import UserError
from bot.grammar import choice, split_options
from bot.invocation import Invocation
from bot.models import Account, Stage, Tier
from bot.slacktext import channel_id_of, plain, unescape, user_id_of

EX_ADD = "/steward account add Acme Rail #acme-rail @owner tier:key"
EX_SET = "/steward account set acme-rail stage:cooperating"
HELP = (
    "*Accounts* — `/steward account add <name> [#channel] [@owner] [tier:strategic|key|standard]`\n"
    f"• `{EX_ADD}`\n"
    "• `/steward account list` · `/steward account show acme-rail`\n"
    "• `/steward account set <account> stage:<stage> | tier:<tier> | owner:@person | "
    "silence:21d | channel:#channel | internal:#our-channel | client-routing:on|off`\n"
    f"• stages, cold to partner: {', '.join(s.value for s in Stage)}\n"
    "• Refer to an account by slug, name, the start of either, or its #channel."
)


def take_account(
    inv: Invocation,
    session: Session,
    words: list[str],
    example: str,
    *,
    skip: frozenset[str] = frozenset(),
) -> tuple[Account, list[str]]:
    """Find the account at the start of `words`; returns it and the words after it.

    Inside an account's channel the reference may be left out; there only an exact reference
    (slug, name or channel mention) switches to another account, so free text that happens to
    begin like another account's name stays with the channel's account; the start of the
    channel's own account's name is taken as naming it.
    """
    looked = bool(words) and words[0].lower() not in skip
    refs = [" ".join(words[:n]) for n in range(1, min(len(words), 6) + 1)] if looked else []
    found_all = candidates(session, inv.team_id, inv.channel_id, refs)
    here, exact = found_all.here, found_all.exact
    if looked:

        def matches(ref: str, exact_only: bool) -> list[Account]:
            if channel_id_of(ref):
                return find_accounts(session, inv.team_id, ref)
            found = exact.get(name_key(ref), [])
            if found or exact_only:
                return found
            return found_all.prefixed  # only the first word is read as a prefix (n == 1)

        for n in range(min(len(words), 6), 0, -1):
            ref = " ".join(words[:n])
            found = matches(ref, exact_only=n > 1 or here is not None)
            if len(found) == 1:
                return found[0], words[n:]
            if here is not None and n == 1 and here in matches(ref, exact_only=False):
                return here, words[1:]  # `acme` in #acme-rail: the start of its own name
            if len(found) > 1 and here is None:
                raise UserError(
                    f"“{ref}” matches more than one account.", example, [a.slug for a in found]
                )
    if here is not None:
        return here, words
    if not words:
        raise UserError("which account? Name it first (slug, name or #channel).", example)
    raise UserError(
        f"no account matches “{words[0]}”.",
        example,
        suggest(session, inv.team_id, words[0]),
    )


def account(inv: Invocation, session: Session, words: list[str]) -> Reply:
    verb = words[0].lower() if words else "list"
    rest = words[1:]
    if verb == "add":
        return account_add(inv, session, rest)
    if verb == "list":
        return render.account_list(list_accounts(session, inv.team_id))
    if verb == "show":
        example = "/steward account show acme-rail"
        found = named_or_here(inv, session, rest, example, "Name it, or run this in its channel.")
        return card.show(inv, session, found)
    if verb == "set":
        return account_set(inv, session, rest)
    raise UserError(
        f"`account {words[0] if words else ''}` is not a command; use add, list, show or set.",
        EX_ADD,
    )


def named_or_here(
    inv: Invocation, session: Session, words: list[str], example: str, hint: str
) -> Account:
    """The account `words` name, else the one whose channel this is; else a refusal."""
    if words:
        return resolve_account(session, inv.team_id, " ".join(words), example)
    here = account_for_channel(session, inv.team_id, inv.channel_id)
    if here is None:
        raise UserError(f"which account? {hint}", example)
    return here


def account_add(inv: Invocation, session: Session, words: list[str]) -> Reply:
    channel_id = None
    owner = inv.user_id
    name_words: list[str] = []
    words, options = split_options(words)
    for word in words:
        if channel_id_of(word):
            channel_id = channel_id_of(word)
        elif user_id_of(word):
            owner = inv.require_ours(
                user_id_of(word) or owner, "an account's owner", EX_ADD
            )
        else:
            name_words.append(word)
    unknown = set(options) - {"tier"}
    if unknown:
        raise UserError(f"`{sorted(unknown)[0]}:` is not an option of account add.", EX_ADD)
    tier = Tier(choice(options.get("tier", "standard"), [t.value for t in Tier], "tier", EX_ADD))
    created = service.add_account(
        session,
        team_id=inv.team_id,
        name=unescape(plain(" ".join(name_words))),
        owner_id=owner,
        created_by=inv.user_id,
        now=inv.now,
        channel_id=channel_id,
        tier=tier,
    )
    return render.added(created)


def account_set(inv: Invocation, session: Session, words: list[str]) -> Reply:
    ref_words, options = split_options(words)
    if not options:
        raise UserError(
            "say what to change: stage:, tier:, owner:, silence:, channel:, internal: or "
            "client-routing:.",
            EX_SET,
        )
    found = named_or_here(inv, session, ref_words, EX_SET, "Name it before the options.")
    changes = read_changes(inv, found, options)
    service.change(session, inv, found, changes)
    return render.changed(found, changes, silence_threshold(found, inv.policy.silence_days))


def read_changes(inv: Invocation, found: Account, options: dict[str, str]) -> AccountChanges:
    """The options of `account set`, read and checked (in the order typed)."""
    slug = found.slug
    changes = AccountChanges()
    for key, value in options.items():
        if key == "stage":
            changes.stage = Stage(choice(value, [s.value for s in Stage], "stage", EX_SET))
        elif key == "tier":
            example = f"/steward account set {slug} tier:key"
            changes.tier = Tier(choice(value, [t.value for t in Tier], "tier", example))
        elif key == "owner":
            example = f"/steward account set {slug} owner:@jan"
            owner = user_id_of(value)
            if not owner:
                raise UserError("owner: takes a mention of a person.", example)
            changes.owner = inv.require_ours(owner, "an account's owner", example)
        elif key == "silence":
            changes.silence = silence_value(value, slug) or 0  # 0: the tier default
        elif key == "channel":
            example = f"/steward account set {slug} channel:#acme-rail"
            changes.channel = _channel_or_none(key, value, example)
        elif key == "internal":
            example = f"/steward account set {slug} internal:#{slug}-team"
            changes.internal = _channel_or_none(key, value, example)
        elif key == "client-routing":
            example = f"/steward account set {slug} client-routing:off"
            changes.client_routing = choice(value, ["on", "off"], "client-routing", example) == "on"
        else:
            raise UserError(f"`{key}:` is not something an account has.", EX_SET)
        changes.order.append(key)
    return changes


def _channel_or_none(key: str, value: str, example: str) -> str:
    """A channel id from a mention, or '' for `none`."""
    if value.lower() == "none":
        return ""
    channel = channel_id_of(value)
    if not channel:
        raise UserError(f"{key}: takes a channel mention (or `none`).", example)
    return channel


def silence_value(value: str, slug: str) -> int | None:
    example = f"/steward account set {slug} silence:21d"
    value = value.strip().lower()
    if value in ("default", "off", "none"):
        return None
    match = re.fullmatch(r"(\d{1,3})\s*d?", value)
    if not match or not 1 <= int(match.group(1)) <= 365:
        raise UserError(
            f"silence: takes a number of days from 1 to 365, like `21d` (got “{value}”).",
            example,
        )
    return int(match.group(1))
