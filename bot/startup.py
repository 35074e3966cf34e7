"""Start-up checks: each failure an operator can fix is one line, `steward: …`.

A bad setting, the database or Slack not answering, the port taken: each raises a
bot.config.ConfigError with its own exit code (see the README's Operations section).
"""

from __future__ import annotations

import errno
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bot.config import (
    ConfigError,
    DatabaseUnavailable,
    PortUnavailable,
    Settings,
    SlackUnavailable,
    mask_secret,
    mask_url,
    scrub,
)

if TYPE_CHECKING:
    from bot.db import Database
    from bot.steward import Steward

log = logging.getLogger("steward")
SLACK_AUTH_ERRORS = {
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "token_expired",
    "account_inactive",
    "not_allowed_token_type",
}


@contextmanager
def database_errors(settings: Settings) -> Iterator[None]:
    """Connection failures (server down, no such database or role, bad password) as one line."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as error:
        reason = "; ".join(
            line.strip() for line in str(error.orig or error).splitlines() if line.strip()
        )
        raise DatabaseUnavailable(
            f"cannot use the database at DATABASE_URL={mask_url(settings.database_url)}: "
            f"{scrub(reason, settings.secrets())}"
        ) from None


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    from bot.db import Database

    db = Database(settings.database_url)
    with database_errors(settings):
        if migrate:
            db.upgrade()
        else:
            with db.engine.connect():
                pass
    return db


def check_slack(st: Steward, *, must_reach: bool = True) -> bool:
    """`auth.test` once at start: a refused token or an unreachable Slack is one line.

    With `must_reach` False (Socket Mode, which keeps trying to connect), an unreachable
    Slack is only reported: the answer is whether Slack was reached.
    """
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError
    from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

    api = st.settings.slack_api_url or "https://slack.com/api/"
    quiet = logging.getLogger("steward.startup")  # the one line below says it all
    quiet.setLevel(logging.CRITICAL)
    client = WebClient(
        token=st.client.token,
        base_url=st.client.base_url,
        timeout=10,
        logger=quiet,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )
    try:
        client.auth_test()
    except SlackApiError as error:
        code = str(error.response.get("error", "")) if error.response else ""
        status = error.response.status_code if error.response else 0
        if status < 400 and code in SLACK_AUTH_ERRORS:
            raise SlackUnavailable(
                f"SLACK_BOT_TOKEN {mask_secret(st.settings.bot_token)} was refused by Slack "
                f"({code}): copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions"
            ) from None
        problem = SlackUnavailable(
            f"Slack answered auth.test with HTTP {status} {code} at SLACK_API_URL={api}; "
            "try again later, or check SLACK_API_URL"
        )
    except Exception as error:  # network: DNS, refused, timeout, TLS
        reason = scrub(f"{type(error).__name__}: {error}", st.settings.secrets())
        problem = SlackUnavailable(
            f"Slack is unreachable at SLACK_API_URL={mask_url(api)} ({reason}); check the "
            "network, or SLACK_API_URL"
        )
    else:
        return True
    if must_reach:
        raise problem
    log.warning("%s; Socket Mode keeps trying", problem)
    return False


def check_listen_address(host: str, port: int) -> None:
    """HOST must resolve and HOST:PORT must be free, before anything else starts."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as error:
        raise ConfigError(
            f"HOST {host!r} does not resolve ({error}); use an address of this machine, "
            "like HOST=0.0.0.0 (all) or HOST=127.0.0.1"
        ) from None
    probe = socket.socket(family, kind, proto)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
    except OSError as error:
        raise port_error(host, port, error) from None
    finally:
        probe.close()


def port_error(host: str, port: int, error: OSError) -> ConfigError:
    if error.errno == errno.EADDRINUSE:
        why = "is in use by another process; stop it or choose another PORT"
    elif error.errno == errno.EACCES:
        why = "is not ours to take (ports below 1024 need privileges); use e.g. PORT=3000"
    elif error.errno == errno.EADDRNOTAVAIL:
        return ConfigError(f"HOST {host!r} is not an address of this machine; use HOST=0.0.0.0")
    else:
        why = f"cannot be listened on ({error.strerror or error})"
    return PortUnavailable(f"PORT {port} on HOST {host} {why}")
