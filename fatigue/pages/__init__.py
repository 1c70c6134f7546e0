"""Streamlit page scripts (thin views over the core) and their shared helpers.

This subpackage, and only this one, imports streamlit.
"""
