"""The server: Streamlit's ASGI app (``st.App``) for ``app.py``, with our sign-in
routes and the HTTP guard in front (:mod:`fatigue.web`).

Started by ``./run.sh`` as ``streamlit run server.py`` (which finds ``app`` below
and serves it with uvicorn, reading ``.streamlit/config.toml`` as usual).

At start-up the process takes the database's app lock (:mod:`fatigue.files`)
and holds it for its whole life, so ``fatigue restore`` and ``fatigue
rotate-key`` refuse while the app runs, whether or not anyone has a page open;
while one of them runs, the app does not start.

This file imports little (no storage layer, no pandas): the process answers its
health check as soon as Streamlit listens, while a background thread imports what
the first visit needs (:func:`fatigue.web.warm_up`, started once the server has).
"""
import faulthandler
import sys

from streamlit.starlette import App

from fatigue import files, web
from fatigue.paths import default_path

faulthandler.enable()  # a crash in C code (SQLite, OpenSSL) leaves every thread's stack in the log

try:
    APP_LOCK = files.hold_for_app(default_path())  # kept open: the kernel drops it at exit
except files.InUse as exc:
    sys.exit(f"error: {exc}")

app = App("app.py", routes=web.routes(), middleware=web.middleware())
