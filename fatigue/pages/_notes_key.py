"""Stop the app with a clear message when the private-notes key does not fit.

Runs on every run, before any page or login screen (it is cheap: the key is
cached by file identity and one note is decrypted). A wrong, missing or unsafe
key (fatigue.crypto) would otherwise surface as an error inside a page; here
the person running the server is told what to do, and nothing is written.
"""
from __future__ import annotations

import streamlit as st

from fatigue import crypto
from fatigue.pages._health import attention_screen
from fatigue.pages._session import get_db


def stop_if_notes_key_unusable() -> None:
    """Show what is wrong with the notes key and stop, when it cannot be used."""
    try:
        problem = crypto.check_key(get_db())
    except crypto.NotesKeyError as exc:  # raised while upgrading the database
        problem = str(exc)
    if problem is None:
        return
    attention_screen(
        "The private notes key needs attention",
        "The app cannot open the private notes with its key, so it has stopped before "
        "showing or saving anything. Nobody can log in until it is fixed.",
        ":material/key_off:",
        problem,
    )
    st.caption("See 'Private notes and the encryption key' in README.md.")
    st.stop()
