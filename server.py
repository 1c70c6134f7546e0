"""The server: Streamlit's ASGI app (``st.App``) for ``app.py``, with our sign-in
routes and the HTTP guard in front (:mod:`fatigue.web`).

Started by ``./run.sh`` as ``streamlit run server.py`` (which finds ``app`` below
and serves it with uvicorn, reading ``.streamlit/config.toml`` as usual).
"""
from streamlit.starlette import App

from fatigue import web

app = App("app.py", routes=web.routes(), middleware=web.middleware())
