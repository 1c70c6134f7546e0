"""The person's private-notes key in a page (fatigue.note_keys): what this session can
open, the recovery code shown once, the form that unlocks locked notes, and the choice
to start afresh (told before it is made that the old notes are then gone for good)."""
from __future__ import annotations

import streamlit as st

from fatigue import accounts, note_keys, sessions
from fatigue.dates import day_text
from fatigue.errors import ValidationError
from fatigue.pages._session import browser_token, get_db

CODE_FILE = "private-notes-recovery-code.txt"


def notes_access(user: accounts.User, session: sessions.Session) -> note_keys.Access:
    """What this browser's session can do with ``user``'s notes (re-read every run)."""
    return note_keys.access(get_db(), user.id, session.id, browser_token())


def ensure_key(user: accounts.User, session: sessions.Session,
               passphrase: str | None = None) -> note_keys.Access:
    """The key to write a note with, made now if the person has none (the first note)."""
    opened = notes_access(user, session)
    if opened.has_key:
        return opened
    return note_keys.create(get_db(), user.id, session.id, browser_token() or "",
                            passphrase=passphrase or None)


def code_file(code: str) -> str:
    """The text of the downloadable recovery code."""
    return (
        "Recovery code for your private notes in the caseload check-in tool\n\n"
        f"{code}\n\n"
        "Keep it somewhere safe and private (a password manager, or printed at home). If an "
        "admin ever resets your password, your notes stay locked until you enter this code "
        "under 'Private notes' on My account. Nobody else, not even an admin, can open them "
        "without it or your own password.\n")


def recovery_code_panel(session: sessions.Session) -> None:
    """A new recovery code, until the person says they have kept it (shown once)."""
    db = get_db()
    code = note_keys.pending_code(db, session.id, browser_token())
    if code is None:
        return
    with st.container(border=True, key="recovery_code_panel"):
        st.subheader(":material/key: Your recovery code for private notes")
        st.write(
            "Your private notes are now locked with a key of your own, which only your "
            "password opens. Keep this code: if an admin ever resets your password, it is "
            "the only way to open your notes again. It is shown only now.")
        st.code(code, language=None)
        left, right = st.columns(2)
        left.download_button("Download the code", code_file(code), file_name=CODE_FILE,
                             mime="text/plain", icon=":material/download:",
                             key="recovery_code_download", on_click="ignore")
        if right.button("I have kept it", type="primary", key="recovery_code_kept"):
            note_keys.code_shown(db, session.id)
            st.rerun()


def locked_words(opened: note_keys.Access) -> str:
    """Why the notes are locked and what opens them, in words."""
    if opened.reset_at is not None:
        return (f"Your private notes are locked: an admin reset your password on "
                f"{day_text(opened.reset_at.date())}, and the admin's password cannot open "
                "them. Enter your recovery code to open them again.")
    if opened.kind in (None, "code"):
        return ("Your private notes are locked in this session: only your recovery code "
                "opens them. Enter it to open them.")
    what = {"password": "your password", "passphrase": "your notes passphrase"}[opened.kind]
    return (f"Your private notes are locked in this session (you signed in without "
            f"{what}). Enter {what} or your recovery code to open them.")


def unlock_form(user: accounts.User, session: sessions.Session,
                opened: note_keys.Access) -> None:
    """Open locked notes with the password, passphrase or recovery code; or start afresh."""
    db = get_db()
    st.warning(locked_words(opened), icon=":material/lock:")
    with st.form("unlock_notes", clear_on_submit=True):
        label = ("Recovery code" if opened.reset_at is not None or opened.kind == "code"
                 else "Password, notes passphrase or recovery code")
        typed = st.text_input(label, type="password", key="unlock_secret",
                              help="The recovery code looks like XXXXX-XXXXX-XXXXX-XXXXX-XXXXX.")
        if st.form_submit_button("Open my notes", type="primary", key="unlock_submit"):
            try:
                note_keys.unlock(db, user.id, typed, session.id, browser_token() or "")
            except ValidationError as exc:
                for message in exc.errors.values():
                    st.error(message, icon=":material/error:")
            else:
                st.session_state["account_flash"] = "Your private notes are open again."
                st.rerun()
    with st.expander("I do not have my recovery code"):
        st.write(
            "Without your recovery code nobody can open your old notes: not you, not an admin, not the people who run the server. "
            "They stay locked and kept until you find the code. You can instead delete them "
            "for good and start afresh with new notes; your ratings and everything else stay.")
        with st.form("start_afresh", clear_on_submit=True):
            confirm = st.text_input(
                "To delete your locked notes for good, type DELETE MY NOTES", key="afresh_confirm")
            if st.form_submit_button("Delete my locked notes and start afresh",
                                     key="afresh_submit", icon=":material/delete_forever:"):
                if confirm.strip() != "DELETE MY NOTES":
                    st.error("Type DELETE MY NOTES exactly; nothing was deleted.")
                else:
                    gone = note_keys.start_afresh(db, user.id, session.id, browser_token() or "")
                    st.session_state["account_flash"] = (
                        f"{gone} locked note{'' if gone == 1 else 's'} deleted. Your next note "
                        "gets a new key and a new recovery code.")
                    st.rerun()


def locked_note_line(opened: note_keys.Access) -> None:
    """Where a note would be shown: it is locked, and where to open it (never empty)."""
    st.info(locked_words(opened) + " (My account, Private notes.)",
            icon=":material/lock:")
