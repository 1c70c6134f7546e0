"""A stand-in for Streamlit behind our routes and guard, for the HTTP tests.

The real server (st.App around app.py) is started by the browser tests; here
the guard and the sign-in routes run in front of a few endpoints shaped like
Streamlit's, so each rule can be checked quickly and exactly.
"""
from __future__ import annotations

import warnings

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

with warnings.catch_warnings():  # Starlette 1.x would rather drive it with httpx2
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from fatigue.web.guard import Guard
from fatigue.web import routes  # all of ours: sign-in and the reminder links

HOST = "checkin.example.org"


class Streamlit:
    """Endpoints like Streamlit's; counts what reached them."""

    def __init__(self) -> None:
        self.uploads_read = 0

    async def index(self, request: Request) -> Response:
        return HTMLResponse("<p>the app</p>", headers={"Cache-Control": "no-cache"})

    async def media(self, request: Request) -> Response:
        return Response(b"private notes", media_type="application/json",
                        headers={"Content-Disposition": 'attachment; filename="my-data.json"'})

    async def upload(self, request: Request) -> Response:
        body = await request.body()
        self.uploads_read += 1
        return PlainTextResponse(str(len(body)), status_code=200)

    async def text(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    async def static(self, request: Request) -> Response:
        return PlainTextResponse("js", headers={"Cache-Control": "public, max-age=31536000"})

    def routes(self) -> list[Route]:
        return [
            Route("/media/{file_id:path}", self.media),
            Route("/_stcore/upload_file/{session_id}/{file_id}", self.upload, methods=["PUT"]),
            Route("/_stcore/health", self.text),
            Route("/_stcore/metrics", self.text),
            Route("/_stcore/agent/openapi.json", self.text),
            Route("/static/js/index.js", self.static),
            Route("/", self.index),
            Route("/{page:path}", self.index),
        ]


def client(app_state: Streamlit | None = None, *, https: bool = False,
           address: str = "198.51.100.7") -> TestClient:
    """A browser-like client of our routes and guard in front of ``app_state``."""
    app_state = app_state or Streamlit()
    app = Starlette(routes=routes() + app_state.routes(), middleware=[Middleware(Guard)])
    scheme = "https" if https else "http"
    return TestClient(app, base_url=f"{scheme}://{HOST}", client=(address, 50000),
                      follow_redirects=False)
