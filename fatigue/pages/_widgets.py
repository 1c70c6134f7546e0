"""Small drawing helpers shared by the personal pages."""
from __future__ import annotations

import streamlit as st

from fatigue.analytics import Reason, Status
from fatigue.suggestions import Suggestion
from fatigue.pages._session import plain

# Every level has an icon and a word, so status is never told by colour alone.
LEVEL_ICONS = {
    "building": ":material/hourglass_top:",
    "steady": ":material/check_circle:",
    "watch": ":material/visibility:",
    "act": ":material/priority_high:",
    "quiet": ":material/pause_circle:",
}


def status_card(card: Status) -> None:
    """One headline, at most three reasons each with its why, the rest one click away."""
    with st.container(border=True):
        st.markdown(f"#### {LEVEL_ICONS[card.level]} {plain(card.title)}")
        for reason in card.shown:
            _reason(reason)
        if card.more:
            with st.expander(f"{len(card.more)} more {'reason' if len(card.more) == 1 else 'reasons'}"):
                for reason in card.more:
                    _reason(reason)
        st.write(card.suggestion)
        st.caption(card.disclaimer)


def _reason(reason: Reason) -> None:
    st.markdown(f"- {plain(reason.text)}")
    st.caption(f"Why this is here: {plain(reason.why)}")


def urgent_panel(item: Suggestion) -> None:
    """The calm, prominent support panel with the agency's own resources."""
    with st.container(border=True):
        st.markdown(f"### :material/support: {plain(item.title)}")
        st.write(item.why_now)
        text = item.extra.get("support_text", "")
        if item.extra.get("support_configured"):
            # Typed by an admin: plain text, never Markdown (no links, no icons).
            st.text(text)
        else:
            st.info(text, icon=":material/info:")
        for step in item.steps:
            st.markdown(f"- {plain(step)}")
