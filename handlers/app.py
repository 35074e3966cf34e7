"""The composition root: the one Bolt app of a process, with every surface registered.

The layers point one way: handlers/ use bot/, never the reverse (bot/cli.py and bot/dev/ load
this module to serve; nothing in the domain does)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import cast

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import CallableAuthorize
from slack_sdk import WebClient

import handlers
from bot.observe import request_middleware
from bot.steward import Steward
from bot.workspaces import NotInstalled
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

    With one SLACK_BOT_TOKEN, Bolt's single-workspace mode (its auth.test says which workspace
    every request is for). With several workspaces, `authorize` finds each request's token
    (bot/workspaces.py); in OAuth mode /slack/install and /slack/oauth_redirect run Bolt's
    OAuth flow (handlers/install.py), which stores what `authorize` then reads."""
    several = st.workspaces.multi
    app = App(
        signing_secret=st.settings.signing_secret or "",
        # several: each request's client gets its workspace's token, not st.client's
        client=tokenless(st.client) if several else st.client,
        # an Authorize, not a bare function: Bolt takes that beside its OAuth flow
        authorize=CallableAuthorize(logger=log, func=authorizer(st)) if several else None,  # type: ignore[arg-type]
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


def authorizer(st: Steward) -> Callable[..., AuthorizeResult]:
    """Bolt's `authorize`: the token of the workspace a request comes from, and what that
    token's auth.test says (cached per workspace), so every listener's context (and its
    client) is that workspace's. None (Bolt refuses the request) where Steward has no token,
    or when the token turns out to be another workspace's."""

    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult | None:
        token = st.workspaces.token(team_id) if team_id else None
        if not team_id or not token:
            log.info("request for workspace %s refused: no token there", team_id or "(none)")
            return None
        try:
            home = st.directory.home(team_id)
        except NotInstalled:
            return None
        if home.team_id != team_id:
            log.warning("the token for %s belongs to %s: refused", team_id, home.team_id)
            return None
        return AuthorizeResult(
            enterprise_id=home.enterprise_id or enterprise_id,
            team_id=home.team_id,
            bot_token=token,
            bot_user_id=home.bot_user_id,
            bot_id=home.bot_id,
        )

    # Bolt reads None as "refused"; its type hint leaves None out
    return cast(Callable[..., AuthorizeResult], authorize)


def tokenless(client: WebClient) -> WebClient:
    """`client`'s settings without its token (Bolt would warn that it ignores the token)."""
    return WebClient(
        base_url=client.base_url, timeout=client.timeout, retry_handlers=client.retry_handlers
    )
