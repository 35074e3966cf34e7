"""A Slack Web API stand-in served over real HTTP on 127.0.0.1.

The end-to-end tests point slack_sdk's WebClient (and Bolt's response_url posts) at it, and the
console renders what the bot sends through it. It answers with Slack's shapes, records every
call, and can be told to be slow or to fail (429 with Retry-After, 5xx, ok:false errors).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl, urlparse

from bot.dev.limits import DROPPED, Answer, Faults, Tiers, landed, refused
from bot.dev.webapi import SlackError, WebApiMethods

Listener = Callable[[str, dict[str, Any]], None]
JSON_FIELDS = ("blocks", "view", "metadata", "attachments")


class WaitTimedOut(AssertionError):
    """A wait for something the app should do ran out: an AssertionError, so a test fails even
    where its author forgot to assert, and the message says what was awaited."""

    def __init__(self, what: str, timeout: float) -> None:
        super().__init__(f"timed out after {timeout:g} s waiting for {what}")


def described(predicate: Callable[[], object]) -> str:
    """`<lambda> at tests/test_x.py:12`: where a waited-for condition was written."""
    code = getattr(predicate, "__code__", None)
    name = getattr(predicate, "__qualname__", repr(predicate))
    return f"{name} at {code.co_filename}:{code.co_firstlineno}" if code else name




class SlackStandIn(WebApiMethods):
    def __init__(
        self,
        *,
        team_id: str = "T0001",
        team_domain: str = "steward-demo",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        latency: float = 0.0,
    ) -> None:
        self.team_id = team_id
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.latency = latency
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.calls: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.ephemerals: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        self.views: list[dict[str, Any]] = []
        self._faults: dict[str, list[tuple[int, int | None, str | None]]] = {}
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()
        self._ts = itertools.count(1)
        self.now: Callable[[], float] = time.time  # the console sets its own clock here
        self._view_ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self.client_id, self.client_secret = "1111.2222", "standin-client-secret"
        self.workspaces: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, str] = {}
        self._caller = threading.local()  # the token of the call being answered
        self._thread: threading.Thread | None = None
        self.posted: Counter[str] = Counter()  # posts that landed, by their outbox key
        self.tiers: Tiers | None = None  # Slack's rate limits, enforced when set
        self.faults: Faults | None = None  # a seeded share of failing calls, when set
        self.add_user(bot_user_id, "steward", real_name="Steward", is_bot=True)

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> SlackStandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                stand_in._handle(self)

            def do_GET(self) -> None:
                stand_in._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits for the next poll: 0.5 s by default
            name="slack-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and join the serving thread (a request's own thread ends with its
        connection: the app's clients close theirs after each call)."""
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server, "start() the stand-in first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    def response_url(self, key: str = "") -> str:
        return f"{self.base_url}/response/{key or uuid.uuid4().hex}"

    # -- directory and scripting -----------------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        tz: str = "Europe/Warsaw",
        team_id: str | None = None,
        is_bot: bool = False,
        locale: str = "en-GB",
    ) -> dict[str, Any]:
        user = {
            "id": user_id,
            "team_id": team_id or self.team_id,
            "name": name,
            "real_name": real_name or name,
            "tz": tz,
            "is_bot": is_bot,
            "locale": locale,
        }
        self.users[user_id] = user
        return user

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_ext_shared: bool = False,
        is_private: bool = False,
        members: list[str] | None = None,
    ) -> dict[str, Any]:
        channel = {
            "id": channel_id,
            "name": name,
            "is_channel": not is_private,
            "is_group": is_private,
            "is_im": False,
            "is_private": is_private,
            "is_ext_shared": is_ext_shared,
            "is_shared": is_ext_shared,
            "members": list(members or []),
        }
        self.channels[channel_id] = channel
        return channel

    def fail(
        self,
        method: str,
        *,
        status: int = 500,
        times: int = 1,
        retry_after: int | None = None,
        error: str | None = None,
    ) -> None:
        """Make the next `times` calls of `method` fail; they are recorded and change nothing."""
        with self._lock:
            self._faults.setdefault(method, []).extend([(status, retry_after, error)] * times)

    def readable_outside(self, channel: str) -> bool:
        """Whether someone of another organisation can read `channel` now: a shared channel,
        or a DM with such a person (`D<user>`, or a user id)."""
        if channel in self.channels and not self.channels[channel].get("is_im"):
            return bool(self.channels[channel].get("is_ext_shared"))
        user = self.channels.get(channel, {}).get("user") or channel.removeprefix("D")
        return user in self.users and self.users[user]["team_id"] != self.team_id

    def add_listener(self, fn: Listener) -> None:
        self._listeners.append(fn)

    def wait_for(
        self, predicate: Callable[[], object], timeout: float = 5.0, what: str | None = None
    ) -> Literal[True]:
        """Poll `predicate` until it is truthy; on timeout raise WaitTimedOut (an
        AssertionError naming `what`, or where the predicate was written)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.01)
        if predicate():
            return True
        raise WaitTimedOut(what or described(predicate), timeout)

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str,
        thread_ts: str | None = None,
        ts: str | None = None,
    ) -> dict[str, Any]:
        """Seed a message written by a person (for conversations.history and .replies)."""
        return self._store_message(
            {"channel": channel, "text": text, "user": user, "thread_ts": thread_ts}, ts=ts
        )

    def reset(self) -> None:
        with self._lock:
            for record in (self.calls, self.messages, self.ephemerals, self.responses, self.views):
                record.clear()
            self.posted.clear()
            self._faults.clear()

    # -- more workspaces ---------------------------------------------------------------------------
    @staticmethod
    def token_of(params: dict[str, Any], auth: str | None) -> str:
        """The token a call was made with (a `token` field, else the Authorization header)."""
        return str(params.get("token") or (auth or "").removeprefix("Bearer ").strip())

    def calls_with(self, token: str, method: str) -> list[dict[str, Any]]:
        """The calls of `method` made with `token`, in order."""
        with self._lock:
            return [c for c in self.calls if c["method"] == method and c["token"] == token]

    # -- HTTP ------------------------------------------------------------------------------------
    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        url = urlparse(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        if url.path.startswith("/response/"):
            try:
                payload = json.loads(raw or b"{}")
            except ValueError:
                payload = {"raw": raw.decode(errors="replace")}
            self._record(
                "response",
                self.responses,
                {
                    "key": url.path.removeprefix("/response/"),
                    "payload": payload,
                    "at": time.time(),
                },
            )
            self._send(request, 200, b"ok", "text/plain")
            return
        if not url.path.startswith("/api/"):
            self._send(request, 404, b"not found", "text/plain")
            return
        method = url.path.removeprefix("/api/")
        params = self._params(request, raw, url.query)
        if self.latency:
            time.sleep(self.latency)
        shared = self.readable_outside(str(params.get("channel") or ""))
        status, headers, body = self._answer(method, params, request.headers.get("Authorization"))
        with self._lock:
            self.calls.append(
                {
                    "method": method,
                    "params": params,
                    "status": status,
                    "at": time.time(),
                    "shared": shared,  # could another organisation read the channel then?
                    "token": self.token_of(params, request.headers.get("Authorization")),
                }
            )
        if status == DROPPED:
            request.close_connection = True  # no answer: the caller cannot know it landed
            return
        self._send(request, status, json.dumps(body).encode(), "application/json", headers)

    @staticmethod
    def _params(request: BaseHTTPRequestHandler, raw: bytes, query: str) -> dict[str, Any]:
        params: dict[str, Any] = dict(parse_qsl(query))
        content_type = request.headers.get("Content-Type", "")
        if "json" in content_type and raw:
            params.update(json.loads(raw))
        elif raw:
            params.update(parse_qsl(raw.decode()))
        for name in JSON_FIELDS:
            if isinstance(params.get(name), str):
                with contextlib.suppress(ValueError):
                    params[name] = json.loads(params[name])
        return params

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        with contextlib.suppress(ConnectionError):  # the caller is gone (killed, timed out)
            request.wfile.write(body)

    def _answer(self, method: str, params: dict[str, Any], auth: str | None) -> Answer:
        early = refused(self.tiers, self.faults, method, params)
        if early:
            return early
        answer = self._scripted(method, params, auth)
        return landed(self.faults, self.posted, method, params, answer)

    def _scripted(self, method: str, params: dict[str, Any], auth: str | None) -> Answer:
        with self._lock:
            queue = self._faults.get(method)
            fault = queue.pop(0) if queue else None
        if fault:
            status, retry_after, error = fault
            if status == 429:
                headers = {"Retry-After": str(retry_after or 1)}
                return 429, headers, {"ok": False, "error": "ratelimited"}
            if status >= 500:
                return status, {}, {"ok": False, "error": "internal_error"}
            return 200, {}, {"ok": False, "error": error or "fatal_error"}
        if method == "oauth.v2.access":  # no token: the app's client id and secret
            return self._oauth_exchange(params, auth)
        token = self.token_of(params, auth)
        if not token.startswith("xox"):
            return 200, {}, {"ok": False, "error": "not_authed"}
        if token == "xoxb-invalid":
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        self._caller.token = token
        try:
            return 200, {}, {"ok": True, **handler(params)}
        except SlackError as error:
            return 200, {}, {"ok": False, "error": error.error}

    # -- recording -------------------------------------------------------------------------------
    def _record(self, kind: str, into: list[dict[str, Any]], record: dict[str, Any]) -> None:
        with self._lock:
            into.append(record)
        for listener in list(self._listeners):
            listener(kind, record)

    def _next_ts(self) -> str:
        """Like Slack's: the epoch second then a sequence, unique and increasing."""
        return f"{int(self.now())}.{next(self._ts):06d}"

    def _store_message(self, message: dict[str, Any], ts: str | None = None) -> dict[str, Any]:
        message = {"type": "message", "ts": ts or self._next_ts(), "reply_count": 0, **message}
        with self._lock:
            root_ts = message.get("thread_ts")
            if root_ts and root_ts != message["ts"]:
                for root in self.messages:
                    if root["ts"] == root_ts and root["channel"] == message["channel"]:
                        root["reply_count"] = root.get("reply_count", 0) + 1
        self._record("message", self.messages, message)
        return message

    def _channel(self, channel_id: str | None) -> str:
        if not channel_id:
            raise SlackError("channel_not_found")
        if channel_id in self.channels:
            return channel_id
        if channel_id.startswith("U") and channel_id in self.users:
            return self._open_im(channel_id)
        if channel_id.startswith("D"):
            return channel_id
        raise SlackError("channel_not_found")

    def _open_im(self, user_id: str) -> str:
        channel_id = "D" + user_id
        if channel_id not in self.channels:
            self.channels[channel_id] = {
                "id": channel_id,
                "name": user_id,
                "is_im": True,
                "is_channel": False,
                "is_private": True,
                "is_ext_shared": False,
                "user": user_id,
            }
        return channel_id
