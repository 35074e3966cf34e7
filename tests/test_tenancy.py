"""Several workspaces in one process and one database: each request is served, and each message
sent, with its own workspace's token; nothing of one workspace is seen from another; a workspace
with no token gets nothing sent and loses nothing."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.blocks import rendered
from bot.config import Settings
from bot.delivery import NOT_SERVED_WAIT
from bot.dev.browser import Browser
from bot.dev.standin import SlackStandIn
from bot.models import Account, Audience, Case, Member, OutboxMessage, OutboxStatus
from bot.outbox import enqueue
from bot.steward import Steward
from handlers.app import NOT_INSTALLED
from scheduler.jobs import age_cases, send_digests
from tests.conftest import ACME_CHANNEL, ALICE, Slack

TEAM_A, TOKEN_A = "T0001", "xoxb-local"  # the stand-in's own workspace (LocalSlack's token)
TEAM_B, TOKEN_B = "T0002", "xoxb-beta"
BEA, BETA_CHANNEL, BETA_GENERAL = "UBEA", "CBETACO", "CBETAGEN"


def add_beta(standin: SlackStandIn) -> str:
    """Workspace B: its own token, bot user and person, and two channels of its own; returns
    the code Slack hands back when B's admin approves an install (OAuth)."""
    code = standin.add_workspace(
        TEAM_B, "beta", bot_user_id="UBOTB", bot_id="BBOTB", token=TOKEN_B
    )
    standin.add_user(BEA, "bea", real_name="Bea Berg", tz="Europe/Warsaw", team_id=TEAM_B)
    standin.add_channel(BETA_CHANNEL, "beta-co")
    standin.add_channel(BETA_GENERAL, "beta-general")
    return code


@pytest.fixture
def both(database_url: str, standin: SlackStandIn) -> Iterator[Slack]:
    """One process, one database, two workspaces (the token source maps both)."""
    add_beta(standin)
    tokens = {TEAM_A: TOKEN_A, TEAM_B: TOKEN_B}
    local = Slack(database_url, standin=standin, tokens=tokens.get)
    yield local
    local.close()


def posts_with(standin: SlackStandIn, token: str, channel: str | None = None) -> list[str]:
    """The channels of every chat.postMessage made with `token` (to `channel` only, if given)."""
    return [
        str(c["params"]["channel"])
        for c in standin.calls_with(token, "chat.postMessage")
        if channel is None or c["params"]["channel"] == channel
    ]


def open_home_in_b(slack: Slack, user: str) -> dict[str, Any]:
    """app_home_opened from workspace B, as Slack sends it there; the view then published."""
    envelope = {
        "token": "legacy-verification-token",
        "team_id": TEAM_B,
        "api_app_id": "A0STEWARD",
        "event": {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"},
        "type": "event_callback",
        "event_id": f"EvB{time.monotonic_ns()}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_B, "user_id": "UBOTB", "is_bot": True}],
    }
    assert slack.post(json.dumps(envelope).encode(), "application/json").status == 200

    def published() -> list[dict[str, Any]]:
        return slack.standin.calls_with(TOKEN_B, "views.publish")

    slack.standin.wait_for(published, 10, what="B's Home published with B's token")
    [call] = published()
    assert call["params"]["user_id"] == user
    return dict(call["params"]["view"])


def test_each_workspace_is_served_with_its_own_token_and_sees_only_its_own(both: Slack) -> None:
    standin = both.standin
    # Workspace A: an account in a channel of A, a promise confirmed there.
    added = both.reply("/steward", f"account add Orbital Freight <#{ACME_CHANNEL}|acme-rail>")
    assert "Added *Orbital Freight*" in added
    assert "recorded for *Orbital Freight*" in both.reply(
        "/promise", "orbital send the deck by 2099-01-15"
    )
    # Workspace B: the payload names B (as Slack sends a command typed there).
    assert "Orbital Freight" in both.reply("/steward", "accounts")
    listing = both.reply("/steward", "accounts", user=BEA, channel=BETA_GENERAL)
    assert "Orbital" not in listing and "No accounts yet" in listing
    in_b = {"user": BEA, "channel": BETA_GENERAL}
    missing = both.reply("/promise", "orbital send the deck by 2099-01-20", **in_b)
    assert "recorded" not in missing and "Orbital" not in missing
    assert "Orbital" not in both.reply("/steward", "account show orbital", **in_b)
    added_b = both.reply("/steward", f"account add Beta Co <#{BETA_CHANNEL}|beta-co>", **in_b)
    assert "Added *Beta Co*" in added_b
    made = both.reply("/promise", "beta call them back by 2030-01-07", **in_b)
    assert "recorded for *Beta Co*" in made
    mine = both.reply("/promise", "list", **in_b)
    assert "call them back" in mine and "send the deck" not in mine
    both.settle()
    # Each confirmation left with its own workspace's token, and only there.
    assert posts_with(standin, TOKEN_B) == [BETA_CHANNEL]
    assert posts_with(standin, TOKEN_A) == [ACME_CHANNEL]
    # B's users.info and auth.test went with B's token: Bea is B's, not A's.
    assert {c["params"]["user"] for c in standin.calls_with(TOKEN_B, "users.info")} == {BEA}
    assert BEA not in {c["params"]["user"] for c in standin.calls_with(TOKEN_A, "users.info")}
    with both.steward.db.session() as session:
        teams = {a.name: a.team_id for a in session.exec(select(Account)).all()}
    assert teams == {"Orbital Freight": TEAM_A, "Beta Co": TEAM_B}
    # B's Home: B's account and promise, nothing of A's (its account, promise or people).
    home = rendered({"blocks": open_home_in_b(both, BEA)["blocks"]})
    assert "Beta Co" in home and "Your accounts* (1)" in home  # promises: only those due soon
    assert "Orbital" not in home and "send the deck" not in home and ALICE not in home
    # The digest job: B's rep gets hers in a DM, posted to her user id with B's token (Slack
    # opens the DM: no conversations.open).
    st = both.steward
    st.clock.offset = datetime(2030, 1, 7, 8, 5, tzinfo=UTC) - datetime.now(UTC)  # 09:05 Warsaw
    standin.reset()
    assert send_digests(st, st.clock.now()) == 2  # Alice (Orbital silent since 2026) and Bea
    both.settle()
    assert posts_with(standin, TOKEN_B) == [BEA]
    assert posts_with(standin, TOKEN_A) == [ALICE]
    assert not standin.calls_with(TOKEN_B, "conversations.open")
    digest_b = next(m for m in standin.messages if m["channel"] == f"D{BEA}")
    assert "call them back" in rendered(digest_b) and "Orbital" not in rendered(digest_b)


def test_a_workspace_installed_through_oauth_is_answered_with_its_own_token(
    database_url: str, standin: SlackStandIn
) -> None:
    """OAuth end to end: B's admin installs through /slack/install and Slack's redirect (the
    stand-in's oauth.v2.access); B's signed commands are then answered and their messages
    posted with the token that install stored, and nothing of A is visible from B."""
    code = add_beta(standin)
    oauth = Slack(database_url, standin=standin, oauth=True)  # SLACK_BOT_TOKEN serves A
    try:
        assert "Added *Orbital Freight*" in oauth.reply(
            "/steward", f"account add Orbital Freight <#{ACME_CHANNEL}|acme-rail>"
        )
        in_b = {"user": BEA, "channel": BETA_GENERAL}
        result, key = oauth.command("/steward", "accounts", **in_b)
        assert result.status == 200 and oauth.response_text(key) == NOT_INSTALLED

        page = Browser(oauth.url).install(code)
        assert page.status == 200 and "Steward is installed" in page.body
        exchange = [c for c in standin.calls if c["method"] == "oauth.v2.access"]
        assert len(exchange) == 1

        listing = oauth.reply("/steward", "accounts", **in_b)
        assert "Orbital" not in listing and "No accounts yet" in listing
        refused = oauth.reply("/promise", "orbital send the deck by 2099-01-20", **in_b)
        assert "recorded" not in refused and "Orbital" not in refused
        added = oauth.reply("/steward", f"account add Beta Co <#{BETA_CHANNEL}|beta-co>", **in_b)
        assert "Added *Beta Co*" in added
        assert "recorded for *Beta Co*" in oauth.reply(
            "/promise", "beta call them back by 2030-01-07", **in_b
        )
        oauth.settle()
        assert posts_with(standin, TOKEN_B) == [BETA_CHANNEL]  # the installed workspace's token
        assert posts_with(standin, TOKEN_A) == []
        users_b = {c["params"]["user"] for c in standin.calls_with(TOKEN_B, "users.info")}
        assert users_b == {BEA}
    finally:
        oauth.close()


def test_a_request_from_a_workspace_without_a_token_is_refused(
    database_url: str, standin: SlackStandIn
) -> None:
    add_beta(standin)
    local = Slack(database_url, standin=standin, tokens={TEAM_A: TOKEN_A}.get)
    try:
        result, key = local.command(
            "/steward", "account add Beta Co", user=BEA, channel=BETA_GENERAL
        )
        assert result.status == 200  # Bolt answers, says the app is not installed there
        reply = local.response_text(key)
        assert "Added" not in reply
        local.settle()
        with local.steward.db.session() as session:
            assert session.exec(select(Account)).all() == []
        asked = [c["method"] for c in standin.calls if c["method"] in ("users.info", "auth.test")]
        assert asked == []  # nothing asked of Slack for B's request, with any token
    finally:
        local.close()


def test_a_workspace_without_a_token_keeps_its_messages_queued(
    database_url: str, standin: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    add_beta(standin)
    tokens = {TEAM_A: TOKEN_A}  # B uninstalled (or never installed): no token
    settings = Settings(
        bot_token=TOKEN_A,
        database_url=database_url,
        slack_api_url=standin.api_url,
        outbox_interval=0,
    )
    st = Steward.from_settings(settings, tokens.get)
    try:
        now = st.clock.now()
        with st.db.session() as session:
            for team, channel in ((TEAM_A, "CGENERAL"), (TEAM_B, BETA_GENERAL)):
                enqueue(
                    session,
                    key=f"test:{team}",
                    channel=channel,
                    text=f"hello {team}",
                    now=now,
                    audience=Audience.client,
                    team_id=team,
                )
            session.add(  # B's rep, silent since long ago: a digest would be due
                Account(
                    team_id=TEAM_B,
                    name="Beta Co",
                    name_key="beta co",
                    slug="beta-co",
                    owner_id=BEA,
                    tier="strategic",
                    created_at=now - timedelta(days=90),
                    created_by=BEA,
                )
            )
            session.add(Member(team_id=TEAM_B, user_id=BEA, tz="Europe/Warsaw", tz_fetched_at=now))
            session.flush()
            beta_co = session.exec(select(Account).where(Account.team_id == TEAM_B)).one()
            session.add(  # a case of B nobody took, waiting since Monday morning
                Case(
                    team_id=TEAM_B,
                    account_id=beta_co.id,
                    function="finance",
                    origin_channel=BETA_CHANNEL,
                    origin_ts="1.000001",
                    source_key="test",
                    counterpart_channel=BETA_GENERAL,
                    raised_by=BEA,
                    created_at=datetime(2030, 1, 7, 8, tzinfo=UTC),
                )
            )
        with caplog.at_level(logging.INFO):
            st.outbox.deliver_due()
            monday_9 = datetime(2030, 1, 7, 8, 5, tzinfo=UTC)  # 09:05 in Warsaw: hers is due
            assert send_digests(st, monday_9) == 0  # B's rep: no digest queued
            assert age_cases(st, monday_9 + timedelta(days=2)) == 0  # B's case: no nudge
        assert "test:T0002 waits" in caplog.text and "no token: T0002" in caplog.text
        with st.db.session() as session:
            rows = {r.key: r for r in session.exec(select(OutboxMessage)).all()}
        assert rows["test:T0001"].status == OutboxStatus.sent
        waiting = rows["test:T0002"]
        assert (waiting.status, waiting.attempts) == (OutboxStatus.pending, 0)
        assert posts_with(standin, TOKEN_A) == ["CGENERAL"]
        assert standin.calls_with(TOKEN_B, "chat.postMessage") == []
        # Installed (again): it goes out at its next attempt, with B's token, once.
        tokens[TEAM_B] = TOKEN_B
        st.clock.offset = NOT_SERVED_WAIT + timedelta(seconds=1)
        assert st.outbox.drain(timeout=10)
        assert posts_with(standin, TOKEN_B) == [BETA_GENERAL]
        assert posts_with(standin, TOKEN_A) == ["CGENERAL"]
    finally:
        st.db.dispose()
