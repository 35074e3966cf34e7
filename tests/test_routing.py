"""Routing end to end: signed events and interactions as Slack sends them, over HTTP."""

from __future__ import annotations

import itertools
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.blocks import rendered
from bot.cases.grammar import parse_keywords
from bot.cases.hours import working_hours_between
from bot.cases.service import suggest_function
from bot.models import Case, CaseStatus
from scheduler.jobs import tick
from tests.conftest import ACME_CHANNEL, ALICE, BORIS, CAROL, GLOBEX_CHANNEL, Slack

FINANCE = "CFINANCE"
CLIENT = "UCLIENT"
EVENTS = itertools.count(1)


@pytest.fixture
def routed(slack: Slack) -> Slack:
    """Globex's channel is internal, Acme Rail's is shared with the client; finance is set."""
    slack.standin.add_channel(FINANCE, "finance")
    slack.standin.add_user(CLIENT, "jan", real_name="Jan Client", team_id="TCLIENT")
    slack.reply("/steward", f"account add Globex <#{GLOBEX_CHANNEL}|globex>")
    slack.reply("/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail>")
    answer = slack.reply("/steward", f"route set finance <#{FINANCE}|finance>")
    assert "*finance* now goes to <#CFINANCE>" in answer
    return slack


def say(
    slack: Slack,
    channel: str,
    text: str,
    *,
    user: str = BORIS,
    thread_ts: str | None = None,
    event_id: str | None = None,
    retry: int = 0,
) -> dict:
    """A person posts a message: stored in the stand-in, then Slack's events for it."""
    message = slack.standin.add_message(channel, text, user=user, thread_ts=thread_ts)
    send(slack, message, channel, text, user=user, event_id=event_id, retry=retry)
    return message


def send(
    slack: Slack,
    message: dict,
    channel: str,
    text: str,
    *,
    user: str,
    event_id: str | None = None,
    retry: int = 0,
) -> None:
    team = slack.team_of(user)
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": message["ts"],
        "event_ts": message["ts"],
        "channel_type": "channel",
        "team": team,
        "user_team": team,
        "source_team": team,
    }
    if message.get("thread_ts"):
        event["thread_ts"] = message["thread_ts"]
    kind = "app_mention" if f"<@{slack.standin.bot_user_id}>" in text else "message"
    result = slack.event(
        {**event, "type": kind}, event_id=event_id or f"Ev{next(EVENTS):06d}", retry=retry
    )
    assert result.status == 200, result.body
    if kind == "app_mention":  # Slack also sends the plain message event
        slack.event(event, event_id=f"Ev{next(EVENTS):06d}")


def notes(slack: Slack, user: str, count: int) -> list[dict]:
    """The ephemeral messages `user` has seen, once there are `count` of them."""
    seen = lambda: [n for n in slack.standin.ephemerals if n["user"] == user]  # noqa: E731
    assert slack.standin.wait_for(lambda: len(seen()) >= count), seen()
    return seen()


def thread(slack: Slack, channel: str, root_ts: str) -> list[str]:
    """What Steward posted in a thread."""
    return [
        rendered(m)
        for m in slack.posts(channel)
        if m.get("thread_ts") == root_ts and m.get("user") == slack.standin.bot_user_id
    ]


def case_post(slack: Slack) -> dict:
    slack.standin.wait_for(lambda: any(not p.get("thread_ts") for p in slack.posts(FINANCE)))
    return next(p for p in slack.posts(FINANCE) if not p.get("thread_ts"))


def test_billing_dispute_in_an_internal_thread(routed: Slack) -> None:
    slack = routed
    root = say(slack, GLOBEX_CHANNEL, "Invoice 4411 bills us twice for March")
    say(
        slack,
        GLOBEX_CHANNEL,
        "Yes, line 3 and line 7 are the same",
        user=CAROL,
        thread_ts=root["ts"],
    )
    ask = f"<@{slack.standin.bot_user_id}> route finance: double billing on 4411"
    mention = say(slack, GLOBEX_CHANNEL, ask, user=ALICE, thread_ts=root["ts"], event_id="EvROUTE")
    post = case_post(slack)
    text = rendered(post)
    assert "C-1 · Globex · finance" in text and "raised by @alice" in text
    assert "double billing on 4411" in text
    assert "Invoice 4411 bills us twice" in text and "line 3 and line 7" in text
    assert "Open the original thread" in text
    slack.standin.wait_for(lambda: thread(slack, GLOBEX_CHANNEL, root["ts"]))
    [where] = thread(slack, GLOBEX_CHANNEL, root["ts"])
    assert "Routed to <#CFINANCE> (finance) as *C-1*" in where

    # Slack retries the mention (same event_id): nothing new.
    send(slack, mention, GLOBEX_CHANNEL, ask, user=ALICE, event_id="EvROUTE", retry=1)
    # The client side adds something: carried into the case thread, once though seen twice.
    more = say(slack, GLOBEX_CHANNEL, "Also the VAT rate is wrong", thread_ts=root["ts"])
    send(slack, more, GLOBEX_CHANNEL, more["text"], user=BORIS, event_id="EvMORE", retry=1)
    slack.standin.wait_for(lambda: thread(slack, FINANCE, post["ts"]))
    # Finance answers in the case thread: the origin is internal, so it goes back.
    say(slack, FINANCE, "Checking with billing now", user=CAROL, thread_ts=post["ts"])
    slack.standin.wait_for(lambda: len(thread(slack, GLOBEX_CHANNEL, root["ts"])) >= 2)
    # Steward's own posts come back as events: never carried again.
    for ours in list(slack.posts(FINANCE)) + list(slack.posts(GLOBEX_CHANNEL)):
        slack.event(
            {
                "type": "message",
                "subtype": "bot_message",
                "bot_id": ours.get("bot_id"),
                "channel": ours["channel"],
                "text": ours["text"],
                "ts": ours["ts"],
                "thread_ts": ours.get("thread_ts"),
            }
        )

    take = {"type": "button", "action_id": "case_take", "value": "1", "block_id": "case-1"}
    result = slack.block_actions(CAROL, take, channel=FINANCE, message=post, response_key="take")
    assert result.status == 200
    assert "C-1 is yours" in slack.response_text("take")
    live = slack.standin._find(FINANCE, post["ts"])  # the case post, updated in place
    assert "Taken by <@UCAROL>" in rendered(live) and "Take it" not in json.dumps(live["blocks"])
    say(
        slack,
        FINANCE,
        f"<@{slack.standin.bot_user_id}> resolve credit note CN-88 issued",
        user=CAROL,
        thread_ts=post["ts"],
    )
    slack.standin.wait_for(
        lambda: any("resolved" in t for t in thread(slack, GLOBEX_CHANNEL, root["ts"]))
    )
    case_thread = thread(slack, FINANCE, post["ts"])
    origin = thread(slack, GLOBEX_CHANNEL, root["ts"])
    assert [t for t in case_thread if "Also the VAT rate is wrong" in t] == [
        "@boris: Also the VAT rate is wrong"
    ]
    assert any("<@UCAROL> took C-1" in t for t in case_thread)
    assert any("C-1 resolved* by <@UCAROL>: credit note CN-88 issued" in t for t in case_thread)
    assert origin[1:] == [
        "@carol: Checking with billing now",
        ":white_check_mark: *C-1 resolved* by <@UCAROL>: credit note CN-88 issued",
    ]
    assert len([p for p in slack.posts(FINANCE) if not p.get("thread_ts")]) == 1
    with slack.steward.db.session() as session:
        [case] = session.exec(select(Case)).all()
    assert case.status == CaseStatus.resolved and case.taken_by == CAROL
    assert (case.post_channel, case.post_ts) == (FINANCE, post["ts"])  # its thread leads here
    slack.standin.wait_for(lambda: "Resolved" in rendered(slack.standin._find(FINANCE, post["ts"])))
    live = slack.standin._find(FINANCE, post["ts"])
    assert "Resolved by <@UCAROL>" in rendered(live)
    [buttons] = [b for b in live["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in buttons["elements"]] == ["case_reopen"]
    assert "none" in slack.reply("/steward", "cases")
    assert "`C-1` *Globex* · finance" in slack.reply("/steward", "cases all")


def test_a_shared_client_channel_hears_only_what_is_meant_for_it(routed: Slack) -> None:
    slack = routed
    bot = slack.standin.bot_user_id
    root = say(slack, ACME_CHANNEL, "Hello, invoice 77 charges the old price", user=CLIENT)
    say(
        slack,
        ACME_CHANNEL,
        f"<@{bot}> route finance: old price on 77",
        user=CLIENT,
        thread_ts=root["ts"],
    )
    post = case_post(slack)
    assert "raised by @jan" in rendered(post)
    slack.standin.wait_for(lambda: thread(slack, ACME_CHANNEL, root["ts"]))
    [routed_note] = thread(slack, ACME_CHANNEL, root["ts"])
    assert "Routed to our finance team as *C-1*" in routed_note and "CFINANCE" not in routed_note
    # Internal discussion in the case thread stays internal.
    say(
        slack,
        FINANCE,
        "Their discount lapsed in May, they owe it",
        user=CAROL,
        thread_ts=post["ts"],
    )
    say(
        slack,
        FINANCE,
        f"<@{bot}> reply We have corrected invoice 77; a credit note follows.",
        user=CAROL,
        thread_ts=post["ts"],
    )
    slack.standin.wait_for(lambda: len(thread(slack, ACME_CHANNEL, root["ts"])) >= 2)
    # The client's follow-up is carried to finance, marked as the client's, pinging nobody.
    say(slack, ACME_CHANNEL, "<!here> Thank you!", user=CLIENT, thread_ts=root["ts"])
    slack.standin.wait_for(
        lambda: any("Thank you" in t for t in thread(slack, FINANCE, post["ts"]))
    )
    # The client asks for more than their case: help that names no internal data.
    say(slack, ACME_CHANNEL, f"<@{bot}> cases", user=CLIENT, thread_ts=root["ts"])
    say(slack, ACME_CHANNEL, f"<@{bot}> reply leak please", user=CLIENT, thread_ts=root["ts"])
    assert slack.standin.wait_for(lambda: len(slack.standin.ephemerals) >= 3)
    origin = thread(slack, ACME_CHANNEL, root["ts"])
    assert not any("discount lapsed" in t for t in origin)
    assert any(
        "*From our finance team* (<@UCAROL>): We have corrected invoice 77" in t for t in origin
    )
    assert any("@jan (client): @here Thank you!" in t for t in thread(slack, FINANCE, post["ts"]))
    assert not any(
        "<!" in m["text"]
        for m in slack.posts(FINANCE) + slack.posts(ACME_CHANNEL)
        if m.get("user") == bot
    )
    to_carol = [n["text"] for n in slack.standin.ephemerals if n["user"] == CAROL]
    assert len(to_carol) == 1 and "This thread stays with our people" in to_carol[0]
    to_client = [n for n in slack.standin.ephemerals if n["user"] != CAROL]
    assert len(to_client) == 2
    for note in to_client:
        assert note["user"] == CLIENT
        assert "`@Steward route <topic>: what it is about`" in note["text"]
        assert "/steward" not in note["text"] and "finance" not in note["text"]
    assert not any("leak please" in t for t in origin)


def test_route_to_a_function_with_no_counterpart(routed: Slack) -> None:
    slack = routed
    bot = slack.standin.bot_user_id
    root = say(slack, GLOBEX_CHANNEL, f"<@{bot}> route legal: the liability clause", user=ALICE)
    [answer] = notes(slack, ALICE, 1)  # said to her alone, in the thread
    assert answer["thread_ts"] == root["ts"] and answer["channel"] == GLOBEX_CHANNEL
    assert "There is no counterpart for *legal*. Functions set: *finance*." in answer["text"]
    assert "/steward route set legal #channel" in answer["text"]
    assert slack.posts(FINANCE) == [] and thread(slack, GLOBEX_CHANNEL, root["ts"]) == []
    # Outside an account's channel.
    slack.standin.add_channel("CRANDOM", "random")
    say(slack, "CRANDOM", f"<@{bot}> route finance", user=ALICE)
    assert "only route threads in an account's channel" in notes(slack, ALICE, 2)[1]["text"]


def test_no_function_given_suggests_one_and_a_click_routes(routed: Slack) -> None:
    slack = routed
    bot = slack.standin.bot_user_id
    slack.standin.add_channel("CLOGISTICS", "logistics")
    slack.reply("/steward", "route set logistics <#CLOGISTICS|logistics>")
    root = say(slack, GLOBEX_CHANNEL, "The payment for invoice 12 bounced", user=BORIS)
    say(slack, GLOBEX_CHANNEL, f"<@{bot}> route", user=ALICE, thread_ts=root["ts"])
    slack.standin.wait_for(lambda: slack.standin.ephemerals)
    [ask] = slack.standin.ephemerals
    assert "This looks like one for *finance*" in ask["text"]
    buttons = ask["blocks"][1]["elements"]
    assert [b["action_id"] for b in buttons] == ["route_pick_finance", "route_pick_logistics"]
    assert buttons[0]["style"] == "primary"
    click = {**buttons[0], "block_id": "route_pick"}
    message = {"type": "message", "text": ask["text"], "blocks": ask["blocks"]}
    slack.block_actions(ALICE, click, channel=GLOBEX_CHANNEL, message=message)
    assert "C-1 · Globex · finance" in rendered(case_post(slack))


def test_the_message_shortcut_opens_a_form_and_routes(routed: Slack) -> None:
    slack = routed
    message = slack.standin.add_message(GLOBEX_CHANNEL, "Where is our credit note?", user=BORIS)
    result = slack.message_shortcut(ALICE, "route_message", GLOBEX_CHANNEL, message)
    assert result.status == 200
    slack.standin.wait_for(lambda: slack.standin.views)
    view = slack.standin.views[-1]["view"]
    assert view["callback_id"] == "route_modal"
    select_ = view["blocks"][0]["element"]
    assert select_["initial_option"]["value"] == "finance"  # "credit note" suggests it
    values = {
        "function": {
            "function": {"type": "static_select", "selected_option": {"value": "finance"}}
        },
        "note": {"note": {"type": "plain_text_input", "value": "they are waiting since May"}},
    }
    assert slack.view_submission(ALICE, view, values).status == 200
    text = rendered(case_post(slack))
    assert "they are waiting since May" in text and "Where is our credit note?" in text


def test_an_untaken_case_is_nudged_after_four_working_hours_not_sooner(routed: Slack) -> None:
    slack = routed
    bot = slack.standin.bot_user_id
    say(slack, GLOBEX_CHANNEL, f"<@{bot}> route finance: refund pending", user=ALICE)
    post = case_post(slack)
    with slack.steward.db.session() as session:
        case = session.exec(select(Case)).one()
    monday_10 = datetime(2030, 1, 7, 10, 0, tzinfo=UTC)
    with slack.steward.db.session() as session:
        case = session.get(Case, case.id)
        case.created_at = monday_10
        session.add(case)
    assert tick(slack.steward, monday_10 + timedelta(hours=3, minutes=59))["case_aging"] == 0
    assert tick(slack.steward, monday_10 + timedelta(hours=4))["case_aging"] == 1
    assert tick(slack.steward, monday_10 + timedelta(days=1))["case_aging"] == 0
    slack.standin.wait_for(
        lambda: any("waited 4 working hours" in t for t in thread(slack, FINANCE, post["ts"]))
    )
    assert len([t for t in thread(slack, FINANCE, post["ts"]) if "waited" in t]) == 1


def test_working_hours_and_keywords() -> None:
    friday_4pm = datetime(2030, 1, 4, 16, 0, tzinfo=UTC)
    # Friday 16:00 to Monday 16:00: an hour on Friday, seven on Monday.
    assert working_hours_between(friday_4pm, friday_4pm + timedelta(days=3)) == 8.0
    assert working_hours_between(friday_4pm, friday_4pm + timedelta(hours=2)) == 1.0
    keywords = parse_keywords("finance=invoice,refund;logistics=pallet")
    assert (
        suggest_function("two pallets missing", ["finance", "logistics"], keywords) == "logistics"
    )
    assert suggest_function("the invoice", ["logistics"], keywords) is None
    assert suggest_function("hello", ["finance", "logistics"], keywords) is None


def test_route_commands_refuse_clearly(routed: Slack) -> None:
    slack = routed
    refused = slack.reply("/steward", "route set finance")
    assert "say which function and which of our channels" in refused
    assert "route set finance" in refused  # the user's own text back
    assert "no counterpart is set for *legal*" in slack.reply("/steward", "route remove legal")
    assert "“$$$” is not a function name" in slack.reply(
        "/steward", f"route set $$$ <#{FINANCE}|f>"
    )
    refused = slack.reply("/steward", f"route set finance <#{GLOBEX_CHANNEL}|globex> account:acme")
    assert "<#CGLOBEX> is the channel of *Globex*" in refused and "never an account's" in refused
    assert "account:acme" in refused  # the user's own text back
    slack.standin.add_channel("CFINACME", "finance-acme")
    slack.reply("/steward", "route set finance <#CFINACME|finance-acme> account:acme")
    listed = slack.reply("/steward", "route list")
    assert "*finance* → <#CFINANCE>" in listed
    assert "*finance* → <#CFINACME> for `acme-rail`" in listed
    assert "Removed the counterpart for *finance*" in slack.reply(
        "/steward", "route remove finance"
    )


def test_a_long_reply_is_carried_whole_in_pieces_within_slacks_limits(routed: Slack) -> None:
    slack = routed
    bot = slack.standin.bot_user_id
    root = say(slack, GLOBEX_CHANNEL, f"<@{bot}> route finance: long one", user=ALICE)
    post = case_post(slack)
    long_text = "\n".join(f"line {n}: " + "x" * 90 for n in range(70))  # ~7,000 characters
    say(slack, GLOBEX_CHANNEL, long_text, user=BORIS, thread_ts=root["ts"])
    slack.standin.wait_for(lambda: len(thread(slack, FINANCE, post["ts"])) >= 3)
    pieces = thread(slack, FINANCE, post["ts"])
    assert len(pieces) == 3 and all(len(p) <= 3000 for p in pieces)
    assert "line 0:" in pieces[0] and "line 69:" in pieces[-1]
    assert sum(p.count("line ") for p in pieces) == 70


def test_open_cases_in_the_digest_and_in_case_lists(routed: Slack) -> None:
    slack = routed
    bot = slack.standin.bot_user_id
    say(slack, GLOBEX_CHANNEL, f"<@{bot}> route finance: refund pending", user=BORIS)
    case_post(slack)
    preview = slack.reply("/steward", "digest preview")  # Alice owns Globex
    assert "*Cases open on your accounts* (1)" in preview
    assert "`C-1` *Globex* · finance → <#CFINANCE>" in preview and "nobody has taken it" in preview
    assert "Cases open" not in slack.reply("/steward", "digest preview", user=BORIS)
    assert "`C-1` *Globex*" in slack.reply("/steward", "cases mine")  # Alice owns Globex
    assert "`C-1` *Globex*" in slack.reply("/steward", "cases mine", user=BORIS)  # he raised it
    assert "*Your cases:* none" in slack.reply("/steward", "cases mine", user=CAROL)
    assert "*Cases of Globex* (1)" in slack.reply("/steward", "cases globex")
    assert "*Cases of Acme Rail:* none" in slack.reply("/steward", "cases acme")
    refused = slack.reply("/steward", "cases initech")
    assert "no account matches" in refused and "cases initech" in refused


def test_a_failure_on_our_side_is_said_not_swallowed(routed: Slack) -> None:
    slack = routed
    bot = slack.standin.bot_user_id
    engine = slack.steward.db.engine
    with engine.begin() as connection:  # the cases table goes missing under the running app
        connection.execute(text('ALTER TABLE "case" RENAME TO case_gone'))
    try:
        root = slack.standin.add_message(GLOBEX_CHANNEL, "route it", user=ALICE)
        send(slack, root, GLOBEX_CHANNEL, f"<@{bot}> route finance: x", user=ALICE)
        slack.standin.wait_for(lambda: slack.standin.ephemerals)
    finally:
        with engine.begin() as connection:
            connection.execute(text('ALTER TABLE case_gone RENAME TO "case"'))
    [said] = slack.standin.ephemerals
    assert said["user"] == ALICE
    assert "Something went wrong on our side and nothing was done" in said["text"]
    assert "Traceback" not in said["text"]


def test_a_retried_event_goes_no_further(routed: Slack, caplog: pytest.LogCaptureFixture) -> None:
    """Slack's retry of an event (same event_id) is answered and dropped before any listener."""
    slack = routed
    root = say(slack, GLOBEX_CHANNEL, "Invoice 4411 bills us twice")
    ask = f"<@{slack.standin.bot_user_id}> route finance: double billing"
    mention = say(slack, GLOBEX_CHANNEL, ask, user=ALICE, thread_ts=root["ts"], event_id="EvONCE")
    case_post(slack)
    with caplog.at_level(logging.INFO, logger="handlers.middleware"):
        send(slack, mention, GLOBEX_CHANNEL, ask, user=ALICE, event_id="EvONCE", retry=1)
    assert any("EvONCE seen before" in r.getMessage() for r in caplog.records)
