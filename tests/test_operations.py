"""Operating Steward: one-line failures with exit codes, .env, secrets kept out of output and
logs, JSON logs, /metrics, Socket Mode that reconnects, and processes that stop cleanly."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from freezegun import freeze_time
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url
from sqlmodel import select

from bot.config import ConfigError, Settings, mask_secret, mask_url
from bot.db import Database, scratch_postgres
from bot.dev.local import SIGNING_SECRET, sign
from bot.dev.standin import SlackStandIn
from bot.metrics import DatabaseCollector
from bot.models import Account, Case, OutboxMessage
from bot.socket import SocketMode, backoff
from bot.steward import Steward
from bot.web import WebApp, make_server
from handlers.app import create_app
from scheduler.runner import LoggedTick
from tests.conftest import ACME_CHANNEL, ALICE, POSTGRES_URL, Slack, _postgres_unreachable

SECRET = "pw-9f2c-s3cret"  # the database password planted in URLs: it must never be printed
USER_WORDS = "zanzibar-quokka"  # a user's words in a command: never logged
WAIT = 30.0  # seconds before a wait fails the test


# -- helpers -------------------------------------------------------------------------------------
def clean_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment minus every Steward setting, plus `settings`."""
    prefixes = ("SLACK_", "DATABASE_URL", "PORT", "HOST", "LOG_", "STEWARD_", "ROUTE_", "SILENCE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env["HOME"] = str(tmp_path)
    env.update(settings)
    return env


def steward(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


def wait_until(predicate: Any, what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def postgres_or_skip() -> None:
    why = _postgres_unreachable()
    if why:
        pytest.skip(why)


def with_password(url: str) -> str:
    return make_url(url).set(password=SECRET).render_as_string(hide_password=False)


class Process:
    """A `steward` subprocess whose stderr lines are read as they come."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stderr
        for line in self.popen.stderr:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for_line(self, text: str, timeout: float = WAIT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                raise AssertionError(f"exited before {text!r}:\n" + "\n".join(self.lines))
            self.lines.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} in {timeout} s:\n" + "\n".join(self.lines))

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str, str]:
        """Send `sig`; the exit code, all of stderr and stdout."""
        self.popen.send_signal(sig)
        self.popen.wait(timeout=WAIT)
        assert self.popen.stdout
        stdout = self.popen.stdout.read()  # stderr is the reader thread's
        while (line := self._queue.get(timeout=WAIT)) is not None:
            self.lines.append(line)
        return self.popen.returncode, "\n".join(self.lines), stdout

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=WAIT)


@contextlib.contextmanager
def running(args: list[str], env: dict[str, str], cwd: Path) -> Iterator[Process]:
    process = Process(args, env, cwd)
    try:
        yield process
    finally:
        process.kill()


def signed_command(url: str, command: str, text: str, standin: SlackStandIn, *, bad=False) -> int:
    form = {
        "team_id": standin.team_id,
        "channel_id": "CGENERAL",
        "user_id": ALICE,
        "command": command,
        "text": text,
        "response_url": standin.response_url("ops"),
        "trigger_id": "1.2.trigger",
    }
    body = urlencode(form).encode()
    stamp = str(int(time.time()))
    signature = "v0=" + "0" * 64 if bad else sign(SIGNING_SECRET, stamp, body)
    request = urllib.request.Request(
        url + "/slack/events",
        data=body,
        headers={"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus exposition, keyed by (name, labels)."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def sample(scraped: dict, name: str, **labels: str) -> float | None:
    return scraped.get((name, frozenset(labels.items())))


# -- one line, one exit code, for each bad setting ------------------------------------------------
BAD_SETTINGS = [
    # (id, settings, exit code, what the line names)
    ("url-unparseable", {"DATABASE_URL": f"postgresql://u:{SECRET}@db:port/x"}, 2, "DATABASE_URL"),
    ("url-mysql", {"DATABASE_URL": f"mysql://steward:{SECRET}@db/steward"}, 2, "DATABASE_URL"),
    ("port-negative", {"PORT": "-1"}, 2, "PORT"),
    ("port-too-big", {"PORT": "99999"}, 2, "PORT"),
    ("host-unresolvable", {"HOST": "nowhere.invalid"}, 2, "HOST"),
    ("log-level", {"LOG_LEVEL": "verbose"}, 2, "LOG_LEVEL"),
    ("log-format", {"LOG_FORMAT": "xml"}, 2, "LOG_FORMAT"),
    ("api-url", {"SLACK_API_URL": "notaurl"}, 2, "SLACK_API_URL"),
    ("tick", {"STEWARD_TICK_SECONDS": "abc"}, 2, "STEWARD_TICK_SECONDS"),
    ("tick-too-often", {"STEWARD_TICK_SECONDS": "3"}, 2, "STEWARD_TICK_SECONDS"),
    ("route-keywords", {"ROUTE_KEYWORDS": "=;;==,"}, 2, "ROUTE_KEYWORDS"),
    ("scheduler-switch", {"STEWARD_SCHEDULER": "sometimes"}, 2, "STEWARD_SCHEDULER"),
    ("pg-down", {"DATABASE_URL": f"postgresql://u:{SECRET}@127.0.0.1:1/x"}, 3, "DATABASE_URL"),
    ("token-invalid", {"SLACK_BOT_TOKEN": "xoxb-invalid"}, 4, "SLACK_BOT_TOKEN"),
    ("slack-unreachable", {"SLACK_API_URL": "http://127.0.0.1:1/api/"}, 4, "SLACK_API_URL"),
]  # fmt: skip


def assert_one_line(done: subprocess.CompletedProcess[str], code: int, names: str) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == code, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("steward: ") and names in lines[0], lines[0]
    assert "Traceback" not in done.stderr
    assert SECRET not in done.stderr + done.stdout
    return lines[0]


@pytest.fixture
def serve_env(tmp_path: Path, standin: SlackStandIn) -> dict[str, str]:
    return clean_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=standin.api_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'steward.db'}",
        PORT=str(free_port()),
        HOST="127.0.0.1",
    )


@pytest.mark.parametrize(("settings", "code", "names"), [c[1:] for c in BAD_SETTINGS],
                         ids=[c[0] for c in BAD_SETTINGS])  # fmt: skip
def test_a_bad_setting_stops_serve_with_one_line(
    serve_env: dict[str, str], tmp_path: Path, settings: dict, code: int, names: str
) -> None:
    done = steward(["serve"], {**serve_env, **settings}, tmp_path)
    line = assert_one_line(done, code, names)
    if names == "SLACK_BOT_TOKEN":
        assert "xoxb-invalid" not in line and "xoxb-…" in line


def test_a_revoked_token_and_a_taken_port_are_one_line_too(
    serve_env: dict[str, str], tmp_path: Path, standin: SlackStandIn
) -> None:
    standin.fail("auth.test", status=200, error="token_revoked")
    line = assert_one_line(steward(["serve"], serve_env, tmp_path), 4, "SLACK_BOT_TOKEN")
    assert "token_revoked" in line
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = steward(["serve"], {**serve_env, "PORT": port}, tmp_path)
    assert port in assert_one_line(done, 5, "PORT")


@pytest.mark.parametrize(
    ("database", "fragment"),
    [("steward_no_such_database", "does not exist"), ("role", 'role "ghost" does not exist')],
)
def test_postgres_refusals_are_one_line_for_every_command(
    serve_env: dict[str, str], tmp_path: Path, database: str, fragment: str
) -> None:
    postgres_or_skip()
    url = make_url(POSTGRES_URL).set(password=SECRET)
    url = url.set(username="ghost") if database == "role" else url.set(database=database)
    env = {**serve_env, "DATABASE_URL": url.render_as_string(hide_password=False)}
    for args in (["serve"], ["scheduler"], ["db", "upgrade"], ["db", "current"]):
        line = assert_one_line(steward(args, env, tmp_path), 3, "DATABASE_URL")
        assert fragment in line and "***" in line


def test_pg_unreachable_for_db_upgrade_and_scheduler(serve_env: dict[str, str], tmp_path: Path):
    env = {**serve_env, "DATABASE_URL": f"postgresql://steward:{SECRET}@127.0.0.1:1/steward"}
    for args in (["scheduler"], ["db", "upgrade"]):
        assert_one_line(steward(args, env, tmp_path), 3, "DATABASE_URL")


def test_settings_accept_what_they_should() -> None:
    settings = Settings.from_env(
        {
            "LOG_LEVEL": "debug",
            "LOG_FORMAT": "JSON",
            "PORT": "65535",
            "STEWARD_TICK_SECONDS": "30",
            "STEWARD_SCHEDULER": "off",
            "ROUTE_KEYWORDS": "finance=invoice, credit note;legal=contract;",
            "DATABASE_URL": "postgresql+psycopg://u:p@db/steward",
        }
    )
    assert (settings.log_level, settings.log_format, settings.port) == ("DEBUG", "json", 65535)
    assert settings.tick_seconds == 30 and settings.scheduler is False
    with pytest.raises(ConfigError, match="ROUTE_KEYWORDS") as refused:
        Settings.from_env({"ROUTE_KEYWORDS": "Finance Team=invoice"})
    assert refused.value.exit_code == 2
    assert mask_url(f"postgresql://u:{SECRET}@db/x") == "postgresql://u:***@db/x"
    assert mask_secret("xoxb-1234-5678-abcd") == "xoxb-…abcd"


# -- .env ----------------------------------------------------------------------------------------
def test_env_file_is_read_from_the_working_directory(tmp_path: Path) -> None:
    here = tmp_path / "deploy"
    here.mkdir()
    (here / ".env").write_text(f"DATABASE_URL=sqlite:///{tmp_path / 'from-dotenv.db'}\n")
    done = steward(["db", "upgrade"], clean_env(tmp_path), here)
    assert done.returncode == 0, done.stderr
    assert "from-dotenv.db" in done.stdout and (tmp_path / "from-dotenv.db").exists()
    # the environment wins over .env, as python-dotenv users expect
    env = clean_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'from-env.db'}")
    assert "from-env.db" in steward(["db", "upgrade"], env, here).stdout
    # --env-file names another file; one that is missing is one line
    other = tmp_path / "other.env"
    other.write_text("PORT=-1\n")
    done = steward(["--env-file", str(other), "db", "upgrade"], clean_env(tmp_path), tmp_path)
    assert_one_line(done, 2, "PORT")
    done = steward(["--env-file", "nope.env", "db", "upgrade"], clean_env(tmp_path), tmp_path)
    assert_one_line(done, 2, "--env-file")
    # a directory without .env reads none
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = steward(["db", "current"], clean_env(tmp_path), elsewhere)
    assert done.returncode == 0 and "sqlite:///steward.db" in done.stdout


# -- secrets: steward db …, and the logs of a run --------------------------------------------------
def test_db_commands_never_print_the_password(tmp_path: Path) -> None:
    postgres_or_skip()
    with scratch_postgres(POSTGRES_URL, "steward_ops") as url:
        env = clean_env(tmp_path, DATABASE_URL=with_password(url))
        outputs = []
        for args, code, said in (
            (["db", "current"], 0, "revision none"),
            (["db", "upgrade"], 0, "up to date"),
            (["db", "current"], 0, "(the newest)"),
            (["db", "check"], 0, "the models match the migrations"),
            (["db", "downgrade", "zzz"], 2, "steward: steward db downgrade zzz: Can't locate"),
            (["db", "downgrade", "0002"], 0, "downgraded to revision 0002"),
            (["db", "check"], 1, "run steward db upgrade first"),
            (["db", "upgrade"], 0, "up to date"),
        ):
            done = steward(args, env, tmp_path)
            outputs.append(done.stdout + done.stderr)
            assert done.returncode == code, (args, done.stdout, done.stderr)
            assert said in done.stdout + done.stderr and "***" in done.stdout + done.stderr
        assert not any(SECRET in output for output in outputs)


# -- processes -------------------------------------------------------------------------------------
def test_scheduler_stops_cleanly_on_sigterm_and_logs_no_secret(
    tmp_path: Path, standin: SlackStandIn
) -> None:
    postgres_or_skip()
    with scratch_postgres(POSTGRES_URL, "steward_ops") as url:
        env = clean_env(
            tmp_path,
            DATABASE_URL=with_password(url),
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_API_URL=standin.api_url,
            LOG_LEVEL="debug",  # any case
        )
        with running(["scheduler"], env, tmp_path) as process:
            process.wait_for_line("scheduler tick: digests planned=0 queued=0")
            code, stderr, stdout = process.stop(signal.SIGTERM)
    assert code == 0, stderr
    assert "scheduler stopped (SIGTERM): scheduler and outbox stopped" in stderr.splitlines()[-1]
    assert SECRET not in stderr + stdout and "Traceback" not in stderr


def test_serve_no_scheduler_starts_none(serve_env: dict[str, str], tmp_path: Path) -> None:
    for args, env in (
        (["serve", "--no-scheduler"], serve_env),
        (["serve"], {**serve_env, "STEWARD_SCHEDULER": "off"}),
    ):
        with running(args, env, tmp_path) as process:
            process.wait_for_line("without a scheduler")
            status, _ = http_get(f"http://127.0.0.1:{env['PORT']}/healthz")
            code, stderr, _ = process.stop(signal.SIGINT)
        assert status == 200 and code == 0
        assert "scheduler tick" not in stderr and "no scheduler" in stderr.splitlines()[-1]
    with running(["serve"], serve_env, tmp_path) as process:  # and by default, one runs
        process.wait_for_line("scheduler tick: digests planned=0")
        assert process.stop()[0] == 0


def test_json_logs_one_object_a_line_without_text_or_secrets(
    serve_env: dict[str, str], tmp_path: Path, standin: SlackStandIn
) -> None:
    env = {**serve_env, "LOG_FORMAT": "json", "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    url = f"http://127.0.0.1:{env['PORT']}"
    with running(["serve"], env, tmp_path) as process:
        process.wait_for_line("Steward listening")
        assert signed_command(url, "/steward", f"help {USER_WORDS}", standin) == 200
        assert signed_command(url, "/logcontact", USER_WORDS, standin, bad=True) == 401
        process.wait_for_line('"outcome": "refused"')
        code, stderr, _ = process.stop()
    assert code == 0
    records = [json.loads(line) for line in stderr.splitlines()]  # every line is JSON
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    requests = [r for r in records if r["logger"] == "steward.requests"]
    assert [(r["surface"], r.get("id"), r["outcome"]) for r in requests] == [
        ("command", "/steward", "ok"),
        ("unknown", None, "refused"),
    ]
    assert requests[0]["team"] == standin.team_id and requests[0]["ms"] >= 0
    assert USER_WORDS not in stderr and "response_url" not in stderr
    assert "`token` will be unused" not in stderr
    assert any("Steward stopped (SIGTERM)" in r["message"] for r in records)


# -- metrics -------------------------------------------------------------------------------------
def test_metrics_after_commands_and_a_digest_run(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    st = slack.steward
    slack.reply("/steward", f"account add Acme Rail <#{ACME_CHANNEL}|acme-rail>")
    slack.reply("/promise", f"acme send the {USER_WORDS} deck by tomorrow")
    slack.reply("/steward", "account set acme silence:1d")
    day = st.clock.now().date() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    st.clock.offset = datetime.combine(day, clock_time(8, 30), UTC) - st.clock.now()
    slack.standin.fail("chat.postMessage", status=429, retry_after=1)
    LoggedTick(st)()
    dm = slack.standin._open_im(ALICE)
    digest = slack.wait_posts(dm, 1)[-1]
    button = next(
        {**e, "block_id": b["block_id"]}
        for b in digest["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "digest_kept"
    )
    assert slack.block_actions(ALICE, button, channel=dm, message=digest).status == 200
    assert slack.post(b"command=%2Fsteward", signature="v0=" + "0" * 64).status == 401
    with st.db.session() as session:
        account = session.exec(select(Account)).one()
        session.add(
            Case(
                team_id=slack.team_id,
                account_id=account.id,
                function="finance",
                origin_channel=ACME_CHANNEL,
                origin_ts="1.1",
                source_key="1.1",
                counterpart_channel="CFIN",
                raised_by=ALICE,
                created_at=st.clock.now(),
            )
        )
    assert slack.settle(), "the click's work and the outbox did not finish"
    wait_until(lambda: st.outbox.drain(timeout=0.5), "the outbox to drain")

    status, text = http_get(slack.url + "/metrics")
    assert status == 200
    scraped = samples(text)
    assert sample(scraped, "steward_requests_total", surface="command", outcome="ok") == 3
    assert sample(scraped, "steward_requests_total", surface="action", outcome="ok") == 1
    assert sample(scraped, "steward_requests_total", surface="unknown", outcome="refused") == 1
    assert sample(scraped, "steward_ack_seconds_count", surface="command") == 3
    assert sample(scraped, "steward_ack_seconds_bucket", surface="command", le="+Inf") == 3
    assert sample(scraped, "steward_digests_sent_total") == 1
    assert sample(scraped, "steward_outbox_depth") == 0
    assert sample(scraped, "steward_outbox_oldest_pending_age_seconds") == 0
    assert sample(scraped, "steward_open_cases", status="open") == 1
    assert sample(scraped, "steward_database_up") == 1
    posted = dict(client="outbox", method="chat.postMessage")
    assert sample(scraped, "steward_slack_api_calls_total", **posted, outcome="ratelimited") == 1
    assert sample(scraped, "steward_slack_api_calls_total", **posted, outcome="ok") >= 2
    # Bolt's own auth.test at start, and the directory's (who "our organisation" is), once each.
    assert sample(scraped, "steward_slack_api_calls_total", client="app", method="auth.test",
                  outcome="ok") == 2  # fmt: skip

    lines = [r for r in caplog.records if r.name == "steward.requests"]
    assert [(r.surface, r.outcome) for r in lines] == [  # type: ignore[attr-defined]
        ("command", "ok"),
        ("command", "ok"),
        ("command", "ok"),
        ("action", "ok"),
        ("unknown", "refused"),
    ]
    assert all(USER_WORDS not in r.getMessage() for r in caplog.records)
    tick_line = next(r.getMessage() for r in caplog.records if "scheduler tick" in r.getMessage())
    assert "digests planned=1 queued=1 sent=0 expired=0" in tick_line
    failed = [r.getMessage() for r in caplog.records if r.name == "steward.slack"]
    assert any("chat.postMessage (outbox client) failed: HTTP 429" in m for m in failed)


def test_outbox_depth_and_age_of_the_oldest_message(db: Database) -> None:
    with freeze_time("2026-11-23 10:00:00"):
        now = datetime.now(UTC)
        with db.session() as session:
            for key, age, status in (
                ("a", 90, "pending"),
                ("b", 30, "unknown"),
                ("c", 999, "sent"),
            ):
                session.add(
                    OutboxMessage(
                        key=key,
                        channel="C1",
                        text="t",
                        status=status,
                        next_attempt_at=now,
                        created_at=now - timedelta(seconds=age),
                    )
                )
        figures = {
            (s.name, tuple(s.labels.values())): s.value
            for family in DatabaseCollector(db, lambda: datetime.now(UTC)).collect()
            for s in family.samples
        }
    assert figures[("steward_outbox_depth", ())] == 2
    assert figures[("steward_outbox_oldest_pending_age_seconds", ())] == 90
    assert figures[("steward_outbox_messages", ("sent",))] == 1


def test_a_scrape_answers_when_the_database_does_not(tmp_path: Path) -> None:
    broken = Database(f"sqlite:///{tmp_path / 'missing' / 'no.db'}")
    families = list(DatabaseCollector(broken, lambda: datetime.now(UTC)).collect())
    assert [(f.name, f.samples[0].value) for f in families] == [("steward_database_up", 0)]


# -- Socket Mode -----------------------------------------------------------------------------------
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class SocketSlack:
    """apps.connections.open and its websocket on 127.0.0.1, failing as told, then accepting.

    `opens`: how each apps.connections.open call fails before one succeeds ("drop": the
    connection is closed with no answer, as with no network; an int: that HTTP status).
    `handshakes`: HTTP statuses refusing the websocket before one is accepted.
    """

    def __init__(self, opens: list[str | int], handshakes: list[int]) -> None:
        self.opens, self.handshakes = list(opens), list(handshakes)
        self.sockets: list[socket.socket] = []
        self.received: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                failure = fake.opens.pop(0) if fake.opens else None
                if failure == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if failure is not None:
                    return self._json(int(failure), {"ok": False, "error": "service_unavailable"})
                self._json(200, {"ok": True, "url": f"ws://127.0.0.1:{fake.port}/link/?t=1"})

            def do_GET(self) -> None:
                if fake.handshakes:
                    return self._json(fake.handshakes.pop(0), {"ok": False})
                accept = base64.b64encode(
                    hashlib.sha1((self.headers["Sec-WebSocket-Key"] + WS_GUID).encode()).digest()
                ).decode()
                self.send_response(101)
                self.send_header("Upgrade", "websocket")
                self.send_header("Connection", "Upgrade")
                self.send_header("Sec-WebSocket-Accept", accept)
                self.end_headers()
                self.wfile.flush()
                fake.sockets.append(self.connection)
                fake._read_frames(self.connection)
                self.close_connection = True

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(OSError):  # a refused client may not wait to read
                    self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.api_url = f"http://127.0.0.1:{self.port}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _read_frames(self, conn: socket.socket) -> None:
        """Client frames (masked), until the socket closes; text frames are kept as JSON."""
        reader = conn.makefile("rb")
        while True:
            head = reader.read(2)
            if len(head) < 2:
                return
            opcode, length = head[0] & 0x0F, head[1] & 0x7F
            if length == 126:
                length = int.from_bytes(reader.read(2), "big")
            elif length == 127:
                length = int.from_bytes(reader.read(8), "big")
            mask = reader.read(4) if head[1] & 0x80 else b"\0\0\0\0"
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(reader.read(length)))
            if opcode == 0x8:
                return
            if opcode == 0x1:
                self.received.append(json.loads(payload))

    def send(self, message: dict[str, Any]) -> None:
        """A text frame from Slack to the app (servers do not mask)."""
        data = json.dumps(message).encode()
        header = bytes([0x81]) + (
            bytes([len(data)]) if len(data) < 126 else bytes([126]) + len(data).to_bytes(2, "big")
        )
        self.sockets[-1].sendall(header + data)

    def drop(self) -> None:
        """Slack closes the websocket (a close frame: going away), as when it restarts."""
        conn = self.sockets[-1]
        conn.sendall(bytes([0x88, 2]) + (1001).to_bytes(2, "big"))
        with contextlib.suppress(OSError):  # the app may close its end first, as it should
            conn.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_backoff_doubles_to_a_ceiling() -> None:
    delays = backoff(1.0, 60.0)
    assert [next(delays) for _ in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_socket_mode_retries_until_slack_accepts_and_healthz_follows(
    tmp_path: Path, standin: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = SocketSlack(opens=["drop", 503, 503], handshakes=[503])
    settings = Settings(
        bot_token="xoxb-test",
        app_token="xapp-1-A0-test-token",
        database_url=f"sqlite:///{tmp_path / 'socket.db'}",
        slack_api_url=standin.api_url,
    )
    st = Steward.from_settings(settings)
    st.db.upgrade()
    app = create_app(st, token_verification=False)
    mode = SocketMode(app, "xapp-1-A0-test-token", metrics=st.metrics, first_delay=0.01)
    mode.handler.client.web_client.base_url = fake.api_url  # apps.connections.open: the fake
    web = WebApp(app, metrics=st.metrics, health=mode.health, slack_route=False)
    server = make_server(web, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.effective_port}"
    serving = threading.Thread(target=server.run, name="test-http", daemon=True)
    serving.start()
    runner = threading.Thread(target=mode.run, name="test-socket-mode", daemon=True)
    web.ready.set()
    try:
        assert http_get(url + "/healthz") == (503, "not connected\n")
        runner.start()
        wait_until(lambda: http_get(url + "/healthz")[0] == 200, "/healthz to turn healthy")
        # healthy as soon as the websocket is up; the line saying so comes just after
        wait_until(lambda: "connected (attempt 5)" in caplog.text, "the line 'connected'")
        attempts = [r.getMessage() for r in caplog.records if r.name == "steward.socket"]
        assert len(attempts) == 5, attempts
        assert "attempt 1 failed: apps.connections.open failed: " in attempts[0]
        assert "attempt 2 failed: apps.connections.open answered HTTP 503" in attempts[1]
        assert "attempt 4 failed: websocket: handshake refused" in attempts[3]
        assert attempts[4] == "Socket Mode connected (attempt 5)"
        scraped = samples(http_get(url + "/metrics")[1])
        assert sample(scraped, "steward_socket_mode_connect_attempts_total", outcome="failed") == 4
        assert sample(scraped, "steward_socket_mode_connected") == 1

        # a slash command arrives over the websocket: acked, and logged like one over HTTP
        fake.send(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": {
                    "team_id": standin.team_id,
                    "user_id": ALICE,
                    "channel_id": "CGENERAL",
                    "command": "/steward",
                    "text": f"help {USER_WORDS}",
                    "response_url": standin.response_url("socket"),
                    "trigger_id": "1.2.trigger",
                },
            }
        )
        wait_until(lambda: any(m.get("envelope_id") == "env-1" for m in fake.received), "ack")
        logged = [r for r in caplog.records if r.name == "steward.requests"]
        assert [(r.surface, r.id, r.outcome) for r in logged] == [  # type: ignore[attr-defined]
            ("command", "/steward", "ok")
        ]

        # Slack drops the connection: reconnected, and /healthz says so meanwhile
        fake.drop()
        wait_until(lambda: "connection lost" in caplog.text, "the drop to be noticed")
        wait_until(lambda: "connected (attempt 6)" in caplog.text, "a reconnect")
        assert http_get(url + "/healthz")[0] == 200
        assert USER_WORDS not in caplog.text and "xapp-1-A0-test-token" not in caplog.text
    finally:  # every stop is bounded: a hang fails the test, naming what did not stop
        stuck = [] if mode.close(timeout=WAIT) else ["the Socket Mode client"]
        if runner.ident is not None:
            runner.join(WAIT)
        stuck += ["SocketMode.run()"] if runner.is_alive() else []
        stuck += [] if server.close(timeout=WAIT) else ["the web server's workers"]
        serving.join(WAIT)
        stuck += ["the web server's loop"] if serving.is_alive() else []
        stuck += [] if st.work.shutdown(timeout=WAIT) else ["the command's work"]
        fake.stop()
        st.db.dispose()
        assert not stuck, f"still running after close: {', '.join(stuck)}"


def test_socket_mode_refused_app_token_stops_with_one_line(
    tmp_path: Path, standin: SlackStandIn
) -> None:
    env = clean_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-1-A0-not-valid-here",
        SLACK_API_URL=standin.api_url,  # the stand-in does not know xapp- tokens: not_authed
        DATABASE_URL=f"sqlite:///{tmp_path / 'steward.db'}",
        PORT=str(free_port()),
        HOST="127.0.0.1",
    )
    line = assert_one_line(steward(["serve"], env, tmp_path), 4, "SLACK_APP_TOKEN xapp-…")
    assert "xapp-1-A0-not-valid-here" not in line and "not_authed" in line


def test_socket_mode_without_a_network_keeps_trying_and_serves_healthz(tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-1-A0-test-token",
        SLACK_API_URL="http://127.0.0.1:1/api/",  # nothing listens there: as with no network
        DATABASE_URL=f"sqlite:///{tmp_path / 'steward.db'}",
        PORT=str(port),
        HOST="127.0.0.1",
    )
    with running(["serve"], env, tmp_path) as process:
        process.wait_for_line("Socket Mode attempt 2 failed: apps.connections.open failed")
        assert http_get(f"http://127.0.0.1:{port}/healthz") == (503, "not connected\n")
        assert http_get(f"http://127.0.0.1:{port}/metrics")[0] == 200
        code, stderr, _ = process.stop()
    assert code == 0 and "Traceback" not in stderr
    assert "Steward stopped (SIGTERM)" in stderr.splitlines()[-1]
