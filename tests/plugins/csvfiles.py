"""pytest fixtures: csvfiles (see the module's own issue)."""
