"""The load test (``python -m fatigue loadtest``) and the deployment it runs against.

* :mod:`.client`: a browser stand-in speaking Streamlit's websocket protocol.
* :mod:`.proxy`: the shipped ``deploy/nginx.conf``, run for real on loopback.
* :mod:`.harness`: ``python -m fatigue serve`` with N processes, nginx in front,
  and what each app process used.
* :mod:`.run`: simulated people visiting (sign in, check in, trends), the figures.

Tooling, not the app: nothing in the app imports it. The client uses
Streamlit's protobuf messages (``streamlit.proto``), never its runtime.
"""
