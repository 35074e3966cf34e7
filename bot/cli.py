"""`steward`: serve the bot, manage the database."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence

from bot.config import ConfigError, Settings, load_settings

log = logging.getLogger("steward")


def serve(settings: Settings) -> int:
    from bot.app import create_app
    from bot.steward import Steward
    from bot.web import WebApp, make_server

    settings.require_slack()
    st = Steward.from_settings(settings)
    st.db.upgrade()
    app = create_app(st)
    st.outbox.start()
    if settings.app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("Steward is connecting to Slack over Socket Mode")
        SocketModeHandler(app, settings.app_token).start()
        return 0
    web = WebApp(app)
    host = os.environ.get("HOST", "0.0.0.0")
    server = make_server(web, host, settings.port)
    signal.signal(signal.SIGTERM, lambda *_: server.close())
    web.ready.set()
    log.info("Steward listening on http://%s:%s/slack/events", host, server.effective_port)
    try:
        server.run()
    except (KeyboardInterrupt, OSError):
        pass
    finally:
        st.outbox.stop()
    return 0


def db_upgrade(settings: Settings) -> int:
    from bot.db import Database

    Database(settings.database_url).upgrade()
    print(f"database is up to date: {settings.database_url}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="steward", description=__doc__)
    sub = top.add_subparsers(dest="command", metavar="command")
    sub.add_parser("serve", help="run the bot (Socket Mode with SLACK_APP_TOKEN, else HTTP)")
    db = sub.add_parser("db", help="database tasks")
    db_sub = db.add_subparsers(dest="db_command", metavar="task")
    db_sub.add_parser("upgrade", help="apply the migrations (serve does this on start)")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "serve":
            return serve(settings)
        if args.command == "db" and args.db_command == "upgrade":
            return db_upgrade(settings)
    except ConfigError as error:
        print(f"steward: {error}", file=sys.stderr)
        return 2
    parser().print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
