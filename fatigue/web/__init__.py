"""The HTTP layer around the Streamlit app, served through ``st.App`` by ``server.py``.

* :mod:`fatigue.web.signin`: our routes: the sign-in page and form, sign-out,
  the end of a single sign-on, the tab icon.
* :mod:`fatigue.web.guard`: middleware in front of every request: security
  headers and no caching, downloads and uploads only with a live session,
  metrics closed, pages sent to the sign-in page when nobody is signed in.
* :mod:`fatigue.web.client`: what a request says about its client; the cookie.
* :mod:`fatigue.web.sso`: Streamlit's single sign-on cookie, turned into a session.
* :mod:`fatigue.web.page`: the sign-in page's HTML, and the tab icon.

Who may see what is decided in the core (:mod:`fatigue.sessions`,
:mod:`fatigue.accounts`) and checked again by every page.
"""
from __future__ import annotations

import os

from starlette.middleware import Middleware
from starlette.routing import Route

# Set in this process's environment (not a module variable, which Streamlit's
# reloading of changed modules would reset) once the guard is in place.
INSTALLED_ENV = "FATIGUE_WEB_GUARD"


def routes() -> list[Route]:
    """Our routes, for ``st.App(routes=...)``."""
    from fatigue.web.reminder_links import routes as reminder_routes
    from fatigue.web.signin import routes as sign_in_routes

    return sign_in_routes() + reminder_routes()


def middleware() -> list[Middleware]:
    """Our middleware, for ``st.App(middleware=...)`` (it runs before Streamlit's)."""
    from fatigue.web.guard import Guard

    os.environ[INSTALLED_ENV] = "1"
    return [Middleware(Guard)]


def installed() -> bool:
    """Whether this process serves the app through ``server.py`` (with the sign-in routes)."""
    return os.environ.get(INSTALLED_ENV) == "1"
