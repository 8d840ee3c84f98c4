"""Reusable UI pieces: the chart card, pure chart builders, sentence writers, the palette."""
