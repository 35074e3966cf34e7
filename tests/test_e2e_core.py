"""The core over Slack's real wire: signed HTTP requests to the real app, a stand-in Web API."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.blocks import rendered
from bot.models import Account, Contact, Interaction, Promise
from tests.conftest import ACME_CHANNEL, ALICE, BORIS, GENERAL, GLOBEX_CHANNEL, Slack


def today_in(tz: str):
    return datetime.now(UTC).astimezone(ZoneInfo(tz)).date()


def add_acme(slack: Slack) -> None:
    text = slack.reply(
        "/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail> tier:strategic"
    )
    assert "Added *Acme Rail* as `acme-rail`" in text


def rows(slack: Slack, model: type) -> list:
    with slack.steward.db.session() as session:
        return list(session.exec(select(model)).all())


def test_healthz_and_unknown_path(slack: Slack) -> None:
    import urllib.request

    with urllib.request.urlopen(slack.url + "/healthz") as response:
        assert response.status == 200
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(slack.url + "/nope")
    assert error.value.code == 404


def test_account_add_list_show_set(slack: Slack) -> None:
    add_acme(slack)
    text = slack.reply("/steward", f"account add Globex Corp <@{BORIS}|boris>")
    assert "`globex-corp`" in text and f"<@{BORIS}>" in text and "tier standard" in text

    listing = slack.reply("/steward", "account list")
    assert "acme-rail" in listing and "globex-corp" in listing

    changed = slack.reply(
        "/steward", "account set acme stage:cooperating silence:10d owner:<@UBORIS|boris>"
    )
    assert "stage cooperating" in changed and "silence threshold 10 days" in changed

    card = slack.reply("/steward", "account show ACME RAIL")
    assert "Acme Rail" in card and "cooperating" in card and f"<@{BORIS}>" in card
    assert "10 days" in card and "none logged yet" in card
    [account] = [a for a in rows(slack, Account) if a.slug == "acme-rail"]
    assert (account.owner_id, account.tier, account.channel_id) == (
        BORIS,
        "strategic",
        ACME_CHANNEL,
    )


def test_account_refusals_name_the_problem_and_give_the_text_back(slack: Slack) -> None:
    add_acme(slack)
    again = slack.reply("/steward", "account add acme rail")
    assert "already exists" in again and "account add acme rail" in again
    bad_tier = slack.reply("/steward", "account add Initech tier:gold")
    assert "tier must be one of strategic, key, standard" in bad_tier and "tier:gold" in bad_tier
    bad_stage = slack.reply("/steward", "account set acme stage:friendly")
    assert "stage must be one of rejecting" in bad_stage and "stage:friendly" in bad_stage
    bad_silence = slack.reply("/steward", "account set acme silence:forever")
    assert "1 to 365" in bad_silence
    typo = slack.reply("/steward", "account show acme-rial")
    assert "no account matches" in typo and "`acme-rail`" in typo
    unknown = slack.reply("/steward", "frobnicate")
    assert "I don't know `frobnicate`" in unknown and "/logcontact" in unknown
    assert len(rows(slack, Account)) == 1


def test_logcontact_stores_and_confirms_in_one_line(slack: Slack) -> None:
    add_acme(slack)
    text = slack.reply(
        "/logcontact", "acme call yesterday with Jan Kowalski: renewal &lt;Q1&gt; agreed"
    )
    assert "Logged call with Jan Kowalski (new contact) at *Acme Rail*, yesterday" in text
    assert "renewal &lt;Q1&gt; agreed" in text
    [interaction] = rows(slack, Interaction)
    assert interaction.kind == "call"
    assert interaction.occurred_on == today_in("Europe/Warsaw") - timedelta(days=1)
    # A known contact is matched in any case; in the account's channel the account is implied.
    text = slack.reply("/logcontact", "meeting with jan KOWALSKI: follow-up", channel=ACME_CHANNEL)
    assert "Logged meeting with Jan Kowalski at *Acme Rail*, today" in text
    assert len(rows(slack, Contact)) == 1
    card = slack.reply("/steward", "account show acme")
    assert "follow-up" in card and "Jan Kowalski" in card
    # There, the start of its own name still names it (and is not read as part of the date).
    text = slack.reply("/logcontact", "acme call yesterday: quick check", channel=ACME_CHANNEL)
    assert "Logged call at *Acme Rail*, yesterday" in text


def test_logcontact_uses_the_users_own_time_zone(slack: Slack) -> None:
    add_acme(slack)
    slack.reply("/logcontact", "acme email 2 days ago: sent the deck", user=BORIS)
    [interaction] = rows(slack, Interaction)
    assert interaction.occurred_on == today_in("America/New_York") - timedelta(days=2)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("acme call yesterday", "summary is missing"),
        ("acme call:   ", "summary is missing"),
        ("acmee call: hello", "no account matches “acmee”"),
        ("acme call tomorrow: hello", "is in the future"),
        ("acme phone yesterday: hello", "couldn't read “phone yesterday”"),
        ("acme call with <@UBORIS|boris>: hello", "not a mention"),
        ("acme call with : hello", "needs the person's name"),
        ("acme call: " + "x" * 3001, "3,001 characters"),
    ],
)
def test_logcontact_refusals(slack: Slack, typed: str, expected: str) -> None:
    add_acme(slack)
    text = slack.reply("/logcontact", typed)
    assert expected in text
    assert "Try:" in text and "/logcontact acme-rail call yesterday" in text
    assert typed.strip()[:2000] in text.replace("```", "")
    assert rows(slack, Interaction) == []


def test_ambiguous_account_lists_the_candidates(slack: Slack) -> None:
    slack.reply("/steward", "account add Acme Rail")
    slack.reply("/steward", "account add Acme Tools")
    text = slack.reply("/logcontact", "acme call: hi")
    assert "matches more than one account" in text
    assert "`acme-rail`" in text and "`acme-tools`" in text


def test_promise_recorded_and_confirmed_in_the_accounts_channel(slack: Slack) -> None:
    add_acme(slack)
    text = slack.reply("/promise", f"acme send the revised quote by 2099-01-15 <@{BORIS}|boris>")
    assert "*P-1* recorded for *Acme Rail*: send the revised quote" in text
    assert f"owner <@{BORIS}>" in text and "2099-01-15" in text
    [promise] = rows(slack, Promise)
    assert (promise.owner_id, promise.created_by, promise.status) == (BORIS, ALICE, "open")
    [posted] = slack.wait_posts(ACME_CHANNEL, 1)
    body = rendered(posted)
    assert "Promise P-1 to Acme Rail" in body and "send the revised quote" in body
    assert f"<@{BORIS}>" in body and "2099-01-15" in body
    assert slack.posts(GENERAL) == [] and slack.posts(GLOBEX_CHANNEL) == []


def test_promise_lifecycle_list_due_done_cancel(slack: Slack) -> None:
    add_acme(slack)
    slack.reply("/promise", "acme send the deck by 2099-01-10")
    slack.reply("/promise", "acme book the training by 2099-02-01", channel=ACME_CHANNEL)
    mine = slack.reply("/promise", "list")
    assert "acme book" not in mine  # `acme` named the channel's own account, not the promise
    assert "`P-1`" in mine and "`P-2`" in mine and "send the deck" in mine
    moved = slack.reply("/promise", "due P-1 2099-03-01")
    assert "now due" in moved and "was Sat 10 Jan 2099" in moved
    assert "marked kept" in slack.reply("/promise", "done p1")
    assert "cancelled" in slack.reply("/promise", "cancel 2 client changed plans")
    assert "none" in slack.reply("/promise", "list acme")
    statuses = {p.id: p.status for p in rows(slack, Promise)}
    assert statuses == {1: "kept", 2: "cancelled"}
    # The confirmation and its updates: the updates are replies in the confirmation's thread.
    posts = slack.wait_posts(ACME_CHANNEL, 4)
    root = next(p for p in posts if "Promise P-1" in rendered(p))
    thread = [p for p in posts if p.get("thread_ts") == root["ts"]]
    assert any("now due" in rendered(p) for p in thread)
    assert any("P-1 kept" in rendered(p) for p in thread)
    again = slack.reply("/promise", "done P-1")
    assert "already kept" in again


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("acme send the deck", "due date is missing"),
        ("acme send the deck by", "due date is missing"),
        ("acme send the deck by 2001-01-01", "has passed"),
        ("acme send the deck by someday", "couldn't read “someday”"),
        ("acme by friday", "say what was promised"),
        ("nosuch send the deck by friday", "no account matches “nosuch”"),
        ("acme send it by <@UBORIS> friday", "owner mention goes at the very end"),
        ("done P-99", "there is no promise P-99"),
        ("done banana", "not a promise id"),
        ("due P-1", "no promise P-1"),
    ],
)
def test_promise_refusals(slack: Slack, typed: str, expected: str) -> None:
    add_acme(slack)
    text = slack.reply("/promise", typed)
    assert expected in text and "Try:" in text
    assert typed in text.replace("```", "")
    assert rows(slack, Promise) == []


def test_odd_unicode_and_broadcast_mentions_are_kept_harmless(slack: Slack) -> None:
    text = slack.reply("/steward", "account add Zakłady Łódź — Ünïcødé 🚄")
    assert "`zaklady-lodz-unicode`" in text
    slack.reply("/steward", f"account set zakłady channel:<#{GLOBEX_CHANNEL}|globex>")
    slack.reply("/promise", "zakł warn <!channel> about the \u200bdelay by 2099-01-01")
    [posted] = slack.wait_posts(GLOBEX_CHANNEL, 1)
    assert "<!channel>" not in rendered(posted) and "@channel" in rendered(posted)
    text = slack.reply("/steward", "account add \u200b\u200b")
    assert "has no letters or digits" in text


def test_help_explains_every_command(slack: Slack) -> None:
    text = slack.reply("/steward", "help")
    for needle in ("/logcontact", "/promise list", "account add", "account set", "strategic"):
        assert needle in text
    assert "/promise list" in slack.reply("/promise", "help")


def test_bad_signature_and_stale_timestamp_get_401_and_change_nothing(slack: Slack) -> None:
    from urllib.parse import urlencode

    body = urlencode(
        {
            "command": "/steward",
            "text": "account add Evil",
            "team_id": slack.team_id,
            "user_id": ALICE,
            "channel_id": GENERAL,
            "response_url": slack.standin.response_url(),
        }
    ).encode()
    assert slack.post(body, signature="v0=" + "0" * 64).status == 401
    stale = int(time.time()) - 6 * 60
    assert slack.post(body, timestamp=stale).status == 401
    assert rows(slack, Account) == []
    assert slack.standin.responses == []


def test_data_survives_a_restart(database_url: str, standin) -> None:
    first = Slack(database_url, standin=standin)
    try:
        add_acme(first)
        first.reply("/promise", "acme send the deck by 2099-01-10")
    finally:
        first.close()
    second = Slack(database_url, standin=standin)
    try:
        assert "send the deck" in second.reply("/promise", "list acme")
        assert "P-2" in second.reply("/promise", "acme call them back by 2099-01-11")
    finally:
        second.close()


def test_ack_within_three_seconds_while_slack_answers_slowly(slack: Slack) -> None:
    add_acme(slack)
    slack.standin.latency = 1.5
    result, key = slack.command(
        "/logcontact", "acme call: slow day at Slack", user=BORIS, channel=GENERAL
    )
    assert result.status == 200 and result.elapsed < 3.0
    # users.info took 1.5 s after the ack; the reply still arrives, and the row was stored.
    assert "Logged call" in slack.response_text(key)
    assert len(rows(slack, Interaction)) == 1
    result, key = slack.command(
        "/promise", "acme send it by 2099-01-01", user=BORIS, channel=GENERAL
    )
    assert result.status == 200 and result.elapsed < 3.0
    assert "P-1" in slack.response_text(key)


def test_bare_commands_open_forms_and_submissions_store(slack: Slack) -> None:
    add_acme(slack)
    result, key = slack.command("/logcontact", "", user=ALICE, channel=ACME_CHANNEL)
    assert result.status == 200
    assert slack.standin.wait_for(lambda: len(slack.standin.views) == 1)
    view = slack.standin.views[0]["view"]
    assert view["callback_id"] == "logcontact_modal"
    account_block = next(b for b in view["blocks"] if b["block_id"] == "account")
    assert account_block["element"]["initial_option"]["value"] == "1"
    # The account picker answers options over HTTP.
    options = slack.block_suggestion(ALICE, "account_select", "acm", view).json()
    assert [o["value"] for o in options["options"]] == ["1"]

    def select(value: str) -> dict:
        return {"type": "static_select", "selected_option": {"value": value}}

    values = {
        "account": {
            "account_select": {"type": "external_select", "selected_option": {"value": "1"}}
        },
        "kind": {"kind": select("visit")},
        "day": {"day": {"type": "datepicker", "selected_date": None}},
        "person": {"person": {"type": "plain_text_input", "value": "Ewa Zielińska"}},
        "summary": {"summary": {"type": "plain_text_input", "value": "site visit <b>ok</b>"}},
    }
    future = dict(values, day={"day": {"type": "datepicker", "selected_date": "2099-01-01"}})
    refused = slack.view_submission(ALICE, view, future)
    assert refused.status == 200 and refused.json()["response_action"] == "errors"
    assert "future" in refused.json()["errors"]["day"]
    assert rows(slack, Interaction) == []

    assert slack.view_submission(ALICE, view, values).status == 200
    text = slack.response_text(key)
    assert "Logged visit with Ewa Zielińska (new contact) at *Acme Rail*, today" in text
    [interaction] = rows(slack, Interaction)
    assert interaction.summary == "site visit &lt;b&gt;ok&lt;/b&gt;"

    result, key = slack.command("/promise", "", user=ALICE, channel=GENERAL)
    assert slack.standin.wait_for(lambda: len(slack.standin.views) == 2)
    view = slack.standin.views[1]["view"]
    assert view["callback_id"] == "promise_modal"
    promise_values = {
        "account": values["account"],
        "what": {"what": {"type": "plain_text_input", "value": "ship the spare parts"}},
        "due": {"due": {"type": "datepicker", "selected_date": "2099-05-01"}},
        "owner": {"owner": {"type": "users_select", "selected_user": BORIS}},
    }
    assert slack.view_submission(ALICE, view, promise_values).status == 200
    assert "P-1" in slack.response_text(key)
    [promise] = rows(slack, Promise)
    assert (promise.what, promise.owner_id) == ("ship the spare parts", BORIS)
    assert "ship the spare parts" in rendered(slack.wait_posts(ACME_CHANNEL, 1)[0])
