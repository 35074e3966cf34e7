"""Pure text helpers, and account look-up on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.accounts import queries as accounts
from bot.accounts import service as account_service
from bot.config import ConfigError, Settings
from bot.db import Database
from bot.errors import UserError
from bot.slacktext import chunks, clip, defuse, plain, tokens, unescape, user_id_of

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Acme Rail", "acme-rail"),
        ("  ACME   rail  ", "acme-rail"),
        ("Zakłady Łódź S.A.", "zaklady-lodz-s-a"),
        ("Газпром нефть", "газпром-нефть"),
        ("Café_Noir & Co", "cafe-noir-co"),
        ("🚄🚄", ""),
        ("Ｆｕｌｌｗｉｄｔｈ", "fullwidth"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert accounts.slugify(name) == slug


def test_tokens_keep_mentions_whole() -> None:
    text = "add Acme <#C1|acme rail> <@U2|Jan K> tier:key"
    assert tokens(text) == ["add", "Acme", "<#C1|acme rail>", "<@U2|Jan K>", "tier:key"]
    assert user_id_of("<@U2|Jan K>") == "U2" and user_id_of("U2") is None
    assert plain("hi <@U2|Jan K> in <#C1>") == "hi Jan K in #C1"


def test_defuse_and_unescape() -> None:
    assert defuse("ping <!channel> and <!here|here> and <!subteam^S1|@fin>") == (
        "ping @channel and here and @fin"
    )
    assert unescape("a &lt;b&gt; &amp;amp;") == "a <b> &amp;"


def test_clip_and_chunks_keep_within_limits_and_lose_nothing() -> None:
    text = "line\n" * 1000
    pieces = chunks(text, 300)
    assert all(len(p) <= 300 for p in pieces)
    assert "\n".join(pieces).replace("\n", "") == text.replace("\n", "")
    clipped = clip("x" * 5000, 3000)
    assert len(clipped) <= 3000 and clipped.endswith("more characters)")
    assert clip("short", 3000) == "short"


def test_settings_from_env_and_clear_errors() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "PORT": "8080"})
    assert settings.port == 8080 and settings.database_url == "sqlite:///steward.db"
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set"):
        settings.require_slack()
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is not set"):
        Settings.from_env({}).require_slack()
    with pytest.raises(ConfigError, match="PORT must be a number"):
        Settings.from_env({"PORT": "eighty"})
    Settings.from_env({"SLACK_BOT_TOKEN": "x", "SLACK_APP_TOKEN": "xapp-1"}).require_slack()


def add(session, name: str, channel: str | None = None):
    return account_service.add_account(
        session,
        team_id="T1",
        name=name,
        owner_id="U1",
        created_by="U1",
        now=NOW,
        channel_id=channel,
    )


def test_find_accounts_by_slug_name_prefix_and_channel(db: Database) -> None:
    with db.session() as session:
        add(session, "Acme Rail", "C1")
        add(session, "Acme Tools")
        add(session, "Ünïcødé Ltd")
        other_team = account_service.add_account(
            session, team_id="T2", name="Acme Rail", owner_id="U9", created_by="U9", now=NOW
        )
    with db.session() as session:

        def slugs(ref: str) -> list[str]:
            return [a.slug for a in accounts.find_accounts(session, "T1", ref)]

        assert slugs("acme-rail") == ["acme-rail"]
        assert slugs("ACME RAIL") == ["acme-rail"]
        assert slugs("<#C1|whatever>") == ["acme-rail"]
        assert slugs("acme") == ["acme-rail", "acme-tools"]
        assert slugs("acme-t") == ["acme-tools"]
        assert slugs("ünï") == ["unicode-ltd"]
        assert slugs("100%") == [] and slugs("a_m") == []
        assert other_team.id not in [a.id for a in accounts.find_accounts(session, "T1", "acme")]
        with pytest.raises(UserError) as error:
            accounts.resolve_account(session, "T1", "acme-tols", "example")
        assert error.value.suggestions[0] == "acme-tools"


def test_one_channel_per_account(db: Database) -> None:
    with db.session() as session:
        add(session, "Acme Rail", "C1")
    with db.session() as session, pytest.raises(UserError, match="already the channel"):
        add(session, "Globex", "C1")
