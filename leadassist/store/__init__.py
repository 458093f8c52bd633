"""The rep's local research store: SQLite through sqlite-utils. Imports core, never Qt."""
