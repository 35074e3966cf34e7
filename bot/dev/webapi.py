"""The Web API methods the stand-in answers (bot/dev/standin.py), in Slack's shapes: a method
`chat.postMessage` is answered by `_chat_postMessage`."""

from __future__ import annotations

import base64
import itertools
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo


class SlackError(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class WebApiMethods:
    """Mixed into SlackStandIn, which holds the state these methods read and record."""

    team_id: str
    team_domain: str
    bot_user_id: str
    bot_id: str
    users: dict[str, dict[str, Any]]
    channels: dict[str, dict[str, Any]]
    messages: list[dict[str, Any]]
    ephemerals: list[dict[str, Any]]
    views: list[dict[str, Any]]
    _lock: threading.RLock
    _listeners: list[Callable[[str, dict[str, Any]], None]]
    _view_ids: itertools.count[int]
    client_id: str
    client_secret: str
    workspaces: dict[str, dict[str, Any]]
    """bot token → the workspace it belongs to (add_workspace; others are `team_id`'s)."""
    codes: dict[str, str]
    """OAuth code → the bot token it is exchanged for, once (oauth.v2.access)."""
    _caller: threading.local
    add_user: Callable[..., dict[str, Any]]
    """SlackStandIn.add_user: a person (here, another workspace's bot user)."""

    def _record(self, kind: str, into: list[dict[str, Any]], record: dict[str, Any]) -> None:
        raise NotImplementedError

    def _next_ts(self) -> str:
        raise NotImplementedError

    def _store_message(self, message: dict[str, Any], ts: str | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def _channel(self, channel_id: str | None) -> str:
        raise NotImplementedError

    def _open_im(self, user_id: str) -> str:
        raise NotImplementedError

    # -- workspaces and OAuth ----------------------------------------------------------------
    def add_workspace(
        self,
        team_id: str,
        name: str,
        *,
        bot_user_id: str,
        bot_id: str,
        installer: str = "UINSTALLER",
        token: str | None = None,
    ) -> str:
        """Another workspace that can install the app (its bot user added): returns the OAuth
        code Slack would hand the browser after its `installer` approved the install (one
        use). Its bot token is `token` (for a test that hands it over itself) or a new one."""
        token = token or f"xoxb-{team_id}-{uuid.uuid4().hex[:12]}"
        self.add_user(bot_user_id, "steward", real_name="Steward", team_id=team_id, is_bot=True)
        with self._lock:
            self.workspaces[token] = {
                "team_id": team_id,
                "team": name,
                "user_id": bot_user_id,
                "bot_id": bot_id,
                "installer": installer,
            }
            code = f"code-{uuid.uuid4().hex[:12]}"
            self.codes[code] = token
        return code

    def workspace_of(self, token: str | None) -> dict[str, Any]:
        """The workspace a bot token belongs to: one added by add_workspace, else the home one."""
        found = self.workspaces.get(token or "")
        if found:
            return found
        home = {"team_id": self.team_id, "team": self.team_domain}
        return {**home, "user_id": self.bot_user_id, "bot_id": self.bot_id}

    def _oauth_exchange(
        self, params: dict[str, Any], auth: str | None
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        """oauth.v2.access: the app's id and secret (HTTP Basic, or in the form) and a code."""
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        if (auth or "").startswith("Basic "):
            decoded = base64.b64decode(auth.removeprefix("Basic ")).decode()  # type: ignore[union-attr]
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id:
            return 200, {}, {"ok": False, "error": "invalid_client_id"}
        if client_secret != self.client_secret:
            return 200, {}, {"ok": False, "error": "bad_client_secret"}
        with self._lock:  # a code is good once
            token = self.codes.pop(str(params.get("code") or ""), None)
        if token is None:
            return 200, {}, {"ok": False, "error": "invalid_code"}
        workspace = self.workspaces[token]
        return 200, {}, {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write,users:read",
            "bot_user_id": workspace["user_id"],
            "app_id": "A0STEWARD",
            "team": {"id": workspace["team_id"], "name": workspace["team"]},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": workspace["installer"]},
        }

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        workspace = self.workspace_of(getattr(self._caller, "token", None))
        return {
            "url": f"https://{workspace['team']}.slack.com/",
            "team": workspace["team"],
            "user": "steward",
            "team_id": workspace["team_id"],
            "user_id": workspace["user_id"],
            "bot_id": workspace["bot_id"],
            "app_id": "A0STEWARD",
        }

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(params.get("user", ""))
        if user is None:
            raise SlackError("user_not_found")
        offset = datetime.now(UTC).astimezone(ZoneInfo(user["tz"])).utcoffset()
        if str(params.get("include_locale", "")).lower() not in ("true", "1"):
            user = {k: v for k, v in user.items() if k != "locale"}  # as Slack: only if asked
        return {
            "user": {
                **user,
                "tz_label": user["tz"],
                "tz_offset": int(offset.total_seconds()) if offset else 0,
                "profile": {"real_name": user["real_name"], "display_name": user["name"]},
            }
        }

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(params.get("channel", ""))
        if channel is None:
            raise SlackError("channel_not_found")
        return {"channel": channel}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = str(params.get("users", "")).split(",")
        if not users[0] or users[0] not in self.users:
            raise SlackError("user_not_found")
        return {"channel": {"id": self._open_im(users[0])}}

    def _conversations_members(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._channel(params.get("channel"))
        members = list(self.channels.get(channel_id, {}).get("members", []))
        limit = int(params.get("limit") or 100)
        more = "next" if len(members) > limit else ""  # the stand-in serves the first page
        return {"members": members[:limit], "response_metadata": {"next_cursor": more}}

    def _conversations_join(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._channel(params.get("channel"))
        members = self.channels[channel_id].setdefault("members", [])
        if self.bot_user_id not in members:
            members.append(self.bot_user_id)
        return {"channel": self.channels[channel_id]}

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params.get("channel"))
        if not params.get("text") and not params.get("blocks"):
            raise SlackError("no_text")
        message = self._store_message(
            {
                "channel": channel,
                "text": params.get("text", ""),
                "blocks": params.get("blocks"),
                "thread_ts": params.get("thread_ts"),
                "user": self.bot_user_id,
                "bot_id": self.bot_id,
                "metadata": params.get("metadata"),
            }
        )
        return {"channel": channel, "ts": message["ts"], "message": message}

    def _find(self, channel: str | None, ts: str | None) -> dict[str, Any]:
        for message in self.messages:
            if message["channel"] == channel and message["ts"] == ts:
                return message
        raise SlackError("message_not_found")

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find(params.get("channel"), params.get("ts"))
        with self._lock:
            for name in ("text", "blocks"):
                if name in params:
                    message[name] = params[name]
            message["edited"] = True
        for listener in list(self._listeners):
            listener("update", message)
        return {"channel": message["channel"], "ts": message["ts"], "text": message["text"]}

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find(params.get("channel"), params.get("ts"))
        with self._lock:
            self.messages.remove(message)
        return {"channel": message["channel"], "ts": message["ts"]}

    def _chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params.get("channel"))
        self._record(
            "ephemeral",
            self.ephemerals,
            {
                "channel": channel,
                "user": params.get("user"),
                "text": params.get("text", ""),
                "blocks": params.get("blocks"),
                "thread_ts": params.get("thread_ts"),
            },
        )
        return {"message_ts": self._next_ts()}

    def _chat_getPermalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel", ""), params.get("message_ts", "")
        message = self._find(channel, ts)
        link = f"https://{self.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        if message.get("thread_ts") and message["thread_ts"] != ts:
            link += f"?thread_ts={message['thread_ts']}&cid={channel}"
        return {"channel": channel, "permalink": link}

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params.get("channel"))
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or "inf")
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [
            self._shown(m, with_metadata)
            for m in reversed(self.messages)
            if m["channel"] == channel
            and (not m.get("thread_ts") or m["thread_ts"] == m["ts"])
            and oldest <= float(m["ts"]) <= latest
        ]
        limit = int(params.get("limit") or 100)
        return {"messages": found[:limit], "has_more": len(found) > limit}

    def _conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel"), params.get("ts")
        thread = [
            self._shown(m, True)
            for m in self.messages
            if m["channel"] == channel and (m["ts"] == ts or m.get("thread_ts") == ts)
        ]
        if not thread:
            raise SlackError("thread_not_found")
        return {"messages": thread, "has_more": False}

    @staticmethod
    def _shown(message: dict[str, Any], with_metadata: bool) -> dict[str, Any]:
        shown = {k: v for k, v in message.items() if k != "channel" and v is not None}
        if not with_metadata:
            shown.pop("metadata", None)
        return shown

    def _open_view(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments")
        view_id = params.get("view_id") or f"V{next(self._view_ids):05d}"
        record = {"method": method, "view_id": view_id, "view": {**view, "id": view_id}}
        for name in ("trigger_id", "user_id", "external_id"):
            if name in params:
                record[name] = params[name]
        self._record("view", self.views, record)
        return {"view": record["view"]}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id"):
            raise SlackError("invalid_trigger_id")
        return self._open_view("views.open", params)

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._open_view("views.push", params)

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._open_view("views.update", params)

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._open_view("views.publish", params)

    def _reactions_add(self, params: dict[str, Any]) -> dict[str, Any]:
        return {}
