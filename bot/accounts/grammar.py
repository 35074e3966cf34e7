"""`/steward account add|list|show|set …`, and finding the account a command names."""

from __future__ import annotations

import re

from sqlmodel import Session

from bot.accounts import render, service
from bot.accounts.queries import (
    account_for_channel,
    archived_count,
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
from bot.slacktext import channel_id_of, defuse, plain, unescape, user_id_of
from bot.story import grammar as story

EX_ADD = "/steward account add Acme Rail #acme-rail @owner tier:key"
EX_SET = "/steward account set acme-rail stage:cooperating"
EX_STAGE = "/steward account stage acme-rail cooperating: signed the framework agreement"
EX_ASSESS = (
    '/steward account set acme-rail buys:"rail freight" competitors:"DB Cargo — cheaper" '
    'perception:"reliable, slow invoicing"'
)
STAGES = [s.value for s in Stage]
HELP = (
    "*Accounts* — `/steward account add <name> [#channel] [@owner] [tier:strategic|key|standard] "
    "[silence:21d]`\n"
    f"• `{EX_ADD}`\n"
    "• `/steward account list [all]` · `/steward account show acme-rail`\n"
    f"• `{EX_STAGE}` — a move along the stages, with its reason\n"
    "• `/steward account history acme-rail [page]` — its story, newest first\n"
    "• `/steward account set <account> tier:<tier> | owner:@person | silence:21d | quiet:60d | "
    "channel:#channel | internal:#our-channel | client-routing:on|off`\n"
    f"• `{EX_ASSESS}` (`none` clears)\n"
    "• `/steward account rename acme-rail Acme Rail Polska` · "
    "`/steward account archive acme-rail` · `/steward account unarchive acme-rail`\n"
    f"• stages, cold to partner: {', '.join(STAGES)}\n"
    "• Refer to an account by slug, name, the start of either, or its #channel."
)


def take_account(
    inv: Invocation,
    session: Session,
    words: list[str],
    example: str,
    *,
    skip: frozenset[str] = frozenset(),
    archived_ok: bool = False,
    here_ok: bool = True,
) -> tuple[Account, list[str]]:
    """Find the account at the start of `words`; returns it and the words after it.

    Inside an account's channel the reference may be left out (unless not `here_ok`); there
    only an exact reference (slug, name or channel mention) switches to another account, so
    free text that happens to begin like another account's name stays with the channel's
    account; the start of the channel's own account's name is taken as naming it. An archived
    account is refused (nothing is logged or promised on it) unless `archived_ok`.
    """
    found, rest = _take_account(inv, session, words, example, skip, here_ok)
    return (found if archived_ok else service.require_active(found)), rest


def _take_account(
    inv: Invocation,
    session: Session,
    words: list[str],
    example: str,
    skip: frozenset[str],
    here_ok: bool,
) -> tuple[Account, list[str]]:
    looked = bool(words) and words[0].lower() not in skip
    refs = [" ".join(words[:n]) for n in range(1, min(len(words), 6) + 1)] if looked else []
    found_all = candidates(session, inv.team_id, inv.channel_id if here_ok else None, refs)
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
    if not looked:  # nothing, or a word that is not a name (`call`): no account was named
        raise UserError(
            "which account? Name it first (slug, name or #channel), or run this in its channel.",
            example,
        )
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
        everything = bool(rest) and rest[0].lower() == "all"
        return render.account_list(
            list_accounts(session, inv.team_id, archived=everything),
            0 if everything else archived_count(session, inv.team_id),
        )
    if verb == "show":
        example = "/steward account show acme-rail"
        found = named_or_here(inv, session, rest, example, "Name it, or run this in its channel.")
        return card.show(inv, session, found)
    if verb in VERBS:
        return VERBS[verb](inv, session, rest)
    raise UserError(
        f"`account {words[0] if words else ''}` is not a command; use "
        "add, list, show, set, stage, history, rename, archive or unarchive.",
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
            owner = inv.require_ours(user_id_of(word) or owner, "an account's owner", EX_ADD)
        else:
            name_words.append(word)
    unknown = set(options) - {"tier", "silence"}
    if unknown:
        raise UserError(f"`{sorted(unknown)[0]}:` is not an option of account add.", EX_ADD)
    tier = Tier(choice(options.get("tier", "standard"), [t.value for t in Tier], "tier", EX_ADD))
    silence = days_value("silence", options["silence"], EX_ADD) if "silence" in options else None
    created = service.add_account(
        session,
        team_id=inv.team_id,
        name=unescape(plain(" ".join(name_words))),
        owner_id=owner,
        created_by=inv.user_id,
        now=inv.now,
        channel_id=channel_id,
        tier=tier,
        silence_days=silence,
    )
    return render.added(created)


def account_set(inv: Invocation, session: Session, words: list[str]) -> Reply:
    ref_words, options = split_options(words)
    if not options:
        raise UserError(
            "say what to change: tier:, owner:, silence:, quiet:, channel:, internal:, "
            "client-routing:, buys:, competitors:, perception: or stage:.",
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
            changes.stage = Stage(choice(value, STAGES, "stage", EX_SET))
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
        elif key == "quiet":
            example = f"/steward account set {slug} quiet:90d"
            changes.quiet = days_value(key, value, example) or 0  # 0: the default
        elif key in service.ASSESSMENT:
            setattr(changes, key, assessment_value(key, value, slug))
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
    return days_value("silence", value, f"/steward account set {slug} silence:21d")


def days_value(key: str, value: str, example: str) -> int | None:
    """`21d` or `21`: days from 1 to 365; `default` (or off, none): None."""
    value = value.strip().lower()
    if value in ("default", "off", "none"):
        return None
    match = re.fullmatch(r"(\d{1,3})\s*d?", value)
    if not match or not 1 <= int(match.group(1)) <= 365:
        raise UserError(
            f"{key}: takes a number of days from 1 to 365, like `21d` (got “{value}”).",
            example,
        )
    return int(match.group(1))


def assessment_value(key: str, value: str, slug: str) -> str:
    """What they buy, from whom else, how they see us: mrkdwn as typed; `none`: ''."""
    value = defuse(value.strip())
    if value.lower() == "none":
        return ""
    if not value:
        raise UserError(
            f"{key}: needs a value (in quotes when it has spaces), or `none` to clear it.",
            f'/steward account set {slug} {key}:"rail freight"',
        )
    if len(value) > service.ASSESSMENT_LIMIT:
        raise UserError(
            f"{key}: is {len(value):,} characters; keep it under {service.ASSESSMENT_LIMIT:,}.",
            f'/steward account set {slug} {key}:"rail freight"',
        )
    return value


def account_stage(inv: Invocation, session: Session, words: list[str]) -> Reply:
    """`account stage acme cooperating: signed the framework agreement`."""
    head, colon, reason = " ".join(words).partition(":")
    head_words = head.split()
    reason = defuse(reason.strip())
    if not colon and any(w.lower() in STAGES for w in head_words):
        raise UserError("say why, after a colon: every move keeps its reason.", EX_STAGE)
    if not head_words:
        raise UserError("say which stage, and why.", EX_STAGE)
    stage = Stage(choice(head_words[-1], STAGES, "the stage", EX_STAGE))
    if not reason:
        raise UserError("say why, after the colon: every move keeps its reason.", EX_STAGE)
    if len(reason) > service.REASON_LIMIT:
        raise UserError(
            f"the reason is {len(reason):,} characters; keep it under "
            f"{service.REASON_LIMIT:,} and link the details.",
            EX_STAGE,
        )
    found = named_or_here(inv, session, head_words[:-1], EX_STAGE, "Name it before the stage.")
    before = found.stage
    move = service.move_stage(session, found, stage, reason=reason, by=inv.user_id, at=inv.now)
    return render.stage_moved(found, before, move)


def account_rename(inv: Invocation, session: Session, words: list[str]) -> Reply:
    """`account rename acme Acme Rail Polska` (or `… acme to Acme Rail Polska`): the account
    must be named (in its channel too), so the new name is never read as a reference."""
    example = "/steward account rename acme-rail Acme Rail Polska"
    if len(words) < 2:  # one word is the account, or the new name: either way one is missing
        raise UserError("name the account, then its new name.", example)
    found, rest = take_account(inv, session, words[:-1], example, archived_ok=True, here_ok=False)
    rest = rest + words[-1:]
    if len(rest) > 1 and rest[0].lower() == "to":
        rest = rest[1:]
    old = service.rename(session, inv, found, unescape(plain(" ".join(rest))))
    return render.renamed(found, old)


def account_archive(inv: Invocation, session: Session, words: list[str]) -> Reply:
    return _archive(inv, session, words, archived=True)


def account_unarchive(inv: Invocation, session: Session, words: list[str]) -> Reply:
    return _archive(inv, session, words, archived=False)


def _archive(inv: Invocation, session: Session, words: list[str], *, archived: bool) -> Reply:
    verb = "archive" if archived else "unarchive"
    example = f"/steward account {verb} acme-rail"
    found = named_or_here(inv, session, words, example, "Name it, or run this in its channel.")
    changed = service.archive(session, inv, found, archived)
    return render.archived(found, changed)


def account_history(inv: Invocation, session: Session, words: list[str]) -> Reply:
    return story.history(inv, session, words)


VERBS = {
    "set": account_set,
    "stage": account_stage,
    "rename": account_rename,
    "archive": account_archive,
    "unarchive": account_unarchive,
    "history": account_history,
    "story": account_history,
}
