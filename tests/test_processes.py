"""`steward serve` as a real process: over HTTP it answers a signed slash command, and in Socket
Mode it gets as far as opening the websocket; both stop cleanly on SIGTERM."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import queue
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlmodel import select

from bot.blocks import rendered
from bot.config import EXIT_PORT
from bot.db import Database
from bot.dev.local import SIGNING_SECRET, signed_request
from bot.dev.standin import SlackStandIn
from bot.models import Contact, Interaction
from tests.conftest import ACME_CHANNEL, ALICE, GENERAL
from tests.test_operations import WAIT, Process, clean_env, free_port, http_get, running

ROOT = Path(__file__).resolve().parent.parent
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
APP_TOKEN = "xapp-1-A0-test-token"


def process_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """A clean environment whose `python -m bot.cli` is this checkout's, wherever pytest runs."""
    env = clean_env(tmp_path, HOST="127.0.0.1", PORT=str(free_port()), **settings)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def healthy(process: Process, url: str) -> bool:
    """Wait for /healthz to answer 200. False if the process lost its port to another between
    free_port() and its start (exit 5: other test runs share this machine); any other exit, or
    no answer in time, fails the test."""
    deadline = time.monotonic() + WAIT
    while http_get(url + "/healthz")[0] != 200:
        if process.popen.poll() is not None:
            code, stderr, _ = process.stop()
            if code == EXIT_PORT:
                return False
            raise AssertionError(f"steward exited with {code} before /healthz:\n{stderr}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {WAIT:g} s waiting for {url}/healthz")
        time.sleep(0.05)
    return True


@contextlib.contextmanager
def serving(env: dict[str, str], tmp_path: Path) -> Iterator[Process]:
    """`steward serve` with `env`, healthy; a port taken meanwhile is tried again, twice."""
    for _ in range(3):
        env["PORT"] = str(free_port())
        with running(["serve"], env, tmp_path) as process:
            if healthy(process, f"http://127.0.0.1:{env['PORT']}"):
                yield process
                return
    raise AssertionError("three free ports were all taken before steward could listen")


def slash_command(url: str, standin: SlackStandIn, command: str, text: str, key: str) -> int:
    """POST a slash command as Slack sends it (every field, form-encoded, signed)."""
    user = standin.users[ALICE]
    form = {
        "token": "legacy-verification-token",
        "team_id": standin.team_id,
        "team_domain": standin.team_domain,
        "channel_id": GENERAL,
        "channel_name": "general",
        "user_id": ALICE,
        "user_name": user["name"],
        "command": command,
        "text": text,
        "api_app_id": "A0STEWARD",
        "is_enterprise_install": "false",
        "response_url": standin.response_url(key),
        "trigger_id": f"13345224609.738474920.{key}",
    }
    body = urlencode(form).encode()
    request = signed_request(url, SIGNING_SECRET, body)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def answer(standin: SlackStandIn, key: str) -> str:
    standin.wait_for(
        lambda: any(r["key"] == key for r in standin.responses),
        WAIT,
        what=f"the answer at the response_url {key}",
    )
    return rendered(next(r["payload"] for r in standin.responses if r["key"] == key))


def test_serve_over_http_answers_a_signed_command_and_stops_on_sigterm(
    database_url: str, standin: SlackStandIn, tmp_path: Path
) -> None:
    env = process_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=standin.api_url,
        DATABASE_URL=database_url,
    )
    with serving(env, tmp_path) as process:
        url = f"http://127.0.0.1:{env['PORT']}"
        added = f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail>"
        assert slash_command(url, standin, "/steward", added, "add") == 200
        assert "Acme Rail" in answer(standin, "add")
        typed = "acme call yesterday with Jan Kowalski: renewal agreed"
        assert slash_command(url, standin, "/logcontact", typed, "log") == 200
        text = answer(standin, "log")
        code, stderr, _ = process.stop(signal.SIGTERM)
    assert "Logged call with Jan Kowalski (new contact) at *Acme Rail*, yesterday" in text
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert "Steward stopped (SIGTERM)" in stderr.splitlines()[-1]
    db = Database(database_url)
    try:
        with db.session() as session:
            contacts = session.exec(select(Contact.name)).all()
            notes = session.exec(select(Interaction.kind, Interaction.summary)).all()
    finally:
        db.dispose()
    assert contacts == ["Jan Kowalski"]
    assert [tuple(n) for n in notes] == [("call", "renewal agreed")]


# -- Socket Mode ---------------------------------------------------------------------------------
class WebSocketListener:
    """A websocket server on 127.0.0.1 that records each opening handshake (the HTTP upgrade
    request) and accepts it, then reads frames until the client goes away."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}/link/?ticket=t-1&app_id=A0STEWARD"
        self.upgrades: queue.Queue[tuple[str, dict[str, str]]] = queue.Queue()
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as reader:
            request_line = reader.readline().decode().strip()
            headers: dict[str, str] = {}
            while (line := reader.readline().decode().strip()) != "":
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            self.upgrades.put((request_line, headers))
            accept = base64.b64encode(
                hashlib.sha1((headers.get("sec-websocket-key", "") + WS_GUID).encode()).digest()
            ).decode()
            conn.sendall(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept.encode() + b"\r\n\r\n"
            )
            with contextlib.suppress(OSError):  # a reset is a hang-up too
                while reader.read(1):  # frames (pings, the close) until the client hangs up
                    pass

    def upgrade(self, timeout: float) -> tuple[str, dict[str, str]]:
        try:
            return self.upgrades.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"timed out after {timeout:g} s waiting for the bot to open the websocket "
                f"at {self.url}"
            ) from None

    def close(self) -> None:
        with contextlib.suppress(OSError):  # close() alone does not wake accept() on Linux
            self.server.shutdown(socket.SHUT_RDWR)
        self.server.close()
        self._acceptor.join(WAIT)


class SocketStandIn(SlackStandIn):
    """The stand-in, also answering `apps.connections.open` (app token) with `ws_url`."""

    ws_url = ""
    opened: list[str]
    """The kind of token (its first five characters) of each apps.connections.open call."""

    def _answer(
        self, method: str, params: dict[str, Any], auth: str | None
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        if method == "apps.connections.open":
            token = (auth or "").removeprefix("Bearer ").strip()
            self.opened.append(token[:5])
            if not token.startswith("xapp-"):
                return 200, {}, {"ok": False, "error": "not_allowed_token_type"}
            return 200, {}, {"ok": True, "url": self.ws_url}
        return super()._answer(method, params, auth)


@pytest.fixture
def websocket() -> Iterator[WebSocketListener]:
    listener = WebSocketListener()
    yield listener
    listener.close()


def test_serve_in_socket_mode_opens_the_websocket_and_stops_on_sigterm(
    tmp_path: Path, websocket: WebSocketListener
) -> None:
    standin = SocketStandIn()
    standin.ws_url, standin.opened = websocket.url, []
    standin.start()
    try:
        env = process_env(
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_API_URL=standin.api_url,
            DATABASE_URL=f"sqlite:///{tmp_path / 'steward.db'}",
        )
        with running(["serve"], env, tmp_path) as process:
            request_line, headers = websocket.upgrade(WAIT)
            process.wait_for_line("Socket Mode connected (attempt 1)")
            assert healthy(process, f"http://127.0.0.1:{env['PORT']}")  # 200 once connected
            code, stderr, stdout = process.stop(signal.SIGTERM)
    finally:
        standin.stop()
    assert request_line == "GET /link/?ticket=t-1&app_id=A0STEWARD HTTP/1.1"
    assert headers["upgrade"].lower() == "websocket" and headers["sec-websocket-key"]
    assert standin.opened == ["xapp-"]  # the app token, not the bot's
    assert code == 0, stderr
    assert "Traceback" not in stderr and APP_TOKEN not in stderr + stdout
    assert "Steward stopped (SIGTERM)" in stderr.splitlines()[-1]
