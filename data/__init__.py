"""Data layer: package schema, loader, validation, suppression and importers (no Streamlit here)."""
