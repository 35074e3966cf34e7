"""Logging for operators: text or one JSON object a line, no secrets, no users' words.

- `LOG_FORMAT=json` (python-json-logger) gives log collectors one object per line; fields
  passed as `extra` (surface, team, outcome, ms…) become keys.
- Bolt logs a refused signature at INFO with the whole request body (a user's command text
  and its response_url); that line is dropped here: bot/web.py logs the refusal without it.
- Bolt warns at every start that the token is unused when a client is given, which is how
  Steward builds its app on purpose; that one message is dropped.
- Any secret the settings hold (tokens, the database password) is masked in every line.
- APScheduler's two INFO lines per run are turned down: the scheduler logs its own count;
  slack_sdk's lines about each failed call and retry too: ApiObserver logs one per failure.
"""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from bot.config import Settings, scrub

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET = {
    "alembic": logging.WARNING,
    "apscheduler": logging.WARNING,
    # three lines per failed call and retry; bot/metrics.py's ApiObserver logs one instead
    "slack_sdk.web.base_client": logging.CRITICAL,
    # at DEBUG it logs each response_url answer, which quotes what the user typed
    "slack_sdk.webhook.client": logging.INFO,
}
DROPPED = (
    "As you gave `client` as well, `token` will be unused",
    "Invalid request signature detected",
)


class Hygiene(logging.Filter):
    """Drops Bolt's noisy or body-carrying lines and masks secrets in the rest."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.name.startswith("slack_bolt") and any(d in message for d in DROPPED):
            return False
        if self.secrets and any(s in message for s in self.secrets):
            record.msg, record.args = scrub(message, self.secrets), ()
        return True


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    return logging.Formatter(TEXT_FORMAT)


def setup_logging(settings: Settings) -> logging.Handler:
    """One handler on the root logger, to stderr; replaces one set up before (tests, reruns)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "steward", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.steward = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter(settings.log_format))
    handler.addFilter(Hygiene(settings.secrets()))
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name, level in QUIET.items():
        logging.getLogger(name).setLevel(max(level, root.level))
    return handler
