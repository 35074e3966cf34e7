"""Edges found attacking the key-account features: every open digest kept true, a click that
may only rewrite its own digest, a client's click in the Home tab, and smaller ones."""

from __future__ import annotations

import copy
import time
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.blocks import rendered
from bot.digest.grammar import Button
from bot.models import OutboxMessage, Promise, PromiseStatus
from scheduler.jobs import tick
from tests.conftest import ALICE, BORIS, GENERAL, GLOBEX_CHANNEL, Slack
from tests.test_digest import _button, _first_digest

CLIENT = "UJAN"


def workday_at(hour: int) -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, 30, tzinfo=UTC)


def two_digests(slack: Slack) -> tuple[dict, dict]:
    """Alice owns Acme; Boris owns P-1 on it, 5 days overdue: both digests show P-1."""
    st = slack.steward
    slack.reply("/steward", "account add Acme Rail")
    slack.reply("/promise", f"acme send the deck by tomorrow <@{BORIS}|boris>")
    alice_at, boris_at = workday_at(8), workday_at(14)  # 09:30 Warsaw, 09:30 New York
    with st.db.session() as session:
        promise = session.get(Promise, 1)
        promise.due_on = alice_at.date() - timedelta(days=5)
        session.add(promise)
    st.clock.offset = alice_at - datetime.now(UTC)
    tick(st)
    alice = copy.deepcopy(_first_digest(slack, ALICE))
    st.clock.offset = boris_at - datetime.now(UTC)
    tick(st)
    boris = copy.deepcopy(_first_digest(slack, BORIS))
    assert "`P-1`" in rendered(alice) and "`P-1`" in rendered(boris)
    return alice, boris


def test_a_promise_kept_from_one_digest_leaves_every_digest(slack: Slack) -> None:
    alice, boris = two_digests(slack)
    kept = _button(boris, "promise-1", Button.kept)
    slack.block_actions(BORIS, kept, channel=boris["channel"], message=boris, response_key="k")
    assert "P-1 marked kept" in slack.response_text("k")

    def reads(message: dict) -> str:
        return rendered(slack.standin._find(message["channel"], message["ts"]))

    assert slack.standin.wait_for(lambda: "`P-1`" not in reads(boris))
    assert slack.standin.wait_for(lambda: "`P-1`" not in reads(alice))  # hers too


def test_a_click_rewrites_only_the_persons_own_digest(slack: Slack) -> None:
    alice, _ = two_digests(slack)
    slack.reply("/steward", f"account add Globex <#{GLOBEX_CHANNEL}|globex>")
    other = slack.standin.add_message(GLOBEX_CHANNEL, "a post", user=slack.standin.bot_user_id)
    snooze = _button(alice, "promise-1", Button.snooze_day)
    slack.block_actions(ALICE, snooze, channel=GLOBEX_CHANNEL, message=other, response_key="s")
    assert "Snoozed" in slack.response_text("s")
    slack.settle()
    assert rendered(slack.standin._find(GLOBEX_CHANNEL, other["ts"])) == "a post"


def test_a_clients_click_in_the_home_tab_gets_its_one_line_there(slack: Slack) -> None:
    slack.standin.add_user(CLIENT, "jan", real_name="Jan Client", team_id="TCLIENT")
    before = len(slack.standin.views)
    slack.interaction(
        {
            "type": "block_actions",
            "team": {"id": slack.team_id},
            "user": {"id": CLIENT, "team_id": slack.team_id},  # the payload claims our team
            "api_app_id": "A0STEWARD",
            "token": "legacy-verification-token",
            "trigger_id": "1.trigger",
            "container": {"type": "view", "view_id": "VHOME"},
            "view": {"id": "VHOME", "type": "home", "private_metadata": ""},
            "actions": [
                {
                    "type": "button",
                    "action_id": "home_card",
                    "value": "1",
                    "block_id": "b",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
    )
    assert slack.standin.wait_for(lambda: len(slack.standin.views) > before)
    published = slack.standin.views[-1]
    assert published["user_id"] == CLIENT
    assert "only for the team that runs Steward" in rendered(published["view"])


def test_digest_with_one_open_case_hides_nothing(slack: Slack) -> None:
    from bot.models import Case

    slack.reply("/steward", "account add Acme Rail")
    with slack.steward.db.session() as session:
        session.add(
            Case(
                team_id=slack.team_id,
                account_id=1,
                function="finance",
                origin_channel=GENERAL,
                origin_ts="1.1",
                source_key="k",
                counterpart_channel=GENERAL,
                raised_by=ALICE,
                created_at=datetime.now(UTC),
            )
        )
    shown = slack.reply("/steward", "digest preview")
    assert "Cases open on your accounts* (1)" in shown and "more:" not in shown


def test_a_reassigned_internal_promise_is_noted_under_its_confirmation(slack: Slack) -> None:
    slack.reply("/steward", "account add Acme Rail")
    slack.reply("/promise", "internal acme check the credit limit by tomorrow")
    slack.reply("/promise", f"owner P-1 <@{BORIS}|boris>")
    slack.settle()
    with slack.steward.db.session() as session:
        rows = {m.key: m for m in session.exec(select(OutboxMessage)).all()}
    confirmation = rows["promise:1:confirm"]
    notes = [m for k, m in rows.items() if k.startswith("promise:1:promise_reassigned")]
    assert notes and all(n.channel == confirmation.channel for n in notes)
    assert all(n.thread_key == "promise:1:confirm" for n in notes)
    with slack.steward.db.session() as session:
        assert session.get(Promise, 1).status == PromiseStatus.open
