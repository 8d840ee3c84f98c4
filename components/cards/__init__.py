"""One module per card: a prepared frame assembled into figure, table, sentence and sources (no Streamlit)."""
