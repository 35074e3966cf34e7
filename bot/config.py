"""Settings from the environment and `.env` (python-dotenv), checked before anything starts.

A bad setting stops the process with one line that names the setting, the value (secrets
masked) and what a valid one looks like; each kind of failure has its own exit code, so a
supervisor or a deploy script can tell them apart.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite:///steward.db"
DEFAULT_SILENCE_DAYS = {"strategic": 14, "key": 21, "standard": 30}
DEFAULT_TICK_SECONDS = 120  # a digest due at 09:00 leaves by 09:02
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")
DEFAULT_SCOPES = (
    "app_mentions:read", "channels:history", "channels:join", "channels:read", "chat:write",
    "commands", "groups:history", "groups:read", "im:history", "im:read", "im:write",
    "mpim:read", "users:read",
)
"""The bot scopes an install asks for: manifest.yml's (tests/test_install.py keeps them equal)."""
SCOPE = re.compile(r"^[a-z][a-z0-9_.-]*(:[a-z0-9_.-]+)*$")
FUNCTION_NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
SWITCH = {"on": True, "true": True, "yes": True, "1": True}
SWITCH.update({"off": False, "false": False, "no": False, "0": False})

EXIT_SETTING = 2
"""A setting is missing or malformed (also: bad command-line arguments)."""
EXIT_DATABASE = 3
"""The database cannot be reached, does not exist, or refuses our role."""
EXIT_SLACK = 4
"""Slack refuses the token, or cannot be reached at SLACK_API_URL."""
EXIT_PORT = 5
"""The HTTP port cannot be listened on (in use, or not ours to take)."""


class ConfigError(Exception):
    """A setting is missing or malformed; the message says what to set."""

    exit_code = EXIT_SETTING


class DatabaseUnavailable(ConfigError):
    """DATABASE_URL is well formed but the database does not answer as it should."""

    exit_code = EXIT_DATABASE


class SlackUnavailable(ConfigError):
    """Slack refused the token, or did not answer."""

    exit_code = EXIT_SLACK


class PortUnavailable(ConfigError):
    """HOST:PORT cannot be listened on."""

    exit_code = EXIT_PORT


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    slack_api_url: str | None = None
    port: int = 3000
    host: str = "0.0.0.0"
    outbox_interval: float = 1.0
    """Seconds between two posts in one channel, across every process (STEWARD_OUTBOX_INTERVAL)."""
    outbox_lease: float = 60.0
    """Seconds a process holds a message it is sending before another may take it over and
    check whether it landed (STEWARD_OUTBOX_LEASE; over twice the Slack client's timeout)."""
    silence_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SILENCE_DAYS))
    """Days without a contact before an account of each tier counts as silent."""
    route_keywords: str | None = None
    """`finance=invoice,payment;logistics=delivery`: words that suggest a function."""
    tick_seconds: int = DEFAULT_TICK_SECONDS
    """How often the scheduler looks for due jobs."""
    scheduler: bool = True
    """Whether `steward serve` runs the scheduler too (off when `steward scheduler` runs apart)."""
    log_level: str = "INFO"
    log_format: str = "text"
    client_id: str | None = None
    """With `client_secret`: OAuth mode, any number of workspaces install through /slack/install."""
    client_secret: str | None = None
    scopes: tuple[str, ...] = DEFAULT_SCOPES

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        database_url = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
        check_database_url(database_url)
        slack_api_url = env.get("SLACK_API_URL") or None
        if slack_api_url:
            check_slack_api_url(slack_api_url)
        route_keywords = env.get("ROUTE_KEYWORDS") or None
        check_route_keywords(route_keywords)
        client_id, client_secret = check_oauth(env)
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN") or None,
            signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            app_token=env.get("SLACK_APP_TOKEN") or None,
            database_url=database_url,
            slack_api_url=slack_api_url,
            port=parse_port(env.get("PORT") or "3000"),
            host=(env.get("HOST") or "0.0.0.0").strip(),
            silence_days=parse_silence_days(env.get("SILENCE_DAYS")),
            route_keywords=route_keywords,
            tick_seconds=parse_tick_seconds(env.get("STEWARD_TICK_SECONDS")),
            outbox_interval=parse_seconds("STEWARD_OUTBOX_INTERVAL", env, 1.0, least=0.0),
            outbox_lease=parse_seconds("STEWARD_OUTBOX_LEASE", env, 60.0, least=2.0),
            scheduler=parse_switch("STEWARD_SCHEDULER", env.get("STEWARD_SCHEDULER")),
            log_level=parse_choice("LOG_LEVEL", env.get("LOG_LEVEL"), LOG_LEVELS, "INFO"),
            log_format=parse_choice("LOG_FORMAT", env.get("LOG_FORMAT"), LOG_FORMATS, "text"),
            client_id=client_id,
            client_secret=client_secret,
            scopes=parse_scopes(env.get("SLACK_SCOPES")),
        )

    @property
    def oauth(self) -> bool:
        """Several workspaces, each installed through Slack's OAuth flow (bot/install.py)."""
        return bool(self.client_id and self.client_secret)

    def has_slack(self) -> bool:
        return bool((self.bot_token or self.oauth) and (self.signing_secret or self.app_token))

    def require_token(self) -> None:
        """Refuse to call Slack without a bot token (or installs by OAuth), naming what to set."""
        if not self.bot_token and not self.oauth:
            raise ConfigError(
                "SLACK_BOT_TOKEN is not set: put your bot token (xoxb-…) in .env or the "
                "environment (see .env.example), or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
                "to install Steward in several workspaces, or try Steward without Slack: "
                "steward console"
            )

    def require_slack(self) -> None:
        """Refuse to start without the tokens Slack needs, naming the one to set."""
        self.require_token()
        if self.oauth and self.app_token:
            raise ConfigError(
                "SLACK_APP_TOKEN is set with SLACK_CLIENT_ID: installing Steward in several "
                "workspaces (OAuth) needs HTTP mode; unset SLACK_APP_TOKEN and set "
                "SLACK_SIGNING_SECRET"
            )
        if not self.app_token and not self.signing_secret:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode needs the app's signing secret "
                "(Basic Information → App Credentials), or set SLACK_APP_TOKEN (xapp-…) for "
                "Socket Mode"
            )
        if self.app_token and not self.app_token.startswith("xapp-"):
            raise ConfigError(
                f"SLACK_APP_TOKEN must be an app-level token starting with xapp-, got "
                f"{mask_secret(self.app_token)} (Basic Information → App-Level Tokens)"
            )

    def secrets(self) -> list[str]:
        """Every secret these settings hold, to scrub from messages that might echo one."""
        found = [self.bot_token, self.signing_secret, self.app_token, self.client_secret]
        password = _password(self.database_url)
        return [s for s in [*found, password] if s and len(s) >= 4]


# -- masking -----------------------------------------------------------------------------------
def mask_url(url: str) -> str:
    """The URL with its password replaced by ***, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", url)


def mask_secret(secret: str | None) -> str:
    """`xoxb-…abcd`: the kind of token and its last four characters, never the rest."""
    if not secret:
        return "(empty)"
    prefix = secret.split("-", 1)[0] + "-" if "-" in secret[:6] else ""
    return f"{prefix}…{secret[-4:]}" if len(secret) >= 12 else f"{prefix}…"


def scrub(text: str, secrets: list[str]) -> str:
    """`text` with every occurrence of any of `secrets` masked (for third-party messages)."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def _password(url: str) -> str | None:
    try:
        return make_url(url).password
    except (ArgumentError, ValueError):
        match = re.search(r"://[^:/@\s]*:([^@\s]*)@", url)
        return match.group(1) if match else None


# -- parsing -----------------------------------------------------------------------------------
def parse_port(text: str) -> int:
    port = int(text) if text.strip().isdigit() else None
    if port is None or not 1 <= port <= 65535:
        raise ConfigError(f"PORT must be a number from 1 to 65535, got {text!r} (e.g. PORT=3000)")
    return port


def parse_tick_seconds(text: str | None) -> int:
    if text is None or not text.strip():
        return DEFAULT_TICK_SECONDS
    if not text.strip().isdigit() or int(text) < 10:
        raise ConfigError(
            f"STEWARD_TICK_SECONDS must be a whole number of seconds, at least 10, got {text!r} "
            f"(e.g. STEWARD_TICK_SECONDS={DEFAULT_TICK_SECONDS})"
        )
    return int(text)


def parse_seconds(name: str, env: Mapping[str, str], default: float, *, least: float) -> float:
    text = (env.get(name) or "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        value = -1.0
    if not least <= value < 86400:
        raise ConfigError(f"{name} must be a number of seconds, at least {least:g}, got {text!r}")
    return value


def parse_switch(name: str, text: str | None, default: bool = True) -> bool:
    if text is None or not text.strip():
        return default
    value = SWITCH.get(text.strip().lower())
    if value is None:
        raise ConfigError(f"{name} must be on or off, got {text!r} (e.g. {name}=off)")
    return value


def parse_choice(name: str, text: str | None, choices: tuple[str, ...], default: str) -> str:
    if text is None or not text.strip():
        return default
    for choice in choices:
        if text.strip().lower() == choice.lower():
            return choice
    raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {text!r}")


def check_database_url(url: str) -> None:
    example = "sqlite:///steward.db or postgresql://USER:PASSWORD@HOST:5432/DATABASE"
    try:
        driver = make_url(url).drivername
    except (ArgumentError, ValueError):
        raise ConfigError(
            f"DATABASE_URL is not a database URL: {mask_url(url)!r} (use {example})"
        ) from None
    if driver.split("+")[0] not in ("sqlite", "postgresql", "postgres"):
        raise ConfigError(
            f"DATABASE_URL must be SQLite or PostgreSQL, got {mask_url(url)!r} (use {example})"
        )


def check_slack_api_url(url: str) -> None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"SLACK_API_URL must be an http(s) URL, got {mask_url(url)!r} "
            "(e.g. SLACK_API_URL=https://slack.com/api/)"
        )


def check_oauth(env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """SLACK_CLIENT_ID and SLACK_CLIENT_SECRET come together (App Credentials), or neither."""
    client_id = (env.get("SLACK_CLIENT_ID") or "").strip() or None
    client_secret = (env.get("SLACK_CLIENT_SECRET") or "").strip() or None
    if client_id and not client_secret:
        raise ConfigError(
            "SLACK_CLIENT_SECRET is not set but SLACK_CLIENT_ID is: installing Steward by OAuth "
            "needs both (Basic Information → App Credentials), or neither for one workspace"
        )
    if client_secret and not client_id:
        raise ConfigError(
            f"SLACK_CLIENT_ID is not set but SLACK_CLIENT_SECRET ({mask_secret(client_secret)}) "
            "is: installing Steward by OAuth needs both (Basic Information → App Credentials)"
        )
    if client_id and not re.fullmatch(r"[0-9]+\.[0-9]+", client_id):
        raise ConfigError(
            f"SLACK_CLIENT_ID looks like 1234567890.1234567890 (App Credentials), got {client_id!r}"
        )
    return client_id, client_secret


def parse_scopes(text: str | None) -> tuple[str, ...]:
    """`SLACK_SCOPES=chat:write,commands`: the bot scopes an install asks for."""
    if text is None or not text.strip():
        return DEFAULT_SCOPES
    scopes = tuple(s.strip() for s in text.split(","))
    for scope in scopes:
        if not SCOPE.match(scope):
            raise ConfigError(
                f"SLACK_SCOPES takes Slack bot scopes separated by commas, like "
                f"SLACK_SCOPES=chat:write,commands (got {scope!r})"
            )
    return scopes


def check_route_keywords(text: str | None) -> None:
    """`function=word,word;function=word`: function names as `/steward route set` takes them."""
    parts = [p.strip() for p in (text or "").split(";")]
    if text and text.strip() and not any(parts):
        parts = [text.strip()]  # only separators: show them
    for part in filter(None, parts):
        function, equals, words = part.partition("=")
        listed = [w.strip() for w in words.split(",")]
        if (
            not equals
            or not FUNCTION_NAME.match(function.strip().lower())
            or not any(listed)
            or any("=" in w for w in listed)
        ):
            raise ConfigError(
                f"ROUTE_KEYWORDS takes function=word,word pairs separated by ';', like "
                f"ROUTE_KEYWORDS='finance=invoice,payment;logistics=delivery' (got {part!r})"
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


def load_env_file(path: str | None = None) -> Path | None:
    """Read `.env` from the working directory (or `path`); the environment wins over it."""
    if path is not None:
        env_file = Path(path)
        if not env_file.is_file():
            raise ConfigError(f"--env-file {path}: no such file")
    else:
        env_file = Path.cwd() / ".env"
        if not env_file.is_file():
            return None
    load_dotenv(env_file, override=False)
    return env_file


def load_settings(env_file: str | None = None) -> Settings:
    load_env_file(env_file)
    return Settings.from_env()
