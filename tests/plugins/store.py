"""pytest fixtures: store (see the module's own issue)."""
