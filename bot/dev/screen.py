"""How the console shows what Steward sent to Slack: messages, ephemerals, answers and forms,
as a person would read them in a terminal (mentions by name, buttons numbered)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from bot.dev.standin import SlackStandIn
from bot.slacktext import unescape

SLACK_TOKEN = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>|<(https?://[^>|]+)(?:\|([^>]*))?>")


@dataclass
class Button:
    label: str
    element: dict[str, Any]
    block_id: str
    channel: str | None
    message: dict[str, Any]
    response_url_key: str | None = None


class Screen:
    """The console's output side; Console (bot/dev/console.py) is its input side."""

    out: TextIO
    standin: SlackStandIn
    user: str
    channel: str
    answering_in: str | None
    shown: list[tuple[str, str]]
    buttons: list[Button]
    view: dict[str, Any] | None

    def _name_of(self, user_id: str) -> str:
        raise NotImplementedError

    def _place(self, channel_id: str) -> str:
        raise NotImplementedError

    def terminal_text(self, text: str) -> str:
        """Slack mrkdwn as a person reads it: mentions by name, links by label."""

        def label(match: re.Match[str]) -> str:
            sigil, target, name, url, url_label = match.groups("")
            if url:
                return f"{url_label} ({url})" if url_label else url
            if sigil == "@":
                return self._name_of(target)
            if sigil == "#":
                return "#" + (name or self.standin.channels.get(target, {}).get("name", target))
            return "@" + (name or target).lstrip("@")

        return unescape(SLACK_TOKEN.sub(label, text))

    def _show(self, kind: str, record: dict[str, Any]) -> None:
        if kind == "view":
            self.view = record["view"]
            self._print(self._render_view(self.view))
            return
        if kind == "response":
            payload = record["payload"]
            if payload.get("delete_original"):
                return
            seen_by = (
                "" if payload.get("response_type") == "in_channel" else " (only you can see this)"
            )
            head = f"[{self._place(self.answering_in or self.channel)}] Steward{seen_by}:"
            self._print(self._render(head, payload, None, record.get("key")))
            return
        if kind == "ephemeral":
            if record.get("user") != self.user:
                return
            head = f"[{self._place(record['channel'])}] Steward (only you can see this):"
            self._print(self._render(head, record, record["channel"], None))
            return
        channel, ts = record["channel"], record["ts"]
        number = self._number(channel, ts)
        where = self._place(channel)
        root = record.get("thread_ts")
        if root and root != ts:
            where += f" › thread of ({self._number(channel, root)})"
        edited = " (updated)" if kind == "update" else ""
        head = f"({number}) [{where}] Steward{edited}:"
        self._print(self._render(head, record, channel, None))

    def _number(self, channel: str, ts: str) -> int:
        if (channel, ts) not in self.shown:
            self.shown.append((channel, ts))
        return self.shown.index((channel, ts)) + 1

    def _render(
        self, head: str, message: dict[str, Any], channel: str | None, response_key: str | None
    ) -> str:
        lines = [head]
        blocks = message.get("blocks") or []
        if not blocks:
            lines += [
                "  " + line for line in self.terminal_text(message.get("text", "")).split("\n")
            ]
        for block in blocks:
            lines += self._render_block(block, message, channel, response_key)
        return "\n".join(lines)

    def _render_block(
        self,
        block: dict[str, Any],
        message: dict[str, Any],
        channel: str | None,
        response_key: str | None,
    ) -> list[str]:
        kind = block.get("type")
        text = (
            (block.get("text") or {}).get("text", "") if isinstance(block.get("text"), dict) else ""
        )
        if kind == "header":
            return [f"  == {self.terminal_text(text)} =="]
        if kind == "divider":
            return ["  ----"]
        if kind == "section":
            out = ["  " + line for line in self.terminal_text(text).split("\n") if text]
            for item in block.get("fields", []):
                out.append("    " + self.terminal_text(item.get("text", "")).replace("\n", " "))
            if block.get("accessory"):
                out += self._render_elements(
                    [block["accessory"]], block, message, channel, response_key
                )
            return out
        if kind == "context":
            parts = [e.get("text", "") for e in block.get("elements", []) if "text" in e]
            return ["  · " + self.terminal_text(" ".join(parts))]
        if kind == "actions":
            return self._render_elements(
                block.get("elements", []), block, message, channel, response_key
            )
        if kind == "rich_text":
            return []
        return [f"  ({kind} block)"] if text == "" else ["  " + self.terminal_text(text)]

    def _render_elements(
        self,
        elements: Iterable[dict[str, Any]],
        block: dict[str, Any],
        message: dict[str, Any],
        channel: str | None,
        response_key: str | None,
    ) -> list[str]:
        shown = []
        for element in elements:
            kind = element.get("type")
            if kind == "button":
                label = element["text"]["text"]
            elif kind == "datepicker":
                label = (element.get("placeholder") or {}).get("text", "Pick a date") + " …date"
            else:
                continue
            self.buttons.append(
                Button(label, element, block.get("block_id", ""), channel, message, response_key)
            )
            shown.append(f"[{len(self.buttons)} {label}]")
        return ["  " + " ".join(shown)] if shown else []

    def _render_view(self, view: dict[str, Any]) -> str:
        title = (view.get("title") or {}).get("text", "Form")
        lines = [f"Steward opened a form: “{title}”"]
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            element = block.get("element", {})
            initial = (
                element.get("initial_value")
                or element.get("initial_date")
                or ((element.get("initial_option") or {}).get("text") or {}).get("text")
                or (element.get("initial_user") and self._name_of(element["initial_user"]))
            )
            optional = " (optional)" if block.get("optional") else ""
            now = f" = {self.terminal_text(str(initial))}" if initial else ""
            label = block["label"]["text"]
            lines.append(f"  {block['block_id']}: {label}{optional}{now}")
        lines.append(
            "  Fill it in with :submit field=value … (quote values with spaces), or :cancel"
        )
        return "\n".join(lines)

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)
