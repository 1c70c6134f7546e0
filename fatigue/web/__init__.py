"""The HTTP layer around the Streamlit app, served through ``st.App`` by ``server.py``.

* :mod:`fatigue.web.signin`: our routes: the sign-in page and form, sign-out,
  the end of a single sign-on, the tab icon.
* :mod:`fatigue.web.guard`: middleware in front of every request: security
  headers and no caching, downloads and uploads only with a live session,
  metrics closed, pages sent to the sign-in page when nobody is signed in.
* :mod:`fatigue.web.client`: what a request says about its client; the cookie.
* :mod:`fatigue.web.sso`: Streamlit's single sign-on cookie, turned into a session.
* :mod:`fatigue.web.page`: the sign-in page's HTML, and the tab icon.
* :mod:`fatigue.web.reminder_links`: the pause and stop links of the reminder e-mails.
* :mod:`fatigue.web.headers`: the security headers on every answer.

This module holds the table of our routes (:data:`ROUTES`) and puts the guard in front
(:class:`DeferredGuard`), importing neither until they are needed, so that a new app
process answers its health check quickly (:func:`warm_up` imports them meanwhile).

Who may see what is decided in the core (:mod:`fatigue.sessions`,
:mod:`fatigue.accounts`) and checked again by every page.
"""
from __future__ import annotations

import importlib
import os
import threading
from typing import Any, Callable

from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from fatigue.web import headers

# Set in this process's environment (not a module variable, which Streamlit's
# reloading of changed modules would reset) once the guard is in place.
INSTALLED_ENV = "FATIGUE_WEB_GUARD"
HEALTH_PATH = "/_stcore/health"
# Our routes: path, methods, handler ("module:function" in this package). A handler's
# module is imported on its first request, or before by :func:`warm_up`, so that a new
# process answers its health check before it has imported the core (sqlite-utils,
# pandas, argon2 and the rest: over a second on a busy host).
ROUTES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("/signin", ("GET", "HEAD"), "signin:sign_in_form"),
    ("/signin", ("POST",), "signin:sign_in"),
    ("/signin/sso", ("GET",), "signin:finish_sso"),
    ("/signout", ("POST",), "signin:sign_out"),
    ("/favicon.png", ("GET", "HEAD"), "signin:favicon"),
    ("/signin.css", ("GET", "HEAD"), "signin:stylesheet"),
    ("/reminders/pause", ("GET", "HEAD", "POST"), "reminder_links:reminder_link"),
    ("/reminders/stop", ("GET", "HEAD", "POST"), "reminder_links:reminder_link"),
)
# What the first visit needs, imported by warm_up(): the guard, the handlers, app.py's own.
WARM_UP = ("fatigue.web.guard", "fatigue.web.signin", "fatigue.web.reminder_links",
           "fatigue.pages._gate", "fatigue.pages._health", "fatigue.pages._notes_key",
           "fatigue.pages._notices", "fatigue.pages._session", "fatigue.pages._reports", "altair")


def _handler(name: str) -> Callable[[Request], Any]:
    module, function = name.split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)


def _deferred(name: str) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        return await _handler(name)(request)

    endpoint.__name__ = name.replace(":", ".")
    return endpoint


def routes() -> list[Route]:
    """Our routes, for ``st.App(routes=...)`` (:data:`ROUTES`)."""
    return [Route(path, _deferred(name), methods=list(methods)) for path, methods, name in ROUTES]


class DeferredGuard:
    """:class:`fatigue.web.guard.Guard`, imported on the first request that needs it;
    :func:`warm_up` starts as soon as the server has started.

    Until then only the health check (with the guard's security headers, :mod:`.headers`)
    and what the guard passes through anyway (the websocket, the server's start and
    stop) go straight to the app; every other request waits for the guard, so nothing
    else is ever served unguarded.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.guard: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._warm_up_once_started(send))
            return
        if self.guard is None:
            if scope["type"] != "http":
                await self.app(scope, receive, send)
                return
            if scope["path"] == HEALTH_PATH:
                https = headers.is_https(HTTPConnection(scope))
                await self.app(scope, receive, headers.adding(send, HEALTH_PATH, https))
                return
            from fatigue.web.guard import Guard

            self.guard = Guard(self.app)
        await self.guard(scope, receive, send)

    @staticmethod
    def _warm_up_once_started(send: Send) -> Send:
        async def sent(message: dict[str, Any]) -> None:
            await send(message)
            if message["type"] == "lifespan.startup.complete":
                warm_up()

        return sent


def middleware() -> list[Middleware]:
    """Our middleware, for ``st.App(middleware=...)`` (it runs before Streamlit's)."""
    os.environ[INSTALLED_ENV] = "1"
    return [Middleware(DeferredGuard)]


def warm_up() -> threading.Thread:
    """Import what the first visit needs (:data:`WARM_UP`) in a background thread, while
    the process already answers its health check."""
    def imports() -> None:
        for module in WARM_UP:
            importlib.import_module(module)

    thread = threading.Thread(target=imports, name="fatigue-warm-up", daemon=True)
    thread.start()
    return thread


def installed() -> bool:
    """Whether this process serves the app through ``server.py`` (with the sign-in routes)."""
    return os.environ.get(INSTALLED_ENV) == "1"
