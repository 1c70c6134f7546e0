"""Questionnaires: the validated measures, what is due, my scores over time."""
from __future__ import annotations


import altair as alt
import pandas as pd
import streamlit as st

from fatigue import instruments, questionnaires
from fatigue.errors import ValidationError
from fatigue.pages._session import get_db, local_today, require_user

# The ProQOL lets the form name the respondent's role in its bracketed words.
WORDS = {instruments.PROQOL5: {"[helper]": "case manager"}}

user = require_user()
db = get_db()
today = local_today()

st.title("Questionnaires")
st.caption(
    "Validated questionnaires, taken now and then alongside the daily check-in. Only you "
    "see your answers and scores. Scores describe how things have been; they are not a diagnosis."
)
flash = st.session_state.pop("questionnaire_flash", None)

due = questionnaires.due(db, user.id, today)
for entry in due:
    st.info(f"Due: {entry['name']}. {entry['reason']}", icon=":material/assignment:")
if not due:
    st.write("Nothing is due. The CBI can be taken whenever you like.")

names = {inst.short_name: inst.id for inst in instruments.all_instruments()}
first_due = next((d["instrument_id"] for d in due), instruments.PROQOL5)
chosen_name = st.segmented_control(
    "Questionnaire", list(names),
    default=next(n for n, i in names.items() if i == first_due), key="questionnaire_choice",
)
instrument = instruments.load(names[chosen_name or next(iter(names))])
words = WORDS.get(instrument.id)

if flash:
    st.success(flash["message"], icon=":material/check_circle:")
    st.dataframe(
        pd.DataFrame(
            [{"Scale": r["label"],
              "Score": r["score"] if r["scored"] else None,
              "Band": r["band_label"] if r["scored"] else r["reason"]}
             for r in flash["scores"].values()]
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader(instrument.name)
st.write(instruments.render_text(instrument.id, instrument.instructions, words))
st.caption(f"Recall period: {instrument.recall_period}. {instrument.attribution}")

# The last failed save's messages: shown once, on the rerun right after it.
errors: dict[str, str] = st.session_state.pop("questionnaire_errors", {}).get(instrument.id, {})
if errors:
    st.error("Nothing was saved: " + " ".join(dict.fromkeys(errors.values())), icon=":material/error:")
with st.form(f"questionnaire_{instrument.id}"):
    for item in instrument.items:
        st.radio(
            f"{item.number}. {instruments.render_item(instrument.id, item.number, words)}",
            instrument.options(item.number),
            index=None,
            horizontal=max(map(len, instrument.options(item.number))) <= 25,
            key=f"q_{instrument.id}_{item.number}",
        )
        if f"item {item.number}" in errors:
            st.error(errors[f"item {item.number}"], icon=":material/error:")
    submitted = st.form_submit_button("Save my answers", type="primary",
                                      key=f"save_{instrument.id}")
st.caption(instrument.licence)

if submitted:
    answers = {}
    for item in instrument.items:
        picked = st.session_state.get(f"q_{instrument.id}_{item.number}")
        answers[item.number] = None if picked is None else instrument.options(item.number).index(picked) + 1
    try:
        saved = questionnaires.save_response(db, user.id, instrument.id, answers, today=today)
    except ValidationError as exc:
        st.session_state["questionnaire_errors"] = {instrument.id: exc.errors}
    else:
        st.session_state.pop("questionnaire_errors", None)
        for item in instrument.items:  # a fresh form next time
            st.session_state.pop(f"q_{instrument.id}_{item.number}", None)
        st.session_state["questionnaire_flash"] = {
            "message": f"{instrument.short_name} saved for {today:%d %B %Y}. Your scores:",
            "scores": saved["scores"],
        }
    st.rerun()

# --- history -------------------------------------------------------------------
st.subheader(f"My {instrument.short_name} scores over time")
past = questionnaires.history(db, user.id, instrument.id)
points = past[past["scored"]][["taken_on", "label", "score", "band_label"]]
if points.empty:
    st.write("No results yet.")
else:
    low, high = instrument.score_range
    edges = [max(b.start, low) for b in instrument.bands] + [high]
    for sub in instrument.subscales:
        mine = points[points["label"] == sub.label]
        if mine.empty:
            continue
        # Shaded by direction: the hard end is red whichever way the scale runs.
        bands = pd.DataFrame({"band": [b.label for b in instrument.bands],
                              "meaning": instrument.band_meanings(sub),
                              "from": edges[:-1], "to": edges[1:]})
        shaded = alt.Chart(bands).mark_rect(opacity=0.14).encode(
            alt.Y("from:Q", scale=alt.Scale(domain=[low, high]), title="Score"), alt.Y2("to:Q"),
            alt.Color("meaning:N", title="Band", scale=alt.Scale(
                domain=["harder end", "middle", "easier end"],
                range=["#b5473a", "#d9a400", "#2f6f9f"])),
            tooltip=[alt.Tooltip("band:N", title="Band")],
        )
        line = alt.Chart(mine).mark_line(point=True, color="#222").encode(
            alt.X("taken_on:T", title=None), alt.Y("score:Q"),
            tooltip=[alt.Tooltip("taken_on:T", format="%d %b %Y", title="Taken"),
                     alt.Tooltip("score:Q", title="Score"), alt.Tooltip("band_label:N", title="Band")],
        )
        st.altair_chart(alt.layer(shaded, line).properties(height=150, title=sub.label),
                        width="stretch")
    latest = points[points["taken_on"] == points["taken_on"].max()]
    st.write(
        f"Latest ({latest['taken_on'].iloc[0]:%d %b %Y}): "
        + "; ".join(f"{r.label} {r.score:g} ({r.band_label.lower()})" for r in latest.itertuples())
        + "."
    )
st.caption(f"About the bands: {instrument.bands_source}")
