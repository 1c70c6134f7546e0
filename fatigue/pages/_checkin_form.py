"""The quick daily check-in form, drawn on Home (today) and on the Check-in page.

Thumb first: one column; each rating is a row of one-tap choices 0-10 with
nothing chosen (a rating left alone is saved as not answered); the workload of
the last check-in is copied unless the person opens it and changes it; the
yes/no questions and the note wait behind "More about today". Save stays at
the bottom of the screen, and the confirmation appears right above it, where
the thumb just was (and as a toast).

The private note is read and written with the person's own key when it is open
in their session (:mod:`fatigue.note_keys`); while it is locked the form says
so where the note would be (never an empty box) and keeps the saved note as it
is. The first note makes the key; a single sign-on account may give a notes
passphrase for it then, or leave it empty and keep the recovery code alone.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import streamlit as st

from fatigue import accounts, checkin_form, checkins, items, note_keys, sessions
from fatigue.dates import day_text
from fatigue.errors import ValidationError
from fatigue.pages._private_notes import ensure_key, locked_note_line, notes_access
from fatigue.validation import FLAGS, LABELS, MAX_NOTE_CHARS, REQUIRED, WORKLOAD, validate_checkin

FLASH_KEY = "checkin_flash"
ERRORS_KEY = "checkin_errors"
PASSPHRASE = "notes_passphrase"  # a single sign-on account's first note: its widget key
SCALE = list(range(11))

NUMBERS: dict[str, tuple[float, str]] = {  # field: (step, help)
    "caseload": (1, "Open cases you carry now."),
    "contacts": (1, "Calls, visits and meetings with or about clients."),
    "crisis_contacts": (1, "Of today's contacts: crises, threats, safeguarding emergencies."),
    "trauma_contacts": (1, "Of today's contacts: ones where you heard or saw traumatic material."),
    "direct_hours": (0.5, "Time spent with clients, in person or remotely."),
    "after_hours_minutes": (15, "Work before or after your scheduled hours, including calls and messages."),
}
FLAG_HELP = {
    "supervision": "Supervision, reflective practice or a debrief with a colleague.",
    "break_taken": "At least 20 minutes away from work tasks.",
}

# Save stays in view at the bottom of the screen while the form scrolls under it
# (sticky on the wrapper Streamlit puts around the keyed container); each rating's
# eleven choices share one row, even 390 px wide (33 px each, above WCAG's 24 px).
_STYLE = """<style>
[data-testid="stLayoutWrapper"]:has(> .st-key-checkin_save_bar) {
  position: sticky; bottom: 0; z-index: 5; background: #fff; padding: 0.25rem 0 0.5rem; }
[data-testid="stMain"] { scroll-padding-bottom: 6rem; }  /* a control Tab reaches scrolls clear of the bar */
.st-key-checkin_ratings [role="radiogroup"] { flex-wrap: nowrap; }
.st-key-checkin_ratings [role="radiogroup"] button {
  flex: 1 1 0; min-width: 0; min-height: 2.1rem; padding: 0; }
[data-testid="stMainBlockContainer"] { padding-top: 4rem; }
.st-key-checkin_ratings { gap: 0.4rem; }
</style>"""


def _flash_for(day: dt.date) -> dict[str, str] | None:
    flash = st.session_state.get(FLASH_KEY)
    return flash if flash and flash.get("day") == day.isoformat() else None


def just_saved(day: dt.date) -> bool:
    """Whether this session saved the check-in of ``day`` (its confirmation is showing)."""
    return _flash_for(day) is not None


def draw(db: Any, user: accounts.User, session: sessions.Session, day: dt.date, *,
         today: dt.date, local_today: dt.date, heading: str = "") -> None:
    """Draw the form for ``day`` (``heading`` starts its first line); saving reruns the
    page with the confirmation by Save."""
    user_id = user.id
    notes = notes_access(user, session)  # the person's own key, open in this session or not
    saved = checkins.get_checkin(db, user_id, day, key=notes.key)
    last = checkins.last_workload(db, user_id, day)
    # The last save's messages and confirmation are shown once, on the run right after it.
    failed = st.session_state.pop(ERRORS_KEY, {})
    errors: dict[str, str] = failed.get("errors", {}) if failed.get("day") == day.isoformat() else {}
    suffix = f"@{day.isoformat()}"

    def key(field: str) -> str:
        return field + suffix

    def show_error(field: str) -> None:
        if field in errors:
            st.error(errors[field], icon=":material/error:")

    label, rating_items = items.daily_items()
    ordered = sorted(rating_items, key=lambda item: item.field not in REQUIRED)
    st.html(_STYLE)
    with st.form(f"checkin{suffix}", enter_to_submit=False, border=False):
        st.caption(f"**{heading}.** Tap a number for each: exhaustion and empathy are "
                   "needed, the rest you may skip. Higher means more of the thing named.")
        with st.container(key="checkin_ratings"):
            for item in ordered:
                needed = " (needed)" if item.field in REQUIRED else ""
                st.segmented_control(
                    f"{item.label}{needed}: 0 {item.low}, 10 {item.high}",
                    SCALE,
                    default=None if saved is None else saved[item.field],
                    help=f"{item.question} {item.help}",
                    key=key(item.field),
                    width="stretch",
                )
                show_error(item.field)

        base = saved if saved is not None else (last.values if last else {})
        if saved is not None:
            title = "Workload of this day"
        elif last is not None:
            title = (f"Workload: same as {day_text(last.day)}: {checkin_form.workload_line(last)}. "
                     "Open to change it")
        else:
            title = "Workload (optional): caseload, contacts, hours"
        with st.expander(title, icon=":material/work:", expanded=any(f in errors for f in WORKLOAD)):
            for field, (step, help_text) in NUMBERS.items():
                fractional = field == "direct_hours"
                value = base.get(field)
                st.number_input(
                    LABELS[field], min_value=0.0 if fractional else 0, step=step,
                    value=None if value is None else (float(value) if fractional else int(value)),
                    format="%.1f" if fractional else None, help=help_text,
                    placeholder="not answered", key=key(field))
                show_error(field)
        with st.expander("More about today (optional): supervision, break, private note",
                         icon=":material/add_notes:",
                         expanded=bool(saved and (saved["note"] or saved["note_locked"]))
                         or "note" in errors):
            for field in FLAGS:
                flag = None if saved is None else saved[field]
                st.segmented_control(
                    LABELS[field], [checkin_form.YES, checkin_form.NO],
                    default=None if flag is None else (checkin_form.YES if flag else checkin_form.NO),
                    help=FLAG_HELP[field], key=key(field))
            _note_field(notes, saved, key)
            show_error("note")
        st.caption(f"{label}. Only you ever see your answers and your note; team leads see "
                   "only anonymized team figures.")
        with st.container(key="checkin_save_bar"):
            flash = _flash_for(day) and st.session_state.pop(FLASH_KEY)
            if flash:
                st.toast(flash["text"], icon=":material/check_circle:")
                st.success(flash["text"], icon=":material/check_circle:")
                if flash.get("week"):
                    st.caption(flash["week"])
            if errors:
                st.error(_summary(errors), icon=":material/error:")
            submitted = st.form_submit_button(
                "Update check-in" if saved else "Save check-in", type="primary",
                key=key("save"), width="stretch")
    if not submitted:
        return
    ratings = {item.field: st.session_state.get(key(item.field)) for item in rating_items}
    values = checkin_form.answers(
        ratings, {name: st.session_state.get(key(name)) for name in WORKLOAD},
        {name: st.session_state.get(key(name)) for name in FLAGS},
        st.session_state.get(key("note")) or "")
    try:
        checkins.check_form_day(db, day, local_today)
        if values["note"].strip() and not notes.has_key:  # the first note makes the key
            validate_checkin(values)  # ... only once the rest of the form would save
            notes = ensure_key(user, session, _passphrase(st.session_state.get(key(PASSPHRASE))))
        checkins.save_checkin(db, user_id, day, today=today, key=notes.key, **values)
    except ValidationError as exc:  # a refused storage (NotSaved) comes under "save"
        st.session_state[ERRORS_KEY] = {"day": day.isoformat(), "errors": exc.errors}
        st.session_state.pop(FLASH_KEY, None)
        st.rerun()
    st.session_state.pop(ERRORS_KEY, None)
    text = f"Check-in for {day_text(day)} {'updated' if saved else 'saved'}. Thank you."
    st.session_state[FLASH_KEY] = {"day": day.isoformat(), "text": text,
                                   "week": checkin_form.week_so_far(db, user_id, day)}
    st.rerun()


def _note_field(notes: note_keys.Access, saved: dict[str, Any] | None,
                key: Callable[[str], str]) -> None:
    """The private note, or where it would be, that it is locked (never an empty box);
    for a single sign-on account's first note, a notes passphrase to lock it with."""
    if notes.locked:
        locked_note_line(notes)
        return
    st.text_area("Private note (optional)", value=(saved["note"] if saved else "") or "",
                 max_chars=MAX_NOTE_CHARS, height=80, key=key("note"),
                 help="Only you can ever read this: it is locked with a key of your own, which "
                 "only your password (or notes passphrase) or your recovery code opens. Please "
                 "do not write client names.")
    if not notes.has_key and not notes.can_wrap_password:  # single sign-on, first note
        st.text_input(
            "Notes passphrase (for your first note)", type="password", key=key(PASSPHRASE),
            help="You signed in with single sign-on, so your password cannot lock your notes. "
            "Choose a passphrase to open them in later sessions, or leave it empty to use only "
            f"the recovery code you will be shown. At least {accounts.MIN_PASSWORD_CHARS} "
            "characters.")


def _passphrase(typed: str | None) -> str:
    """The notes passphrase typed for a first note ("" for none), or
    :class:`ValidationError` under the note when it is too weak."""
    if not typed:
        return ""
    try:
        accounts.check_password(typed)
    except ValidationError as exc:
        raise ValidationError({"note": "Notes passphrase: " + exc.errors["password"]}) from None
    return typed


def _summary(errors: dict[str, str]) -> str:
    """"Not saved: ..." naming what to fix, next to Save."""
    if "save" in errors:
        return errors["save"]
    missing = [LABELS[f].lower() for f in REQUIRED if f in errors and "needed" in errors[f]]
    if missing and len(missing) == len(errors):
        return f"Not saved yet: please choose a number for {' and '.join(missing)}."
    count = len(errors)
    return f"Not saved: please fix {count} field{'s' if count > 1 else ''} above."
