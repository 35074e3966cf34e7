"""manifest.yml asks Slack for every event the app listens to (an event not subscribed to
never arrives), and turns on the surfaces the app draws (the Home tab)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bot_events() -> set[str]:
    manifest = (ROOT / "manifest.yml").read_text(encoding="utf-8")
    block = manifest.split("bot_events:", 1)[1]
    events = set()
    for line in block.splitlines()[1:]:
        match = re.match(r"\s+- ([\w.]+)", line)
        if not match:
            break
        events.add(match.group(1))
    return events


def test_every_event_listened_to_is_subscribed() -> None:
    listened = set()
    for path in (ROOT / "handlers").rglob("*.py"):
        listened |= set(re.findall(r'app\.event\("(\w+)"\)', path.read_text(encoding="utf-8")))
    subscribed = {event.split(".")[0] for event in bot_events()}
    assert listened, "no app.event(...) found: the test reads the wrong place"
    assert listened <= subscribed, f"not in manifest.yml's bot_events: {listened - subscribed}"


def test_the_home_tab_is_on() -> None:
    manifest = (ROOT / "manifest.yml").read_text(encoding="utf-8")
    assert re.search(r"app_home:\n(\s+\w+: \w+.*\n)*\s+home_tab_enabled: true", manifest)
