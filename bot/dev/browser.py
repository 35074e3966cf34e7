"""A browser for Slack's install flow against the app over HTTP: it keeps cookies, and plays
Slack's part in between (the person approves; Slack sends the browser back with a code)."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode, urlsplit

from bot.dev.local import HttpResult


class Browser:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies: dict[str, str] = {}

    def get(self, path: str, query: dict[str, str] | None = None) -> HttpResult:
        url = self.base_url + path + (f"?{urlencode(query)}" if query else "")
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        request = urllib.request.Request(url, headers=headers if self.cookies else {})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, text, got = response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            status, text, got = error.code, error.read().decode(), error.headers
        for header in got.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return HttpResult(status, text, time.monotonic() - started)

    def start_install(self) -> str:
        """Open /slack/install; the state its "Add to Slack" link carries to Slack."""
        page = self.get("/slack/install")
        assert page.status == 200, page.body
        link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page.body)
        assert link, f"no Add to Slack link on the install page: {page.body[:300]}"
        query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
        return query["state"][0]

    def come_back(self, code: str, state: str) -> HttpResult:
        """Slack sends the browser back to the app after the person approved the install."""
        return self.get("/slack/oauth_redirect", {"code": code, "state": state})

    def install(self, code: str) -> HttpResult:
        """The whole flow: the install page, Slack (approved, `code`), back to the app."""
        return self.come_back(code, self.start_install())
