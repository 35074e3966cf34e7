"""App Home as a Block Kit view: within Slack's 100 blocks, whatever the person holds.

The promise items are the digest's own (bot/digest/render.promise_blocks): the same buttons,
the same action ids and values, handled by the same listener. Home's own buttons are "Card"
(an account's assessment card on top) and "Show more"."""

from __future__ import annotations

from typing import Any

from bot.assessment.render import ARROW, MARK, card_blocks
from bot.assessment.service import Standing
from bot.blocks import Block, button, context, header, section
from bot.cases.render import case_line
from bot.digest.grammar import Button, DigestClick
from bot.digest.render import promise_blocks
from bot.home.service import MAX_PAGE, Home, HomeState
from bot.slacktext import MODAL_BLOCKS, clip, escape

CARD = "home_card"  # action id: show this account's card on top (value: the account's id)
MORE = "home_more"  # action id: show more of every list (value: the next page)
CLOSE = "home_close"  # action id: take the card away
ROOM = MODAL_BLOCKS - 2  # what the lists may fill: the last two are for "show more"


def standing_blocks(s: Standing) -> list[Block]:
    a = s.account
    line = (
        f"{MARK[s.health.word]} *{escape(a.name)}* `{a.slug}` — *{s.health.word}* · {a.stage} "
        f"({ARROW[s.trend]}) · {a.tier}\n{clip('; '.join(s.health.reasons), 400)}"
    )
    block = section(line)
    block["accessory"] = button("Card", CARD, str(a.id))
    return [block]


def home_view(home: Home, notice: str | None = None) -> dict[str, Any]:
    """The Home tab's view: the lists in order until the blocks run out, then "Show more"."""
    blocks: list[Block] = [header("Steward")]
    if notice:
        blocks.append(section(clip(notice, 1000)))
    if home.card is not None:
        log = DigestClick("account", home.card.account.id or 0, home.today)
        close: Block = {
            "type": "actions",
            "block_id": log.block_id,  # the digest's Log contact reads the account from it
            "elements": [
                button("Log contact", Button.log, log.value),
                button("Close card", CLOSE, "close"),
            ],
        }
        blocks += [*card_blocks(home.card), close, {"type": "divider"}]
    groups: list[tuple[str, list[list[Block]]]] = [
        (
            f"*Your accounts* ({home.accounts_total})",
            [standing_blocks(s) for s in home.accounts],
        ),
        (
            f"*Your promises overdue or due this week* ({home.promises_total})",
            [promise_blocks(p, home.today, show_owner=False) for p in home.promises],
        ),
        (
            f"*Cases open on your accounts* ({home.cases_total})",
            [[section(case_line(c, a, home.today))] for c, a in home.cases],
        ),
    ]
    shown, full = 0, False
    for title, items in groups:
        full = full or len(blocks) + 1 > ROOM
        if full:
            break
        blocks.append(section(title if items else f"{title.split(' (')[0]}: none"))
        for item in items:
            full = len(blocks) + len(item) > ROOM
            if full:
                break
            blocks += item
            shown += 1
    total = home.accounts_total + home.promises_total + home.cases_total
    if total > shown:
        blocks += _more(home, total - shown, full)
    if not total:
        blocks.append(context("Add an account: `/steward account add Acme Rail #acme-rail`"))
    return {
        "type": "home",
        "blocks": blocks[:MODAL_BLOCKS],
        "private_metadata": home.state.meta,
    }


def _more(home: Home, left: int, full: bool) -> list[Block]:
    """A "Show more" button while a larger page would show more; else the commands that list
    everything (the view is full, or the largest page is reached)."""
    where = "`/steward account list` · `/promise list mine` · `/steward cases mine`"
    if full or home.state.page >= MAX_PAGE:
        return [context(f"…and {left} more: {where}")]
    page = HomeState(home.state.page + 1, home.state.card)
    return [
        context(f"{left} more not shown. Everything: {where}"),
        {
            "type": "actions",
            "block_id": "home-more",
            "elements": [button("Show more", MORE, str(page.page))],
        },
    ]


def refusal_home(line: str) -> dict[str, Any]:
    """The Home of someone Steward is not for (or could not vouch for): one line, nothing else."""
    return {"type": "home", "blocks": [section(line)]}
