"""Browser (end-to-end) tests: the real app in Debian's Chromium, driven by Playwright.

A package on purpose: its ``conftest.py`` is then imported as ``e2e.conftest``
and does not shadow ``tests/conftest.py``, which the unit tests import by name.
"""
