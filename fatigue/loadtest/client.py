"""A browser stand-in that speaks Streamlit's websocket protocol, for the load test
and the bench's page timings.

It does what a browser does for a visit, without drawing anything: the HTTP
requests (the sign-in form, a page load) with its cookies, then the page's
websocket (``/_stcore/stream``: Streamlit's protobuf messages from
``streamlit.proto``, the same the browser sends and receives) to run pages,
set widgets and press buttons, waiting each time until the script run is
over. What a run showed (texts, widgets, errors) is kept in :class:`Run`.

Only for the app on this host: :func:`fatigue.loadtest.harness.loopback_only`
checks the address, and the self-signed certificate of a test proxy is accepted.
"""
from __future__ import annotations

import contextlib
import http.client
import ssl
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import connect

from fatigue.loadtest.tls import connect_tls

SESSION_COOKIE = "fatigue_session"
XSRF_COOKIE = "_streamlit_xsrf"
TIMEOUT_SECONDS = 120.0
TEXT_FIELDS = ("body", "message", "label")  # where elements keep the words they show
ERROR_KINDS = ("exception",)
DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)


def _tls_context() -> ssl.SSLContext:
    """TLS for the test proxy's self-signed certificate: not checked, so no CA store is
    loaded (loading it for every request was three quarters of the load test's own CPU,
    taken from the app processes on the same cores)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


_TLS_CONTEXT = _tls_context()


class VisitError(RuntimeError):
    """A step of a visit did not do what a person would have seen it do."""


@dataclass
class Run:
    """What one script run (and the reruns it asked for) showed."""

    elements: dict[tuple[int, ...], Any] = field(default_factory=dict)  # delta path -> Element
    page_hash: str = ""
    errors: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        """Every text shown: headings, markdown, alerts, captions, labels."""
        out = []
        for element in self.elements.values():
            inner = getattr(element, element.WhichOneof("type") or "", None)
            for name in TEXT_FIELDS:
                value = getattr(inner, name, None)
                if isinstance(value, str) and value:
                    out.append(value)
        return out

    def shows(self, words: str) -> bool:
        return any(words in text for text in self.texts())

    def widget(self, label: str) -> Any:
        """The widget proto whose label starts with ``label`` (VisitError if none)."""
        for element in self.elements.values():
            inner = getattr(element, element.WhichOneof("type") or "", None)
            if getattr(inner, "id", "") and getattr(inner, "label", "").startswith(label):
                return inner
        raise VisitError(f"No widget labelled {label!r} on the page.")


class Browser:
    """One person's browser: its cookies, and the websocket of the page it has open."""

    def __init__(self, base_url: str, timeout: float = TIMEOUT_SECONDS) -> None:
        parts = urlsplit(base_url)
        self.base_url = base_url.rstrip("/")
        self.https = parts.scheme == "https"
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or (443 if self.https else 80)
        self.netloc = parts.netloc
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.socket: Any = None
        self.pages: dict[str, str] = {}  # url path ("checkin") -> page script hash
        self.upstreams: list[str] = []  # X-Fatigue-Upstream answers (test proxies only)
        self.run = Run()

    # --- HTTP -------------------------------------------------------------------

    def _cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def _keep_cookies(self, headers: list[tuple[str, str]]) -> None:
        for name, value in headers:
            if name.lower() != "set-cookie":
                continue
            for morsel in SimpleCookie(value).values():
                gone = morsel["max-age"] in ("0", "-1") or not morsel.value
                if gone:
                    self.cookies.pop(morsel.key, None)
                else:
                    self.cookies[morsel.key] = morsel.value

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """One HTTP request with this browser's cookies; (status, headers, body)."""
        if self.https:
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                self.host, self.port, timeout=self.timeout, context=_TLS_CONTEXT)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        headers = {"Sec-Fetch-Site": "same-origin", "User-Agent": "fatigue-loadtest"}
        if self.cookies:
            headers["Cookie"] = self._cookie_header()
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            pairs = answer.getheaders()
        finally:
            conn.close()
        self._keep_cookies(pairs)
        found = {name.lower(): value for name, value in pairs}
        if "x-fatigue-upstream" in found:
            self.upstreams.append(found["x-fatigue-upstream"])
        return answer.status, found, data

    def sign_in(self, username: str, password: str, *, keep: bool = True) -> None:
        """The sign-in form, as sent from /signin: ends with the session cookie."""
        status, headers, _ = self.request("POST", "/signin", {
            "username": username, "password": password, "keep": "1" if keep else "0", "next": "/"})
        if status != 303 or SESSION_COOKIE not in self.cookies:
            raise VisitError(f"Signing in as {username} failed (HTTP {status}).")

    # --- the page and its websocket ----------------------------------------------

    def open(self, path: str = "/") -> float:
        """Load a page (a new Streamlit session, as a reload does) and wait for its
        first run; seconds taken. VisitError if the server sent the sign-in page."""
        self.close()
        start = time.perf_counter()
        status, headers, _ = self.request("GET", path)
        if status != 200:
            where = headers.get("location", "")
            raise VisitError(f"Loading {path} answered HTTP {status} {where}".strip())
        protocols = ["streamlit"] + ([self.cookies[XSRF_COOKIE]] if XSRF_COOKIE in self.cookies else [])
        # Over TLS, a connection already made (fatigue.loadtest.tls says why), so "ws://".
        sock = connect_tls(self.host, self.port, _TLS_CONTEXT, self.timeout) if self.https else None
        self.socket = contextlib.ExitStack().enter_context(connect(  # closed by close()
            f"ws://{self.netloc}/_stcore/stream", sock=sock,
            additional_headers={"Cookie": self._cookie_header(), "Origin": self.base_url,
                                "User-Agent": "fatigue-loadtest"},
            subprotocols=protocols,  # type: ignore[arg-type]
            open_timeout=self.timeout, max_size=None, compression=None))
        upstream = self.socket.response.headers.get("X-Fatigue-Upstream")
        if upstream:
            self.upstreams.append(upstream)
        self._rerun(page_name=path.strip("/"))
        return time.perf_counter() - start

    def goto(self, page: str) -> float:
        """Follow the sidebar link to ``page`` (its url path, e.g. "checkin"); seconds taken."""
        if page not in self.pages:
            raise VisitError(f"The page {page!r} is not in this person's menu.")
        return self._rerun(page_hash=self.pages[page])

    def submit(self, button: str, values: dict[str, Any] | None = None) -> float:
        """Set widgets (label -> value) and press the button labelled ``button``; seconds taken."""
        states = [self._state(self.run.widget(label), value) for label, value in (values or {}).items()]
        trigger = WidgetState(id=self.run.widget(button).id, trigger_value=True)
        return self._rerun(page_hash=self.run.page_hash, widgets=[*states, trigger])

    @staticmethod
    def _state(widget: Any, value: Any) -> WidgetState:
        state = WidgetState(id=widget.id)
        kind = type(widget).__name__
        if kind == "ButtonGroup" or (kind == "Slider" and widget.options):
            # st.segmented_control and st.select_slider: the chosen option's text
            state.string_array_value.data.extend([str(value)])
        elif kind == "Slider":
            state.double_array_value.data.extend([float(value)])
        elif kind == "NumberInput":
            state.double_value = float(value)
        elif kind == "Checkbox":
            state.bool_value = bool(value)
        else:
            state.string_value = str(value)
        return state

    def _rerun(self, *, page_hash: str = "", page_name: str = "",
               widgets: list[WidgetState] | None = None) -> float:
        if self.socket is None:
            raise VisitError("No page is open.")
        message = BackMsg()
        state = message.rerun_script
        state.page_script_hash = page_hash
        state.page_name = page_name
        state.context_info.timezone = "UTC"
        state.context_info.locale = "en-GB"
        state.context_info.url = self.base_url + "/"
        state.widget_states.widgets.extend(widgets or [])
        start = time.perf_counter()
        try:
            self.socket.send(message.SerializeToString())
        except Exception as exc:  # the connection closed: the process is gone
            raise VisitError(f"The connection to the app was lost ({type(exc).__name__}).") from None
        self._until_done()
        return time.perf_counter() - start

    def _until_done(self) -> None:
        """Read the server's messages until the run (and any rerun it asked for) is over."""
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise VisitError("The page did not finish within the time allowed.")
            try:
                data = self.socket.recv(timeout=left)
            except TimeoutError:
                raise VisitError("The page did not finish within the time allowed.") from None
            except Exception as exc:  # the connection closed: the process is gone
                raise VisitError(f"The connection to the app was lost ({type(exc).__name__}).") from None
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "new_session":
                self.run = Run(page_hash=message.new_session.page_script_hash)
            elif kind == "navigation":
                self.pages = {page.url_pathname: page.page_script_hash
                              for page in message.navigation.app_pages}
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                self.run.elements[tuple(message.metadata.delta_path)] = element
                if element.WhichOneof("type") in ERROR_KINDS:
                    self.run.errors.append(element.exception.message or element.exception.type)
            elif kind == "page_not_found":
                self.run.errors.append("page not found")
            elif kind == "ref_hash":
                raise VisitError("The server sent a cached message this client never had.")
            elif kind == "session_event" and message.session_event.HasField(
                    "script_compilation_exception"):
                self.run.errors.append(message.session_event.script_compilation_exception.message)
            elif kind == "script_finished" and message.script_finished in DONE:
                if self.run.errors:
                    raise VisitError("The page failed: " + "; ".join(self.run.errors))
                return

    def close(self) -> None:
        """Close the page (its websocket); the cookies stay, as in a browser."""
        if self.socket is not None:
            try:
                self.socket.close()
            except Exception:  # noqa: BLE001 - already gone
                pass
            self.socket = None
