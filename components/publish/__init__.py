"""Built outside the app from the same cards: the static report, the low-bandwidth site, link previews, decks."""
