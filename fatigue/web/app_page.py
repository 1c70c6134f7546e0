"""The app's page as a browser loads it: Streamlit's ``index.html``, telling Streamlit's
frontend where its server is.

Opened at a page's address (``/organisation``, a bookmark or a reload), Streamlit's
frontend does not know whether ``/organisation`` is the server's base path: it asks
``/organisation/_stcore/health`` first, gets a 404, waits 100 ms and asks ``/`` (about
0.15 s of every new tab or reload not on Home). Its ``window.__streamlit`` settings
(``BACKEND_BASE_URL``, ``MAIN_PAGE_BASE_URL``: Streamlit pull requests #11378 and
#11537) say where the server and the main page are, so it asks once. The app is served
at the root of its own host name (docs/deploy.md), so both are the page's origin.

Imports nothing of the core (:mod:`fatigue.web.headers` reads :func:`inline_scripts`).
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

from starlette.responses import HTMLResponse

# Static text, so the page policy can allow it by its hash (fatigue.web.headers).
BASE_SCRIPT = ("window.__streamlit = {BACKEND_BASE_URL: window.location.origin, "
               "MAIN_PAGE_BASE_URL: window.location.origin};")
# Streamlit answers these with index.html (its pages' addresses), "/" included.
PAGE_PATH = re.compile(r"/[A-Za-z0-9_-]*")


def _streamlit_index() -> str:
    import streamlit

    return (Path(streamlit.__file__).parent / "static" / "index.html").read_text(encoding="utf-8")


@functools.cache
def index_html() -> str:
    """Streamlit's index.html with :data:`BASE_SCRIPT` before its own scripts."""
    text = _streamlit_index()
    first = text.index("<script")
    return f"{text[:first]}<script>{BASE_SCRIPT}</script>\n    {text[first:]}"


def inline_scripts() -> list[str]:
    """The inline scripts of the page we serve (for the page policy's hashes)."""
    return re.findall(r"<script>(.*?)</script>", index_html(), flags=re.DOTALL)


def is_page(path: str) -> bool:
    """Whether ``path`` is the address of one of the app's pages."""
    return PAGE_PATH.fullmatch(path) is not None


def response() -> HTMLResponse:
    """The page, not to be stored (the guard adds the headers)."""
    return HTMLResponse(index_html())
