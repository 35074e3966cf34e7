"""`steward serve` (HTTP or Socket Mode, with or without the scheduler) and `steward scheduler`:
start in order, stop in order on SIGTERM or SIGINT."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.startup import check_listen_address, check_slack, open_database, port_error

if TYPE_CHECKING:
    from bot.socket import SocketMode
    from bot.steward import Steward
    from bot.web import Server

log = logging.getLogger("steward")


class Stopper:
    """SIGTERM and SIGINT set `event`; the main thread then shuts down in order."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal = ""

    def install(self) -> Stopper:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        return self

    def _stop(self, number: int, _frame: Any) -> None:
        self.signal = signal.Signals(number).name
        self.event.set()

    def wait(self) -> None:
        while not self.event.wait(1.0):
            pass


def waiting_messages(st: Steward) -> str:
    """'3 message(s) still queued' for the shutdown line (they go out at the next start)."""
    from sqlalchemy import func, select
    from sqlmodel import col

    from bot.models import OutboxMessage
    from bot.outbox import WAITING

    try:
        with st.db.engine.connect() as connection:
            count = connection.execute(
                select(func.count()).where(col(OutboxMessage.status).in_(WAITING))
            ).scalar_one()
    except Exception:
        return "queue not readable"
    return f"{count} message(s) still queued"


def serve(settings: Settings, *, scheduler: bool = True) -> int:
    from bot.install import adopt_env_token
    from bot.steward import Steward
    from bot.web import WebApp, make_server
    from handlers.app import create_app
    from scheduler.runner import build

    settings.require_slack()
    check_listen_address(settings.host, settings.port)
    open_database(settings).dispose()
    st = Steward.from_settings(settings)
    reached = check_slack(st, must_reach=not settings.app_token) if settings.bot_token else True
    adopt_env_token(settings, st.db, st.client, st.clock.now())  # OAuth with a .env token too
    app = create_app(st, token_verification=reached)  # else Bolt's auth.test comes later
    runner = None
    if settings.app_token:
        from bot.socket import SocketMode

        runner = SocketMode(app, settings.app_token, metrics=st.metrics)
        web = WebApp(app, metrics=st.metrics, health=runner.health, slack_route=False)
    else:
        web = WebApp(app, metrics=st.metrics)
    try:
        server = make_server(web, settings.host, settings.port)
    except OSError as error:
        raise port_error(settings.host, settings.port, error) from None
    stopper = Stopper().install()
    if runner:  # the first attempt now: a refused app token stops here, in one line
        runner.step()
    st.outbox.start()
    jobs = build(st, blocking=False) if scheduler else None
    if jobs:
        jobs.start()
    thread = threading.Thread(target=_serve_http, args=(server,), name="steward-http", daemon=True)
    thread.start()
    web.ready.set()
    where = f"http://{settings.host}:{server.effective_port}"
    with_jobs = "with its scheduler" if jobs else "without a scheduler (--no-scheduler)"
    try:
        if runner:
            log.info("Steward serving %s/healthz and /metrics, %s; Socket Mode", where, with_jobs)
            threading.Thread(target=_stop_on, args=(stopper, runner), daemon=True).start()
            runner.run()
        else:
            log.info("Steward listening on %s/slack/events, %s", where, with_jobs)
            stopper.wait()
    finally:
        if runner:
            runner.close()
        server.close()
        thread.join(timeout=5)
        finished = st.work.shutdown()  # what was acked gets done (its messages queued)
        if jobs:
            jobs.shutdown(wait=True)
        st.outbox.stop()
        log.info(
            "Steward stopped (%s): web server closed, %s, %s, outbox stopped, %s",
            stopper.signal or "error",
            "work finished" if finished else "work unfinished",
            "scheduler stopped" if jobs else "no scheduler",
            waiting_messages(st),
        )
        st.db.dispose()
    return 0


def _serve_http(server: Server) -> None:
    with contextlib.suppress(OSError):  # close() from the main thread ends the loop so
        server.run()


def _stop_on(stopper: Stopper, runner: SocketMode) -> None:
    stopper.wait()
    runner.stop()


def run_scheduler(settings: Settings) -> int:
    """The scheduler alone, for deployments that keep it apart from the web processes."""
    from bot.steward import Steward
    from scheduler.runner import build

    settings.require_token()
    open_database(settings).dispose()
    st = Steward.from_settings(settings)
    if settings.bot_token:  # OAuth without one: each workspace's token is in the database
        check_slack(st)
    stopper = Stopper().install()
    st.outbox.start()
    jobs = build(st, blocking=False)
    jobs.start()
    log.info("Steward's scheduler is running, every %d s", settings.tick_seconds)
    try:
        stopper.wait()
    finally:
        jobs.shutdown(wait=True)
        st.outbox.stop()
        log.info(
            "Steward's scheduler stopped (%s): scheduler and outbox stopped, %s",
            stopper.signal or "error",
            waiting_messages(st),
        )
        st.db.dispose()
    return 0
