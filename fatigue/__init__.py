"""Caseload burnout and compassion-fatigue self-monitoring: core package.

Core modules hold all logic and never import streamlit; the page scripts in
``fatigue.pages`` are thin views over them.
"""

__version__ = "0.1.0"
