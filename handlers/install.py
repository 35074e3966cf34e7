"""Installing Steward in a workspace, and its uninstall.

OAuth mode (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET): Bolt's OAuth flow serves `GET
/slack/install` (the "Add to Slack" page, with a state kept in our database and a cookie) and
`GET /slack/oauth_redirect` (state checked, code exchanged with oauth.v2.access, the bot token
kept by the installation store in our database; bot/install.py). In every mode `app_uninstalled`
and `tokens_revoked` stop all sending for that workspace; its data stays.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from slack_bolt import App
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse

from bot import install
from bot.steward import Steward
from handlers.guard import deferred

log = logging.getLogger(__name__)
quiet = logging.getLogger("steward.install.bolt")  # Bolt's own lines would name the code
quiet.setLevel(logging.CRITICAL)

REFUSALS = {
    "access_denied": "The install was cancelled in Slack, so nothing was installed.",
    "invalid_browser": "This install link was not started in this browser, or it was "
    "opened twice.",
    "invalid_state": "This install link has expired or was already used.",
    "missing_code": "Slack did not say which install this is.",
    "invalid_code": "Slack did not accept this install (the code has expired or was used).",
    "storage_error": "Steward could not record the install.",
}


def page(title: str, text: str) -> str:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Steward</title></head>"
        f"<body style='font-family:sans-serif;margin:3em'><h1>{html.escape(title)}</h1>"
        f"<p>{text}</p></body></html>"
    )


def oauth_flow(st: Steward) -> OAuthFlow:
    """Bolt's OAuth flow on our database, answering with our own pages and log lines."""
    settings = st.settings
    assert settings.client_id and settings.client_secret, "OAuth mode only"

    def success(args: SuccessArgs) -> BoltResponse:
        team_id, name = args.installation.team_id or "", args.installation.team_name
        install.installed(st.db, team_id, name, st.clock.now())
        st.installs.forget(team_id)
        log.info("workspace %s installed Steward (OAuth): its requests are answered", team_id)
        where = html.escape(name or team_id)
        body = page(
            "Steward is installed",
            f"Steward is now in <b>{where}</b>. Go back to Slack and try "
            "<code>/steward help</code>.",
        )
        return answer(args.settings, 200, body, clear_cookie=True)

    def failure(args: FailureArgs) -> BoltResponse:
        log.warning("an install was refused (%s): nothing stored", args.reason)
        why = REFUSALS.get(args.reason, "The install did not complete.")
        body = page(
            "Steward was not installed",
            f"{html.escape(why)} <a href='{html.escape(args.settings.install_path)}'>Start "
            "again</a>.",
        )
        return answer(args.settings, args.suggested_status_code, body, clear_cookie=False)

    return OAuthFlow(
        client=st.client,
        logger=quiet,
        settings=OAuthSettings(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            scopes=list(settings.scopes),
            user_scopes=[],
            installation_store=install.installation_store(settings, st.db),
            installation_store_bot_only=True,
            state_store=install.state_store(st.db),
            state_expiration_seconds=install.STATE_SECONDS,
            callback_options=CallbackOptions(success=success, failure=failure),
            logger=quiet,
        ),
    )


def answer(settings: OAuthSettings, status: int, body: str, *, clear_cookie: bool) -> BoltResponse:
    headers: dict[str, Any] = {"Content-Type": "text/html; charset=utf-8"}
    if clear_cookie:  # the state is spent: the browser forgets it
        headers["Set-Cookie"] = [settings.state_utils.build_set_cookie_for_deletion()]
    return BoltResponse(status=status, body=body, headers=headers)


def register(app: App, st: Steward) -> None:
    def stop(body: dict[str, Any], why: str) -> None:
        team_id = str(body.get("team_id") or "")
        if not team_id:
            log.warning("%s without a team_id: ignored", why)
            return
        deleted = install.uninstalled(st.settings, st.db, team_id, st.clock.now())
        st.installs.forget(team_id)
        log.info(
            "workspace %s: %s; sending to it stopped (%d stored token(s) deleted), its data kept",
            team_id,
            why,
            deleted,
        )

    def app_uninstalled(body: dict[str, Any]) -> None:
        stop(body, "Steward was uninstalled (app_uninstalled)")

    def tokens_revoked(event: dict[str, Any], body: dict[str, Any]) -> None:
        revoked = event.get("tokens") or {}
        if revoked.get("bot"):
            stop(body, "its bot token was revoked (tokens_revoked)")
        else:  # user tokens only: Steward keeps none, so nothing changes
            log.info(
                "workspace %s: %d user token(s) revoked (tokens_revoked); Steward uses none",
                body.get("team_id"),
                len(revoked.get("oauth") or []),
            )

    app.event("app_uninstalled")(deferred(st, app_uninstalled))
    app.event("tokens_revoked")(deferred(st, tokens_revoked))
