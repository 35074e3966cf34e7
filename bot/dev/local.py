"""A whole Slack on this machine: the Web API stand-in, the real app served over HTTP, and
signed requests shaped as Slack sends them. The end-to-end tests and the console drive it."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

from bot.blocks import rendered
from bot.config import Settings
from bot.dev.standin import SlackStandIn, WaitTimedOut
from bot.install import adopt_env_token
from bot.steward import Steward
from bot.web import WebApp, make_server
from bot.workspaces import TokenSource
from handlers.app import create_app

SIGNING_SECRET = "local-signing-secret"


@dataclass
class HttpResult:
    status: int
    body: str
    elapsed: float

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_request(
    url: str,
    secret: str,
    body: bytes,
    content_type: str = "application/x-www-form-urlencoded",
    *,
    timestamp: int | None = None,
    signature: str | None = None,
    headers: dict[str, str] | None = None,
) -> urllib.request.Request:
    """A POST to `url`/slack/events signed as Slack signs its requests."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return urllib.request.Request(
        url + "/slack/events",
        data=body,
        method="POST",
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature or sign(secret, stamp, body),
            **(headers or {}),
        },
    )


class LocalSlack:
    def __init__(
        self,
        database_url: str,
        *,
        standin: SlackStandIn | None = None,
        outbox_interval: float = 0.0,
        signing_secret: str = SIGNING_SECRET,
        tokens: TokenSource | None = None,
        oauth: bool = False,
    ) -> None:
        """`tokens`: each workspace's bot token (several workspaces, Bolt's `authorize`);
        `oauth`: several workspaces installed through OAuth (the stand-in's client id);
        neither: the one token `xoxb-local`, as a single-workspace install."""
        self._own_standin = standin is None  # started here: close() stops it
        self.standin = standin or SlackStandIn().start()
        self.team_id = self.standin.team_id
        self.signing_secret = signing_secret
        settings = Settings(
            bot_token="xoxb-local",
            signing_secret=signing_secret,
            database_url=database_url,
            slack_api_url=self.standin.api_url,
            port=0,
            outbox_interval=outbox_interval,
            client_id=self.standin.client_id if oauth else None,  # several workspaces
            client_secret=self.standin.client_secret if oauth else None,
        )
        try:
            self.steward = Steward.from_settings(settings, tokens)
            self.steward.db.upgrade()
        except BaseException:  # a database it cannot use: no stand-in left serving
            if self._own_standin:
                self.standin.stop()
            raise
        adopt_env_token(settings, self.steward.db, self.steward.client, self.steward.clock.now())
        self.listeners = self.steward.work
        """Where the listeners' work runs after each ack (tests wait on it: `wait_idle`)."""
        self.app = create_app(self.steward)
        self.web = WebApp(self.app, metrics=self.steward.metrics)
        self.server = make_server(self.web, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self._thread = threading.Thread(target=self._serve, name="steward-http", daemon=True)
        self._thread.start()
        self.web.ready.set()
        self.steward.outbox.start()
        self._ids = itertools.count(1)
        self.claims: dict[str, str] = {}
        """user → the team their payloads name, when it is not the team Slack has on record for
        them (tests: a payload may claim anything; Steward must believe users.info)."""

    def _serve(self) -> None:
        self.server.run()

    def settle(self, timeout: float = 10.0) -> Literal[True]:
        """Wait until every listener has finished and the outbox has delivered all it can;
        WaitTimedOut (an AssertionError) when that did not happen within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.listeners.wait_idle(max(0.0, deadline - time.monotonic())):
                running = self.listeners.held
                raise WaitTimedOut(f"listeners to finish ({running} still running)", timeout)
            if not self.steward.outbox.drain(timeout=max(0.0, deadline - time.monotonic())):
                raise WaitTimedOut("the outbox to deliver every queued message", timeout)
            if self.listeners.held == 0:
                return True
        raise WaitTimedOut("the app to settle (listeners done, outbox empty)", timeout)

    def close(self) -> None:
        """Stop and join every thread this started: the web server's, the listeners' pool, the
        outbox worker, and the stand-in when it was started here."""
        self.server.close()
        self._thread.join(timeout=5)
        self.listeners.shutdown(timeout=10)
        self.steward.outbox.stop()
        if self._own_standin:
            self.standin.stop()
        self.steward.db.dispose()

    # -- the wire ------------------------------------------------------------------------------
    def post(
        self,
        body: bytes,
        content_type: str = "application/x-www-form-urlencoded",
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpResult:
        request = signed_request(
            self.url,
            self.signing_secret,
            body,
            content_type,
            timestamp=timestamp,
            signature=signature,
            headers=headers,
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as error:
            text, status = error.read().decode(), error.code
        return HttpResult(status, text, time.monotonic() - started)

    def command(
        self, command: str, text: str, *, user: str, channel: str, **fields: str
    ) -> tuple[HttpResult, str]:
        """Send a slash command as Slack does; returns the HTTP result and its response_url key.
        The payload names the person's own team (`team_id=` in `fields` overrides it)."""
        key = f"cmd-{uuid.uuid4().hex[:12]}"
        user_info = self.standin.users.get(user, {})
        channel_info = self.standin.channels.get(channel, {})
        form = {
            "token": "legacy-verification-token",
            "team_id": self.team_of(user),
            "team_domain": self.standin.team_domain,
            "channel_id": channel,
            "channel_name": channel_info.get("name", "directmessage"),
            "user_id": user,
            "user_name": user_info.get("name", user.lower()),
            "command": command,
            "text": text,
            "api_app_id": "A0STEWARD",
            "is_enterprise_install": "false",
            "response_url": self.standin.response_url(key),
            "trigger_id": f"{next(self._ids)}.{int(time.time())}.trigger",
            **fields,
        }
        return self.post(urlencode(form).encode()), key

    def interaction(self, payload: dict[str, Any]) -> HttpResult:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body)

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int = 0
    ) -> HttpResult:
        envelope = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "api_app_id": "A0STEWARD",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": self.team_id, "user_id": self.standin.bot_user_id, "is_bot": True}
            ],
        }
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(
            json.dumps(envelope).encode(), "application/json", headers=headers if retry else None
        )

    def unshare(self, channel: str, team: str = "TCLIENT") -> None:
        """The other organisation leaves the channel: Slack sends `channel_unshared`."""
        self.standin.channels[channel].update(is_ext_shared=False, is_shared=False)
        self.event(
            {
                "type": "channel_unshared",
                "previously_connected_team_id": team,
                "channel": channel,
                "is_ext_shared": False,
                "event_ts": f"{time.time():.6f}",
            }
        )

    def share(self, channel: str, team: str = "TCLIENT", *, event: bool = True) -> None:
        """The channel becomes shared with another organisation (Slack Connect): Slack says so
        in conversations.info, and sends `channel_shared` (unless `event` is False)."""
        self.standin.channels[channel].update(is_ext_shared=True, is_shared=True)
        if event:
            self.event(
                {
                    "type": "channel_shared",
                    "connected_team_id": team,
                    "channel": channel,
                    "event_ts": f"{time.time():.6f}",
                }
            )

    # -- what came back -------------------------------------------------------------------------
    def response(self, key: str, timeout: float = 10) -> dict[str, Any]:
        """The message the app posted to the response_url of the command sent with `key`."""
        self.standin.wait_for(
            lambda: any(r["key"] == key for r in self.standin.responses),
            timeout,
            what=f"a post to the response_url of {key}",
        )
        return next(r["payload"] for r in self.standin.responses if r["key"] == key)

    def response_text(self, key: str) -> str:
        return rendered(self.response(key))

    def posts(self, channel: str) -> list[dict[str, Any]]:
        return [m for m in self.standin.messages if m["channel"] == channel]

    def wait_posts(self, channel: str, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        """The posts in `channel` once there are at least `count` (WaitTimedOut if not)."""
        self.standin.wait_for(
            lambda: len(self.posts(channel)) >= count,
            timeout,
            what=f"{count} post(s) in {channel} (have {len(self.posts(channel))})",
        )
        return self.posts(channel)

    # -- payload shapes ------------------------------------------------------------------------
    def team_of(self, user: str) -> str:
        """The team a payload names for `user`: their own, unless a test made it claim another."""
        info = self.standin.users.get(user, {})
        return self.claims.get(user) or info.get("team_id", self.team_id)

    def user_ref(self, user: str) -> dict[str, str]:
        info = self.standin.users.get(user, {})
        return {
            "id": user,
            "username": info.get("name", user.lower()),
            "name": info.get("name", user.lower()),
            "team_id": self.team_of(user),
        }

    def team_ref(self, user: str) -> dict[str, str]:
        """The `team` of an interaction: the workspace of the person who acted."""
        return {"id": self.user_ref(user)["team_id"], "domain": self.standin.team_domain}

    def view_submission(
        self, user: str, view: dict[str, Any], values: dict[str, Any]
    ) -> HttpResult:
        """Submit a modal the app opened, with `values` as Slack's view.state.values."""
        submitted = {
            **view,
            "id": view.get("id", "V0001"),
            "team_id": self.team_id,
            "app_installed_team_id": self.team_id,
            "state": {"values": values},
            "hash": "1.abc",
        }
        return self.interaction(
            {
                "type": "view_submission",
                "team": self.team_ref(user),
                "user": self.user_ref(user),
                "api_app_id": "A0STEWARD",
                "token": "legacy-verification-token",
                "trigger_id": f"{next(self._ids)}.trigger",
                "view": submitted,
                "response_urls": [],
                "is_enterprise_install": False,
            }
        )

    def block_suggestion(
        self, user: str, action_id: str, value: str, view: dict[str, Any]
    ) -> HttpResult:
        return self.interaction(
            {
                "type": "block_suggestion",
                "user": self.user_ref(user),
                "container": {"type": "view", "view_id": view.get("id", "V0001")},
                "api_app_id": "A0STEWARD",
                "token": "legacy-verification-token",
                "action_id": action_id,
                "block_id": "account",
                "value": value,
                "team": self.team_ref(user),
                "view": view,
            }
        )

    def block_actions(
        self,
        user: str,
        action: dict[str, Any],
        *,
        channel: str | None = None,
        message: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        response_key: str | None = None,
    ) -> HttpResult:
        """A button click or menu choice, on a message (channel + message) or in a view."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": self.team_ref(user),
            "user": self.user_ref(user),
            "api_app_id": "A0STEWARD",
            "token": "legacy-verification-token",
            "trigger_id": f"{next(self._ids)}.trigger",
            "actions": [{"action_ts": f"{time.time():.6f}", "block_id": "b", **action}],
            "is_enterprise_install": False,
        }
        if message is not None:
            payload["container"] = {
                "type": "message",
                "message_ts": message.get("ts"),
                "channel_id": channel,
                "is_ephemeral": False,
            }
            payload["channel"] = {
                "id": channel,
                "name": self.standin.channels.get(channel or "", {}).get("name", ""),
            }
            payload["message"] = message
            payload["response_url"] = self.standin.response_url(
                response_key or f"act-{next(self._ids)}"
            )
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id", "V0001")}
            payload["view"] = view
        return self.interaction(payload)

    def message_shortcut(
        self, user: str, callback_id: str, channel: str, message: dict[str, Any]
    ) -> HttpResult:
        return self.interaction(
            {
                "type": "message_action",
                "token": "legacy-verification-token",
                "action_ts": f"{time.time():.6f}",
                "team": self.team_ref(user),
                "user": self.user_ref(user),
                "channel": {
                    "id": channel,
                    "name": self.standin.channels.get(channel, {}).get("name", ""),
                },
                "is_enterprise_install": False,
                "callback_id": callback_id,
                "trigger_id": f"{next(self._ids)}.trigger",
                "response_url": self.standin.response_url(f"shortcut-{next(self._ids)}"),
                "message_ts": message["ts"],
                "message": message,
            }
        )
