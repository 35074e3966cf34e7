"""Installing Steward in several workspaces (Slack's OAuth flow through Bolt, over real HTTP
against the stand-in's oauth.v2.access), and uninstalls that stop all sending for a workspace
while keeping its data; single-token mode (.env) keeps working as before."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlmodel import select as sql_select

from bot.config import DEFAULT_SCOPES, ConfigError, Settings
from bot.db import Database
from bot.dev.browser import Browser
from bot.dev.local import HttpResult, LocalSlack
from bot.dev.standin import SlackStandIn
from bot.install import (
    TokenSource,
    WorkspaceInstall,
    adopt_env_token,
    bots,
    installation_store,
    installations,
    states,
)
from bot.models import Account
from handlers.app import NOT_INSTALLED
from tests.conftest import ACME_CHANNEL, Slack

ROOT = Path(__file__).resolve().parent.parent
GLOBEX_TEAM = "T0002"


@pytest.fixture
def oauth(database_url: str, standin: SlackStandIn) -> Iterator[Slack]:
    """The app in OAuth mode; its .env token serves the stand-in's home workspace (T0001)."""
    local = Slack(database_url, standin=standin, oauth=True)
    yield local
    local.close()


def globex_code(standin: SlackStandIn) -> str:
    """A second workspace, whose admin approved the install in Slack: the code it came with."""
    return standin.add_workspace(
        GLOBEX_TEAM, "globex-corp", bot_user_id="UBOT2", bot_id="BBOT2", installer="UGLOBEXADMIN"
    )


def stored_bots(db: Database, team_id: str) -> int:
    with db.engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(bots).where(bots.c.team_id == team_id)
        ).scalar_one()


def exchanges(standin: SlackStandIn) -> list[dict[str, Any]]:
    return [c for c in standin.calls if c["method"] == "oauth.v2.access"]


def send_event(local: LocalSlack, team_id: str, event: dict[str, Any]) -> HttpResult:
    """An event as Slack sends app_uninstalled and tokens_revoked: team_id, no authorizations."""
    envelope = {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "api_app_id": "A0STEWARD",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{time.time_ns()}",
        "event_time": int(time.time()),
    }
    return local.post(json.dumps(envelope).encode(), "application/json")


# -- OAuth: install ------------------------------------------------------------------------------
def test_a_workspace_installs_through_oauth_and_its_bot_token_is_stored(oauth: Slack) -> None:
    st, standin = oauth.steward, oauth.standin
    code = globex_code(standin)
    token = next(t for t, w in standin.workspaces.items() if w["team_id"] == GLOBEX_TEAM)
    browser = Browser(oauth.url)

    state = browser.start_install()
    assert browser.cookies == {"slack-app-oauth-state": state}
    page = browser.come_back(code, state)

    assert page.status == 200, page.body
    assert "Steward is installed" in page.body and "globex-corp" in page.body
    assert "slack-app-oauth-state" not in browser.cookies  # spent: the browser forgets it
    store = installation_store(st.settings, st.db)
    bot = store.find_bot(enterprise_id=None, team_id=GLOBEX_TEAM)
    assert bot is not None
    assert (bot.bot_token, bot.bot_user_id, bot.bot_id) == (token, "UBOT2", "BBOT2")
    installed = store.find_installation(enterprise_id=None, team_id=GLOBEX_TEAM)
    assert installed is not None and installed.user_id == "UGLOBEXADMIN"
    assert installed.team_name == "globex-corp"
    assert st.workspaces.token(GLOBEX_TEAM) == token
    assert st.workspaces.token("T0001") == "xoxb-local"  # the .env token serves its own workspace
    assert st.workspaces.token("T0404") is None  # never installed: nothing is sent there
    [exchange] = exchanges(standin)
    assert exchange["params"]["code"] == code
    with st.db.session() as session:
        record = session.get(WorkspaceInstall, GLOBEX_TEAM)
        assert record is not None and record.installed_at and record.uninstalled_at is None


def test_an_install_with_a_missing_forged_reused_or_expired_state_is_refused(
    oauth: Slack,
) -> None:
    st, standin = oauth.steward, oauth.standin
    code = globex_code(standin)

    no_state = Browser(oauth.url).get("/slack/oauth_redirect", {"code": code})
    assert no_state.status == 400 and "Steward was not installed" in no_state.body

    stranger = Browser(oauth.url)  # a state this browser never started (a forged link)
    stranger.start_install()
    forged = stranger.come_back(code, "f0rged-state")
    assert forged.status == 400 and "not started in this browser" in forged.body

    made_up = Browser(oauth.url)  # state and cookie both made up: not one we issued
    made_up.cookies["slack-app-oauth-state"] = "f0rged-state"
    refused = made_up.come_back(code, "f0rged-state")
    assert refused.status == 401 and "expired or was already used" in refused.body

    late = Browser(oauth.url)  # issued 11 minutes ago: states live 10
    late_state = late.start_install()
    with st.db.engine.begin() as connection:
        expired = states.c.expire_at - text("INTERVAL '11 minutes'")
        if st.db.is_sqlite:
            expired = func.datetime(states.c.expire_at, "-11 minutes")
        connection.execute(
            states.update().where(states.c.state == late_state).values(expire_at=expired)
        )
    assert late.come_back(code, late_state).status == 401

    assert exchanges(standin) == []  # no code was exchanged, nothing stored
    assert stored_bots(st.db, GLOBEX_TEAM) == 0 and st.workspaces.token(GLOBEX_TEAM) is None

    browser = Browser(oauth.url)
    state = browser.start_install()
    assert browser.come_back(code, state).status == 200
    browser.cookies["slack-app-oauth-state"] = state  # the same link, replayed
    replayed = browser.come_back(globex_code(standin), state)
    assert replayed.status == 401 and "expired or was already used" in replayed.body
    assert len(exchanges(standin)) == 1 and stored_bots(st.db, GLOBEX_TEAM) == 1


def test_a_code_slack_does_not_accept_stores_nothing(oauth: Slack) -> None:
    globex_code(oauth.standin)  # a workspace that could install, but not with this code
    browser = Browser(oauth.url)
    page = browser.come_back("code-made-up", browser.start_install())
    assert page.status == 401 and "Slack did not accept this install" in page.body
    [exchange] = exchanges(oauth.standin)
    assert exchange["status"] == 200  # answered ok:false invalid_code
    with oauth.steward.db.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(installations)).scalar() == 0


def test_requests_are_answered_only_from_installed_workspaces(oauth: Slack) -> None:
    oauth.standin.add_user("UGLOBEX1", "gina", team_id=GLOBEX_TEAM)

    def ask() -> str:
        result, key = oauth.command("/steward", "help", user="UGLOBEX1", channel="DUGLOBEX1")
        assert result.status == 200
        return oauth.response_text(key)

    assert ask() == NOT_INSTALLED  # Bolt finds no installation: no listener runs
    assert Browser(oauth.url).install(globex_code(oauth.standin)).status == 200
    assert ask() != NOT_INSTALLED  # authorized with globex's installation: the listener ran
    send_event(oauth, GLOBEX_TEAM, {"type": "app_uninstalled"})
    oauth.standin.wait_for(lambda: stored_bots(oauth.steward.db, GLOBEX_TEAM) == 0)
    assert ask() == NOT_INSTALLED


# -- uninstall -----------------------------------------------------------------------------------
def test_an_uninstalled_workspace_gets_nothing_more_keeps_its_data_and_can_reinstall(
    oauth: Slack,
) -> None:
    st, standin = oauth.steward, oauth.standin
    assert Browser(oauth.url).install(globex_code(standin)).status == 200
    oauth.reply("/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail>")
    now = [1000.0]
    elsewhere = TokenSource(st.settings, st.db, clock=lambda: now[0])  # another process's
    assert elsewhere(GLOBEX_TEAM) and elsewhere("T0001") == "xoxb-local"

    assert send_event(oauth, GLOBEX_TEAM, {"type": "app_uninstalled"}).status == 200
    standin.wait_for(lambda: st.workspaces.token(GLOBEX_TEAM) is None, what="globex's token gone")
    assert stored_bots(st.db, GLOBEX_TEAM) == 0
    with st.db.session() as session:
        record = session.get(WorkspaceInstall, GLOBEX_TEAM)
        assert record is not None and record.uninstalled_at and record.revoked_token is None
    assert st.workspaces.token("T0001") == "xoxb-local"  # the other workspace goes on
    assert elsewhere(GLOBEX_TEAM) is not None  # kept a while by the other process…
    now[0] += 31
    assert elsewhere(GLOBEX_TEAM) is None  # …and no longer than TOKEN_TTL

    bot_revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}
    assert send_event(oauth, "T0001", bot_revoked).status == 200
    standin.wait_for(
        lambda: st.workspaces.token("T0001") is None, what="the home workspace's token gone"
    )
    with st.db.session() as session:
        assert [a.slug for a in session.exec(sql_select(Account))] == ["acme-rail"]  # data kept
        record = session.get(WorkspaceInstall, "T0001")
        assert record is not None and record.uninstalled_at and record.revoked_token
    # a restart with the same (revoked) .env token does not bring it back
    assert adopt_env_token(st.settings, st.db, st.client, st.clock.now()) is None
    assert st.workspaces.token("T0001") is None

    assert Browser(oauth.url).install(globex_code(standin)).status == 200  # reinstalled
    token = st.workspaces.token(GLOBEX_TEAM)
    assert token and token == next(reversed(standin.workspaces))
    with st.db.session() as session:
        record = session.get(WorkspaceInstall, GLOBEX_TEAM)
        assert record is not None and record.uninstalled_at is None


def test_single_token_mode_stops_on_uninstall_and_resumes_with_a_new_token(slack: Slack) -> None:
    st = slack.steward
    slack.reply("/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail>")
    assert st.workspaces.token("T0001") == "xoxb-local"

    user_only = {"type": "tokens_revoked", "tokens": {"oauth": ["UALICE"], "bot": []}}
    assert send_event(slack, "T0001", user_only).status == 200
    slack.settle()
    assert st.workspaces.token("T0001") == "xoxb-local"  # a person's token: Steward keeps none

    assert send_event(slack, "T0001", {"type": "app_uninstalled"}).status == 200
    slack.standin.wait_for(
        lambda: st.workspaces.token("T0001") is None, what="the token source's None"
    )
    with st.db.session() as session:
        assert [a.slug for a in session.exec(sql_select(Account))] == ["acme-rail"]
    reinstalled = Settings(bot_token="xoxb-after-reinstall", database_url=st.db.url)
    assert TokenSource(reinstalled, st.db)("T0001") == "xoxb-after-reinstall"


def test_uninstall_logs_one_line_without_a_token(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    send_event(slack, "T0001", {"type": "app_uninstalled"})
    slack.settle()
    lines = [r.getMessage() for r in caplog.records if r.name == "handlers.install"]
    assert len(lines) == 1 and "T0001" in lines[0] and "app_uninstalled" in lines[0]
    assert "xoxb" not in caplog.text


# -- settings ------------------------------------------------------------------------------------
def test_oauth_settings_and_their_bad_combinations() -> None:
    env = {"SLACK_CLIENT_ID": "1111.2222", "SLACK_CLIENT_SECRET": "s3cret-client-secret"}
    settings = Settings.from_env({**env, "SLACK_SIGNING_SECRET": "sign"})
    assert settings.oauth and settings.has_slack() and settings.scopes == DEFAULT_SCOPES
    settings.require_slack()  # no SLACK_BOT_TOKEN needed
    assert "s3cret-client-secret" in settings.secrets()

    for missing, given in (
        ("SLACK_CLIENT_SECRET", "SLACK_CLIENT_ID"),
        ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"),
    ):
        with pytest.raises(ConfigError) as error:
            Settings.from_env({given: env[given]})
        assert str(error.value).startswith(f"{missing} is not set")
        assert "s3cret-client-secret" not in str(error.value)
        assert error.value.exit_code == 2
    with pytest.raises(ConfigError, match=r"^SLACK_CLIENT_ID looks like"):
        Settings.from_env({**env, "SLACK_CLIENT_ID": "my-app"})
    with pytest.raises(ConfigError, match=r"^SLACK_APP_TOKEN is set with SLACK_CLIENT_ID"):
        Settings.from_env({**env, "SLACK_APP_TOKEN": "xapp-1-abc"}).require_slack()
    with pytest.raises(ConfigError, match=r"^SLACK_SCOPES takes"):
        Settings.from_env({**env, "SLACK_SCOPES": "chat:write,,commands"})
    assert Settings.from_env({**env, "SLACK_SCOPES": "chat:write, commands"}).scopes == (
        "chat:write",
        "commands",
    )


def test_the_default_scopes_are_the_manifests() -> None:
    manifest = (ROOT / "manifest.yml").read_text(encoding="utf-8")
    block = manifest.split("bot:", 1)[1]
    scopes = []
    for line in block.splitlines()[1:]:
        match = re.match(r"\s+- ([\w:.]+)", line)
        if not match:
            break
        scopes.append(match.group(1))
    assert tuple(scopes) == DEFAULT_SCOPES


def test_a_token_read_while_its_workspace_is_forgotten_is_not_kept() -> None:
    """An uninstall handled in this process while another thread was reading the token: that
    read's (now revoked) token must not be kept for TOKEN_TTL."""

    class Racing(TokenSource):
        reads = 0

        def read(self, team_id: str) -> str | None:
            self.reads += 1
            if self.reads == 1:
                self.forget(team_id)  # the uninstall lands during the first read
            return "xoxb-old"

    source = Racing(Settings(bot_token="xoxb-old"), Database("sqlite://"), clock=lambda: 0.0)
    source("T0001")
    source("T0001")
    assert source.reads == 2  # read again, not answered from what the race left
    source("T0001")
    assert source.reads == 2  # a read that no forget() overlapped is kept
