"""The trust boundary, end to end over HTTP: only our people act, and nothing internal reaches a
client or another account. Each test attacks as someone of the client's organisation would, or
as a channel that changes standing under a live case."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.blocks import rendered
from bot.gateway import STANDING_TTL
from bot.models import (
    Account,
    Audience,
    Case,
    Contact,
    Interaction,
    NudgeLedger,
    OutboxMessage,
    OutboxStatus,
    Promise,
    Route,
    Snooze,
)
from bot.outbox import enqueue
from handlers.events.mentions import HELP_CLIENT
from handlers.guard import CLIENT_LINE
from tests.conftest import ACME_CHANNEL, ALICE, CAROL, GLOBEX_CHANNEL, Slack
from tests.test_routing import CLIENT, FINANCE, case_post, notes, say, thread

BUSINESS = (Account, Contact, Interaction, Promise, Route, Case, Snooze, NudgeLedger, OutboxMessage)
SECRET = "CFO says budget cut 30%"


@pytest.fixture
def world(slack: Slack) -> Slack:
    """Globex (internal channel) and Acme Rail (shared with the client, whose Jan is in it);
    a confidential contact at Globex, a promise to Acme, finance routed to #finance, and a case
    from a Globex thread."""
    slack.standin.add_channel(FINANCE, "finance")
    slack.standin.add_user(CLIENT, "jan", real_name="Jan Client", team_id="TCLIENT")
    slack.reply("/steward", f"account add Globex <#{GLOBEX_CHANNEL}|globex>")
    slack.reply("/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail>")
    slack.reply("/logcontact", f"globex call: {SECRET}")
    slack.reply("/promise", "acme send the revised quote by friday")
    slack.reply("/steward", f"route set finance <#{FINANCE}|finance>")
    root = say(slack, GLOBEX_CHANNEL, "Invoice 9 is wrong", user=ALICE)
    say(slack, GLOBEX_CHANNEL, "<@UBOT> route finance: invoice 9", user=ALICE, thread_ts=root["ts"])
    case_post(slack)
    assert slack.settle()
    return slack


def snapshot(slack: Slack) -> dict[str, Any]:
    """Every business record, and everything Steward has posted, edited or opened."""
    with slack.steward.db.session() as session:
        rows = {
            model.__name__: [
                r.model_dump(exclude={"client_spoke_at"})  # when they last wrote: noted by design
                for r in session.exec(  # by key: PostgreSQL returns a row it rewrote last
                    select(model).order_by(*model.__table__.primary_key.columns)
                ).all()
            ]
            for model in BUSINESS
        }
    standin = slack.standin
    return {
        "rows": rows,
        "posted": [
            (m["channel"], m["ts"], m.get("text"), m.get("edited"))
            for m in standin.messages
            if m.get("user") == standin.bot_user_id
        ],
        "views": len(standin.views),
    }


def answers(slack: Slack, since: tuple[int, int] = (0, 0)) -> list[tuple[str | None, str]]:
    """Everything shown to one person alone since `since` (see `counts`): (who, text) of
    ephemerals, and (None, text) of answers through a request's response_url (seen by the
    person who sent the request)."""
    shown: list[tuple[str | None, str]] = [
        (e["user"], e["text"]) for e in slack.standin.ephemerals[since[0] :]
    ]
    return shown + [(None, rendered(r["payload"])) for r in slack.standin.responses[since[1] :]]


def counts(slack: Slack) -> tuple[int, int]:
    return len(slack.standin.ephemerals), len(slack.standin.responses)


def as_client(slack: Slack) -> list[Callable[[], None]]:
    """Every way Jan could try to act: each a function sending one signed request."""
    bot = slack.standin.bot_user_id
    with slack.steward.db.session() as session:
        case = session.exec(select(Case)).one()
    case_root = case_post(slack)
    digest_like = {"type": "message", "ts": case_root["ts"], "text": "x"}
    counter = iter(range(1000))

    def command(name: str, text: str) -> Callable[[], None]:
        def send() -> None:
            key = f"jan-{next(counter)}"
            slack.command(
                name,
                text,
                user=CLIENT,
                channel=ACME_CHANNEL,
                response_url=slack.standin.response_url(key),
            )

        return send

    def click(action: dict[str, Any], channel: str = ACME_CHANNEL) -> Callable[[], None]:
        return lambda: slack.block_actions(
            CLIENT,
            action,
            channel=channel,
            message=digest_like,
            response_key=f"jan-{next(counter)}",
        )

    def submit(callback_id: str, values: dict[str, Any]) -> Callable[[], None]:
        meta = {"channel_id": ACME_CHANNEL, "response_url": slack.standin.response_url("jan-form")}
        view = {
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": json.dumps(meta),
            "blocks": [],
        }
        return lambda: slack.view_submission(CLIENT, view, values)

    def mention(text: str) -> Callable[[], None]:
        return lambda: say(slack, ACME_CHANNEL, f"<@{bot}> {text}", user=CLIENT)

    def in_case_thread(text: str) -> Callable[[], None]:
        return lambda: say(
            slack, FINANCE, f"<@{bot}> {text}", user=CLIENT, thread_ts=case_root["ts"]
        )

    typed = [
        ("/steward", "account show globex"),
        ("/steward", "account list"),
        ("/steward", "account add Initech #acme-rail"),
        ("/steward", f"account set acme owner:<@{CLIENT}>"),
        ("/steward", "account set acme stage:strategic"),
        ("/steward", f"route set finance <#{ACME_CHANNEL}|acme-rail>"),
        ("/steward", "route list"),
        ("/steward", "route remove finance"),
        ("/steward", "cases all"),
        ("/steward", "digest preview"),
        ("/steward", "help"),
        ("/steward", ""),
        ("/logcontact", "acme call: we are unhappy"),
        ("/logcontact", ""),
        ("/promise", "acme a discount by friday"),
        ("/promise", "done P-1"),
        ("/promise", "cancel P-1"),
        ("/promise", "due P-1 next friday"),
        ("/promise", "list"),
        ("/promise", ""),
    ]
    value = json.dumps({"kind": "promise", "id": 1, "day": "2030-01-01"})
    buttons = [
        {"type": "button", "action_id": "digest_kept", "block_id": "promise-1", "value": value},
        {
            "type": "button",
            "action_id": "digest_snooze_day",
            "block_id": "promise-1",
            "value": value,
        },
        {
            "type": "button",
            "action_id": "digest_snooze_week",
            "block_id": "account-1",
            "value": value,
        },
        {
            "type": "datepicker",
            "action_id": "digest_due",
            "block_id": "promise-1",
            "selected_date": "2030-02-01",
        },
        {"type": "button", "action_id": "digest_log", "block_id": "account-1", "value": value},
        {
            "type": "button",
            "action_id": "case_take",
            "block_id": f"case-{case.id}",
            "value": str(case.id),
        },
        {
            "type": "button",
            "action_id": "case_resolve",
            "block_id": f"case-{case.id}",
            "value": str(case.id),
        },
        {
            "type": "button",
            "action_id": "case_reopen",
            "block_id": f"case-{case.id}",
            "value": str(case.id),
        },
        {
            "type": "button",
            "action_id": "route_pick_finance",
            "block_id": "route_pick",
            "value": f"{case_root['ts']}|x",
        },
    ]
    account = {"account_select": {"type": "external_select", "selected_option": {"value": "1"}}}
    forms = [
        submit(
            "logcontact_modal",
            {
                "account": account,
                "kind": {"kind": {"type": "static_select", "selected_option": {"value": "call"}}},
                "summary": {"summary": {"type": "plain_text_input", "value": "forged"}},
            },
        ),
        submit(
            "promise_modal",
            {
                "account": account,
                "what": {"what": {"type": "plain_text_input", "value": "forged"}},
                "due": {"due": {"type": "datepicker", "selected_date": "2099-01-01"}},
                "owner": {"owner": {"type": "users_select", "selected_user": CLIENT}},
            },
        ),
        submit(
            "route_modal",
            {
                "function": {
                    "function": {"type": "static_select", "selected_option": {"value": "finance"}}
                }
            },
        ),
    ]
    return [
        *(command(name, text) for name, text in typed),
        *(click(b) for b in buttons),
        *forms,
        lambda: slack.message_shortcut(CLIENT, "route_message", ACME_CHANNEL, digest_like),
        mention("resolve"),
        mention("reopen"),
        mention("cases"),
        mention("reply leak please"),
        in_case_thread("resolve done"),
        in_case_thread("reply hello"),
    ]


@pytest.mark.parametrize("claimed", ["their team", "our team"])
def test_someone_at_the_client_can_change_or_read_nothing(world: Slack, claimed: str) -> None:
    slack = world
    if claimed == "our team":  # the payload names our workspace; users.info says otherwise
        slack.claims[CLIENT] = slack.team_id
    before, answered = snapshot(slack), counts(slack)
    attempts = as_client(slack)
    for attempt in attempts:
        attempt()
    assert slack.settle()
    # Nothing stored, changed, posted, edited or opened.
    assert snapshot(slack) == before
    # Each attempt got one line, to Jan alone (his ephemerals, or his requests' response_url),
    # naming nothing internal.
    new = answers(slack, answered)
    assert all(who in (CLIENT, None) for who, _ in new), new
    seen = [text for _, text in new]
    assert len(seen) == len(attempts), seen
    internal = (
        "Globex",
        "globex",
        "Acme",
        "finance",
        "P-1",
        "C-1",
        SECRET,
        "/steward",
        "<#",
        "<@U",
    )
    for line in seen:
        assert line in (CLIENT_LINE, HELP_CLIENT), line
        assert not any(word in line.replace("@Steward route <topic>", "") for word in internal)
    options = slack.block_suggestion(CLIENT, "account_select", "", {"id": "V1"})
    assert options.json() == {"options": []}  # the account picker names no account to them


def test_routes_to_shared_or_account_channels_are_refused(world: Slack) -> None:
    slack = world
    slack.standin.add_channel("CPARTNER", "with-partner", is_ext_shared=True)
    shared = slack.reply("/steward", "route set legal <#CPARTNER|with-partner>")
    assert "is shared with another organisation" in shared and "route set legal" in shared
    acme = slack.reply("/steward", f"route set legal <#{ACME_CHANNEL}|acme-rail>")
    assert "is the channel of *Acme Rail*" in acme
    other = slack.reply("/steward", f"route set legal <#{GLOBEX_CHANNEL}|globex>")
    assert "is the channel of *Globex*" in other
    # A team channel set as a route, later made Globex's internal channel: a case from Acme's
    # thread must not land there.
    slack.standin.add_channel("CLEGAL", "legal")
    assert "now goes to <#CLEGAL>" in slack.reply("/steward", "route set legal <#CLEGAL|legal>")
    assert "internal channel <#CLEGAL>" in slack.reply(
        "/steward", "account set globex internal:<#CLEGAL|legal>"
    )
    root = say(slack, ACME_CHANNEL, "<@UBOT> route legal: the liability clause", user=ALICE)
    assert slack.settle()
    to_alice = [e for e in slack.standin.ephemerals if e["user"] == ALICE]
    [refused] = [n for n in to_alice if n["thread_ts"] == root["ts"]] or [to_alice]
    assert "I can't open a case there" in refused["text"]
    assert "another account's channel" in refused["text"]
    # Jan asks the same: he is thanked, and the owner hears what went wrong.
    say(slack, ACME_CHANNEL, "<@UBOT> route legal: clause 7", user=CLIENT, thread_ts=root["ts"])
    assert slack.settle()
    assert slack.posts("CLEGAL") == []
    [thanks] = [e["text"] for e in slack.standin.ephemerals if e["user"] == CLIENT]
    assert thanks.startswith("Thank you. I've passed this") and "legal" not in thanks
    [owner_dm] = slack.posts("DUALICE")
    assert (
        "(client) asked me to route" in owner_dm["text"]
        and "another account's channel" in owner_dm["text"]
    )
    # The exit refuses it even when asked directly: held, and the person told.
    with slack.steward.db.session() as session:
        acme = session.exec(select(Account).where(Account.slug == "acme-rail")).one()
        enqueue(
            session,
            key="probe",
            channel="CLEGAL",
            text="Acme's note",
            now=slack.steward.clock.now(),
            audience=Audience.internal,
            account_id=acme.id,
            caused_by=CAROL,
        )
    slack.steward.outbox.notify()
    assert slack.settle()
    assert slack.posts("CLEGAL") == []
    assert status(slack, "probe") == OutboxStatus.held
    [told] = slack.posts("DUCAROL")
    assert "I held back a message for <#CLEGAL>: it is another account's channel" in told["text"]


def status(slack: Slack, key: str) -> str:
    with slack.steward.db.session() as session:
        return session.exec(select(OutboxMessage.status).where(OutboxMessage.key == key)).one()


@pytest.mark.parametrize("how", ["channel_shared event", "stale, no event"])
def test_a_channel_shared_under_a_live_case_hears_nothing_internal(world: Slack, how: str) -> None:
    slack = world
    post = case_post(slack)
    [root_ts] = {m["thread_ts"] for m in slack.posts(GLOBEX_CHANNEL) if m.get("thread_ts")}
    say(slack, FINANCE, "Checking with billing", user=CAROL, thread_ts=post["ts"])
    assert slack.settle()
    assert thread(slack, GLOBEX_CHANNEL, root_ts)[-1] == "@carol: Checking with billing"
    # Carol writes while Globex is internal; before it is delivered, Globex is shared.
    slack.steward.outbox.stop()
    say(slack, FINANCE, "They owe us 4,000 from May", user=CAROL, thread_ts=post["ts"])
    assert slack.listeners.wait_idle(5)
    slack.share(GLOBEX_CHANNEL, event=how == "channel_shared event")
    assert slack.listeners.wait_idle(5)
    if how == "stale, no event":
        slack.steward.clock.offset += STANDING_TTL * 2  # our record of Globex is old now
    assert slack.steward.outbox.drain(timeout=10)
    assert not any("4,000" in t for t in thread(slack, GLOBEX_CHANNEL, root_ts))
    [told] = [m["text"] for m in slack.posts("DUCAROL")]
    assert "I held back a message for <#CGLOBEX>" in told and "They owe us 4,000" in told
    # From now on, what is said in the case thread stays there; she is told so once.
    slack.steward.outbox.start()
    say(slack, FINANCE, "And the VAT is ours too", user=CAROL, thread_ts=post["ts"])
    say(slack, FINANCE, "Really", user=CAROL, thread_ts=post["ts"])
    say(
        slack,
        FINANCE,
        "<@UBOT> resolve credited 4,000 reply: We have credited you.",
        user=CAROL,
        thread_ts=post["ts"],
    )
    assert slack.settle()
    origin = thread(slack, GLOBEX_CHANNEL, root_ts)
    assert not any("VAT" in t or "Really" in t or "4,000" in t for t in origin)
    assert origin[-2:] == [
        ":white_check_mark: *C-1 is resolved.* Thank you for raising it; write here if "
        "anything is still open.",
        "*From our finance team* (<@UCAROL>): We have credited you.",
    ]
    kept = [n["text"] for n in notes(slack, CAROL, 1)]
    assert len(kept) == 1 and "This thread stays with our people" in kept[0]
    assert "credited 4,000" in "\n".join(thread(slack, FINANCE, post["ts"]))


def test_client_text_quoted_on_our_side_pings_nobody(world: Slack) -> None:
    slack = world
    loud = "<!channel> <!here> <!everyone> <!subteam^S0FIN|@finance-team> <@UALICE> pay us now"
    root = say(slack, ACME_CHANNEL, loud, user=CLIENT)
    say(
        slack,
        ACME_CHANNEL,
        f"<@UBOT> route finance: <!here> see <@{CAROL}>",
        user=CLIENT,
        thread_ts=root["ts"],
    )
    assert slack.settle()
    posts = [p for p in slack.posts(FINANCE) if "Acme Rail" in p["text"]]
    [card] = posts
    say(slack, ACME_CHANNEL, f"{loud} again", user=CLIENT, thread_ts=root["ts"])
    assert slack.settle()
    carried = [p for p in slack.posts(FINANCE) if p.get("thread_ts") == card["ts"]]
    assert carried
    for message in [card, *carried]:
        text = json.dumps({"text": message["text"], "blocks": message.get("blocks")})
        assert "<!" not in text and "<@U" not in text, text
    card_text = rendered(card)
    assert "@channel @here @everyone @finance-team @alice pay us now" in card_text
    assert "> @here see @carol" in card_text
    assert (
        "@jan (client): @channel @here @everyone @finance-team @alice pay us now again"
        in rendered(carried[-1])
    )


def test_a_resolved_case_reopens_and_a_late_client_message_is_not_lost(world: Slack) -> None:
    slack = world
    root = say(slack, ACME_CHANNEL, "Where is the credit note?", user=CLIENT)
    say(
        slack, ACME_CHANNEL, "<@UBOT> route finance: credit note", user=CLIENT, thread_ts=root["ts"]
    )
    assert slack.settle()
    card = next(p for p in slack.posts(FINANCE) if "Acme Rail" in p["text"])
    say(slack, FINANCE, "<@UBOT> resolve sent by post", user=CAROL, thread_ts=card["ts"])
    assert slack.settle()
    say(slack, ACME_CHANNEL, "It never arrived", user=CLIENT, thread_ts=root["ts"])
    assert slack.settle()
    late = [p for p in slack.posts(FINANCE) if p.get("thread_ts") == card["ts"]][-1]
    assert "After C-2 was resolved" in rendered(late) and "It never arrived" in rendered(late)
    [reopen] = late["blocks"][-1]["elements"]
    assert reopen["action_id"] == "case_reopen"
    # Jan cannot press it; Carol can.
    slack.block_actions(
        CLIENT,
        {**reopen, "block_id": "x"},
        channel=FINANCE,
        message=late,
        response_key="jan-reopen",
    )
    assert slack.settle()
    with slack.steward.db.session() as session:
        assert session.get(Case, 2).status == "resolved"
    slack.block_actions(
        CAROL,
        {**reopen, "block_id": "x"},
        channel=FINANCE,
        message=late,
        response_key="carol-reopen",
    )
    assert slack.settle()
    assert "C-2 is open again." in slack.response_text("carol-reopen")
    with slack.steward.db.session() as session:
        assert session.get(Case, 2).status == "open"
    assert thread(slack, ACME_CHANNEL, root["ts"])[-1].startswith(
        ":arrows_counterclockwise: *C-2 is open again*"
    )
    # Resolved again, the thread can be routed anew: a new case.
    say(slack, FINANCE, "<@UBOT> resolve resent", user=CAROL, thread_ts=card["ts"])
    assert slack.settle()
    say(
        slack,
        ACME_CHANNEL,
        "<@UBOT> route finance: still missing",
        user=CLIENT,
        thread_ts=root["ts"],
    )
    assert slack.settle()
    with slack.steward.db.session() as session:
        assert session.exec(select(func.count()).select_from(Case)).one() == 3


def test_promises_in_shared_channels_say_so_and_can_stay_internal(world: Slack) -> None:
    slack = world
    said = slack.reply("/promise", "acme send the contract by friday", channel=ACME_CHANNEL)
    assert (
        "Confirmation posted in <#CACME> — shared with the client: Acme Rail's people can read it"
        in said
    )
    internal = slack.reply("/promise", "internal acme check their credit limit by friday")
    assert "Confirmation sent to <@UALICE> by DM (internal)" in internal
    assert slack.settle()
    assert not any("credit limit" in m["text"] for m in slack.posts(ACME_CHANNEL))
    assert any("credit limit" in m["text"] for m in slack.posts("DUALICE"))
    slack.standin.add_channel("CACMETEAM", "acme-team")
    assert "internal channel <#CACMETEAM>" in slack.reply(
        "/steward", "account set acme internal:<#CACMETEAM|acme-team>"
    )
    refused = slack.reply("/steward", f"account set globex internal:<#{ACME_CHANNEL}|acme-rail>")
    assert "cannot hold internal notes" in refused
    slack.reply("/promise", "acme renegotiate the margin by friday <@UBORIS> internal")
    assert slack.settle()
    assert any("renegotiate the margin" in m["text"] for m in slack.posts("CACMETEAM"))
    assert not any("renegotiate" in m["text"] for m in slack.posts(ACME_CHANNEL))
    # Someone else closes Boris's promise: he hears it; the thread notes it where it lives.
    assert "marked kept" in slack.reply("/promise", "done P-4")
    assert "cancelled" in slack.reply("/promise", "cancel P-1 they changed their mind")
    assert slack.settle()
    [to_boris] = [m["text"] for m in slack.posts("DUBORIS")]
    assert "<@UALICE> marked your promise P-4 kept" in to_boris
    notes_in_acme = [m["text"] for m in slack.posts(ACME_CHANNEL) if m.get("thread_ts")]
    assert ":no_entry_sign: P-1 cancelled." in notes_in_acme
    assert not any("changed their mind" in t for t in notes_in_acme)
    # Owners are our people.
    owner = slack.reply("/promise", f"acme call back by friday <@{CLIENT}>")
    assert "is not of our organisation; a promise's owner must be one of our people" in owner


def test_only_the_gateway_sends_messages() -> None:
    """One exit: no other module posts, edits, whispers or opens a form itself."""
    sending = re.compile(r"\.(chat_postMessage|chat_update|chat_postEphemeral|views_open)\(")
    root = Path(__file__).resolve().parent.parent
    modules = [
        p for folder in ("bot", "handlers", "scheduler") for p in (root / folder).rglob("*.py")
    ]
    offenders = [
        str(p.relative_to(root))
        for p in modules
        if p.name != "gateway.py" and sending.search(p.read_text(encoding="utf-8"))
    ]
    assert len(modules) > 20 and offenders == []
