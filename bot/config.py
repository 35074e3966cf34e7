"""Settings from the environment and `.env` (python-dotenv)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from dotenv import load_dotenv

DEFAULT_DATABASE_URL = "sqlite:///steward.db"
DEFAULT_SILENCE_DAYS = {"strategic": 14, "key": 21, "standard": 30}


class ConfigError(Exception):
    """A setting is missing or malformed; the message says what to set."""


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    slack_api_url: str | None = None
    port: int = 3000
    outbox_interval: float = 1.0
    silence_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SILENCE_DAYS))
    """Days without a contact before an account of each tier counts as silent."""
    route_keywords: str | None = None
    """`finance=invoice,payment;logistics=delivery`: words that suggest a function."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        port_text = env.get("PORT", "3000")
        try:
            port = int(port_text)
        except ValueError:
            raise ConfigError(
                f"PORT must be a number, got {port_text!r} (e.g. PORT=3000)"
            ) from None
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN") or None,
            signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            app_token=env.get("SLACK_APP_TOKEN") or None,
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            slack_api_url=env.get("SLACK_API_URL") or None,
            port=port,
            silence_days=parse_silence_days(env.get("SILENCE_DAYS")),
            route_keywords=env.get("ROUTE_KEYWORDS") or None,
        )

    def has_slack(self) -> bool:
        return bool(self.bot_token and (self.signing_secret or self.app_token))

    def require_token(self) -> None:
        """Refuse to call Slack without a bot token, naming what to set."""
        if not self.bot_token:
            raise ConfigError(
                "SLACK_BOT_TOKEN is not set: put your bot token (xoxb-…) in .env or the "
                "environment (see .env.example), or try Steward without Slack: steward console"
            )

    def require_slack(self) -> None:
        """Refuse to start without the tokens Slack needs, naming the one to set."""
        self.require_token()
        if not self.app_token and not self.signing_secret:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode needs the app's signing secret "
                "(Basic Information → App Credentials), or set SLACK_APP_TOKEN (xapp-…) for "
                "Socket Mode"
            )


def parse_silence_days(text: str | None) -> dict[str, int]:
    """`SILENCE_DAYS=strategic=10,key=21`: tiers not named keep their default."""
    days = dict(DEFAULT_SILENCE_DAYS)
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        tier, _, value = part.partition("=")
        if tier.strip() not in days or not value.strip().isdigit() or int(value) < 1:
            raise ConfigError(
                f"SILENCE_DAYS takes tier=days pairs for strategic, key and standard, like "
                f"SILENCE_DAYS=strategic=14,key=21,standard=30 (got {part!r})"
            )
        days[tier.strip()] = int(value)
    return days


def load_settings() -> Settings:
    load_dotenv(override=False)
    return Settings.from_env()
