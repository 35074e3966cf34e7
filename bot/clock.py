"""The one clock every service reads, so the console can move time forward."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        """Aware UTC now, shifted by `offset` (freezegun also works: it patches datetime)."""
        return datetime.now(UTC) + self.offset

    def today(self, tz: ZoneInfo) -> date:
        return self.now().astimezone(tz).date()
