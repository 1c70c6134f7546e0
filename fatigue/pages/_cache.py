"""Per-session caches of a person's own figures, keyed so they are never stale.

A person's history and summary are kept in this session's state (memory only,
never on disk, never shared with another session; sign-out clears it) under a
key made of their user id, :func:`fatigue.analytics.data_version` (changed by
every write to their check-ins, in the same transaction) and the day. A rerun
of a personal page then costs one indexed lookup instead of reloading and
re-analysing the whole history. ``st.cache_data`` is not used for private data:
it is shared by every session.
"""
from __future__ import annotations

from typing import Callable, TypeVar

import streamlit as st

from fatigue import analytics
from fatigue.accounts import User
from fatigue.pages._session import get_db, local_today

PERSONAL_CACHE_KEY = "personal_cache"
T = TypeVar("T")


def personal_cached(name: str, user: User, compute: Callable[[], T], *, also: tuple = ()) -> T:
    """``compute()`` for the signed-in ``user``, recomputed only when their
    check-ins change, the day does, or ``also`` does (what else ``compute``
    reads, e.g. the period shown). One entry per ``name``."""
    key = (user.id, analytics.data_version(get_db(), user.id), local_today().isoformat(), *also)
    store = st.session_state.setdefault(PERSONAL_CACHE_KEY, {})
    entry = store.get(name)
    if entry is None or entry[0] != key:
        entry = store[name] = (key, compute())
    return entry[1]
