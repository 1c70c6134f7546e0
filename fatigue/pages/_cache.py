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

import pandas as pd

from fatigue import accounts, analytics, checkins
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


def own_history(user: User) -> pd.DataFrame:
    """The signed-in person's check-ins without notes (:func:`fatigue.checkins.load_history`)."""
    return personal_cached("history", user,
                           lambda: checkins.load_history(get_db(), user.id).drop(columns="note"))


def own_summary(user: User) -> analytics.PersonalSummary:
    """The signed-in person's :func:`fatigue.analytics.personal_summary` for today."""
    standard = accounts.caseload_standard(get_db(), user.id)
    history = own_history(user)
    return personal_cached(f"summary:{standard}", user,
                           lambda: analytics.personal_summary(history, local_today(), standard))
