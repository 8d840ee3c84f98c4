"""Figure drawing only: prepared frame in, plotly figure out; the palette and shared layout."""
