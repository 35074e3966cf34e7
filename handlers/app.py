"""The composition root: the one Bolt app of a process, with every surface registered.

The layers point one way: handlers/ use bot/, never the reverse (bot/cli.py and bot/dev/ load
this module to serve; nothing in the domain does)."""

from __future__ import annotations

import logging
from concurrent.futures import Executor

from slack_bolt import App
from slack_sdk import WebClient

import handlers
from bot.observe import request_middleware
from bot.steward import Steward
from handlers.install import oauth_flow

log = logging.getLogger(__name__)
NOT_INSTALLED = (
    "Steward is not installed in this workspace (or was uninstalled), so it did nothing. "
    "A workspace admin can add it again from Steward's install page."
)


def create_app(
    st: Steward, *, token_verification: bool = True, listener_executor: Executor | None = None
) -> App:
    """Build the app. Signature checks (and the 5-minute timestamp window) are Bolt's.

    Listeners run on the thread that answers Slack (`process_before_response`): each acks and
    hands its work to `st.work` (handlers/guard.py), so an ack never waits for a thread busy
    with earlier work. `listener_executor`: Bolt's pool, used only by lazy listeners (none).

    OAuth mode (several workspaces): each request is authorized with its workspace's bot token
    from the installation store, and /slack/install and /slack/oauth_redirect run Bolt's OAuth
    flow (handlers/install.py)."""
    # OAuth: each request's client gets its workspace's token from the store, not st.client's
    client = tokenless(st.client) if st.settings.oauth else st.client
    app = App(
        signing_secret=st.settings.signing_secret or "",
        client=client,
        token_verification_enabled=token_verification,
        process_before_response=True,
        raise_error_for_unhandled_request=False,
        listener_executor=listener_executor,
        oauth_flow=oauth_flow(st) if st.settings.oauth else None,
        installation_store_bot_only=True if st.settings.oauth else None,
        user_facing_authorize_error_message=NOT_INSTALLED,
    )
    app.use(request_middleware(st.metrics))  # one log line and the metrics per request
    handlers.register(app, st)

    @app.error
    def on_error(error: Exception) -> None:
        log.error("unhandled error in a listener: %s", error, exc_info=error)

    return app


def tokenless(client: WebClient) -> WebClient:
    """`client`'s settings without its token (Bolt would warn that it ignores the token)."""
    return WebClient(
        base_url=client.base_url, timeout=client.timeout, retry_handlers=client.retry_handlers
    )
