"""Borough boundary layer for the NEL Race Equity Dashboard (no Streamlit imports)."""
